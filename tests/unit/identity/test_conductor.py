"""The conductor's identity endpoints, through the RPC stubs (eager)."""
import datetime

import pytest

from stratus.common import exception
from stratus.conductor import identity
from stratus.conductor.rpcapi import ConductorAPI
from stratus.common.context import get_admin_context
from stratus.common.timeutils import utcnow

DEFAULT = {"name": "Default"}


@pytest.fixture
def api(db, roles):
    return ConductorAPI()


@pytest.fixture
def ctxt():
    return get_admin_context()


@pytest.fixture
def alice(api, ctxt):
    """alice, a member of demo (her default project), reader of audit."""
    demo = api.project_create(ctxt, {"name": "demo"})
    api.project_create(ctxt, {"name": "audit"})
    user = api.user_create(ctxt, {"name": "alice", "password": "pw", "default_project": "demo"})
    api.role_assignment_create(ctxt, "alice", "demo", "member")
    api.role_assignment_create(ctxt, user.id, "audit", "reader")
    return user, demo


def test_password_and_scope_give_user_project_and_implied_roles(api, ctxt, alice):
    user, demo = alice
    found = api.user_authenticate(ctxt, {"name": "alice", "domain": DEFAULT}, "pw",
                                  {"name": "demo", "domain": {"id": "default"}})
    assert (found["user"].id, found["project"].id) == (user.id, demo.id)
    assert found["roles"] == ["member", "reader"]
    by_ids = api.user_authenticate(ctxt, {"id": user.id}, "pw", {"id": demo.id})
    assert by_ids["project"].name == "demo"
    assert api.user_authenticate(ctxt, {"id": user.id}, "pw", None)["project"].id == demo.id
    assert api.user_authenticate(ctxt, {"id": user.id}, "pw", {"name": "audit"})["roles"] == \
        ["reader"]


@pytest.mark.parametrize("user, password, project", [
    ({"name": "alice"}, "wrong", {"name": "demo"}),
    ({"name": "nobody"}, "pw", {"name": "demo"}),
    ({"name": "alice", "domain": {"name": "Other"}}, "pw", {"name": "demo"}),
    ({"name": "alice"}, "pw", {"name": "nowhere"}),
    ({"name": "alice"}, "pw", {"name": "admin-only"}),
])
def test_bad_credentials_or_scopes_are_401(api, ctxt, alice, user, password, project):
    api.project_create(ctxt, {"name": "admin-only"})
    with pytest.raises(exception.NotAuthenticated):
        api.user_authenticate(ctxt, user, password, project)


def test_a_wrong_password_does_not_tell_about_projects(api, ctxt, alice):
    with pytest.raises(exception.NotAuthenticated) as raised:
        api.user_authenticate(ctxt, {"name": "alice"}, "wrong", {"name": "nowhere"})
    assert raised.value.message == "The request you have made requires authentication."


def test_without_scope_nor_default_project_a_scope_is_asked_for(api, ctxt):
    api.user_create(ctxt, {"name": "loner", "password": "pw"})
    with pytest.raises(exception.Invalid):
        api.user_authenticate(ctxt, {"name": "loner"}, "pw", None)


def test_names_are_unique_and_references_checked(api, ctxt, alice):
    with pytest.raises(exception.IdentityConflict):
        api.user_create(ctxt, {"name": "alice", "password": "x"})
    with pytest.raises(exception.IdentityConflict):
        api.project_create(ctxt, {"name": "demo"})
    with pytest.raises(exception.UserNotFound):
        api.role_assignment_create(ctxt, "nobody", "demo", "member")
    with pytest.raises(exception.ProjectNotFound):
        api.role_assignment_create(ctxt, "alice", "nowhere", "member")
    with pytest.raises(exception.RoleNotFound):
        api.role_assignment_create(ctxt, "alice", "demo", "owner")
    api.role_assignment_create(ctxt, "alice", "demo", "member")  # again: no error


def test_bootstrap_makes_the_admin_and_resets_its_password(api, ctxt):
    first, again = identity.bootstrap("one"), identity.bootstrap("two")
    assert (first["user"].id, first["project"].id) == (again["user"].id, again["project"].id)
    with pytest.raises(exception.NotAuthenticated):
        api.user_authenticate(ctxt, {"name": "admin"}, "one", {"name": "admin"})
    found = api.user_authenticate(ctxt, {"name": "admin"}, "two", {"name": "admin"})
    assert found["roles"] == ["admin", "manager", "member", "reader"]


def test_revoked_tokens_are_kept_until_they_expire(api, ctxt):
    past = (utcnow() - datetime.timedelta(seconds=1)).isoformat()
    future = (utcnow() + datetime.timedelta(hours=1)).isoformat()
    api.token_revoke(ctxt, "old", past)
    assert api.token_revoked(ctxt, "old") and not api.token_revoked(ctxt, "new")
    api.token_revoke(ctxt, "new", future)
    api.token_revoke(ctxt, "new", future)  # twice: no error
    assert api.token_revoked(ctxt, "new") and not api.token_revoked(ctxt, "old")


