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
    assert found["roles"] == ["admin", "member", "reader"]


def test_revoked_tokens_are_kept_until_they_expire(api, ctxt):
    past = (utcnow() - datetime.timedelta(seconds=1)).isoformat()
    future = (utcnow() + datetime.timedelta(hours=1)).isoformat()
    api.token_revoke(ctxt, "old", past)
    assert api.token_revoked(ctxt, "old") and not api.token_revoked(ctxt, "new")
    api.token_revoke(ctxt, "new", future)
    api.token_revoke(ctxt, "new", future)  # twice: no error
    assert api.token_revoked(ctxt, "new") and not api.token_revoked(ctxt, "old")