# identity upkeep (1.4)
def _server(project_id, deleted=False):
    """An instance row of the project (a live server unless `deleted`)."""
    import uuid

    from stratus.conductor.db.models import Instance
    from stratus.conductor.db.session import transaction

    with transaction() as session:
        row = Instance(uuid=str(uuid.uuid4()), display_name="vm", project_id=project_id,
                       user_id="u", vm_state="active")
        session.add(row)
        session.flush()
        row.deleted = row.id if deleted else 0


def test_token_roles_follow_the_user_and_the_assignments(api, ctxt, alice):
    user, demo = alice
    assert api.token_roles(ctxt, user.id, demo.id) == ["member", "reader"]
    api.role_assignment_delete(ctxt, "alice", "demo", "member")
    assert api.token_roles(ctxt, user.id, demo.id) == []
    api.role_assignment_create(ctxt, "alice", "demo", "admin")
    assert api.token_roles(ctxt, user.id, demo.id) == ["admin", "manager", "member", "reader"]
    assert api.user_update(ctxt, "alice", {"enabled": False}).enabled is False
    assert api.token_roles(ctxt, user.id, demo.id) == []
    assert api.user_update(ctxt, user.id, {"enabled": True}).enabled is True
    assert api.token_roles(ctxt, user.id, demo.id) == ["admin", "manager", "member", "reader"]
    assert api.token_roles(ctxt, "no-such-user", demo.id) == []
    assert api.token_roles(ctxt, user.id, "no-such-project") == []


def test_a_disabled_user_gets_no_token(api, ctxt, alice):
    api.user_update(ctxt, "alice", {"enabled": False})
    with pytest.raises(exception.NotAuthenticated):
        api.user_authenticate(ctxt, {"name": "alice"}, "pw", {"name": "demo"})


def test_user_update_refuses_what_a_user_does_not_have(api, ctxt, alice):
    for values in ({"password_hash": "x"}, {"enabled": "no"}, {"domain_id": "other"}):
        with pytest.raises(exception.Invalid):
            api.user_update(ctxt, "alice", values)
    with pytest.raises(exception.UserNotFound):
        api.user_update(ctxt, "nobody", {"enabled": False})


def test_user_update_renames_and_refuses_a_taken_name(api, ctxt, alice):
    api.user_create(ctxt, {"name": "carol", "password": "pw"})
    with pytest.raises(exception.IdentityConflict):
        api.user_update(ctxt, "alice", {"name": "carol"})
    assert api.user_update(ctxt, "alice", {"name": "bob", "email": "b@example.org"}).name == "bob"
    assert api.user_get(ctxt, alice[0].id).email == "b@example.org"


def test_a_1_4_enable_message_is_still_understood(ctxt, alice, monkeypatch):
    monkeypatch.setenv("STRATUS_CONDUCTOR_RPC_VERSION_CAP", "1.4")
    from stratus.config import reset_settings
    reset_settings()
    try:
        api = ConductorAPI()
        assert api.user_update(ctxt, "alice", {"enabled": False}).enabled is False
        with pytest.raises(exception.VersionCapExceeded):
            api.user_update(ctxt, "alice", {"name": "bob"})
    finally:
        monkeypatch.undo()
        reset_settings()


def test_removing_a_role_not_granted_is_not_found(api, ctxt, alice):
    with pytest.raises(exception.NotFound, match="Could not find role assignment"):
        api.role_assignment_delete(ctxt, "alice", "demo", "admin")
    with pytest.raises(exception.ProjectNotFound):
        api.role_assignment_delete(ctxt, "alice", "nowhere", "member")


def test_user_delete_takes_its_assignments(api, ctxt, alice):
    user, demo = alice
    api.user_delete(ctxt, "alice")
    assert api.token_roles(ctxt, user.id, demo.id) == []
    with pytest.raises(exception.UserNotFound):
        api.user_delete(ctxt, user.id)
    again = api.user_create(ctxt, {"name": "alice", "password": "pw"})  # the name is free again
    assert again.id != user.id and api.token_roles(ctxt, again.id, demo.id) == []


def test_project_delete_refused_while_it_has_servers(api, ctxt, alice):
    user, demo = alice
    _server(demo.id)
    with pytest.raises(exception.Conflict, match="still has 1 server"):
        api.project_delete(ctxt, "demo")
    assert api.token_roles(ctxt, user.id, demo.id) == ["member", "reader"]


def test_project_delete_takes_its_assignments_and_default_project(api, ctxt, alice):
    user, demo = alice
    _server(demo.id, deleted=True)  # a deleted server does not hold it back
    api.project_delete(ctxt, demo.id)
    assert api.token_roles(ctxt, user.id, demo.id) == []
    with pytest.raises(exception.Invalid, match="A project scope is required"):
        api.user_authenticate(ctxt, {"name": "alice"}, "pw", None)  # no default project left
    with pytest.raises(exception.ProjectNotFound):
        api.project_delete(ctxt, "demo")
