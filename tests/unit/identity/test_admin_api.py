"""The identity admin API (Keystone's domains, roles, projects, users and
role assignments) on the real eager stack: the calls `openstack project
create`, `user create`, `role add` and Tempest's dynamic credentials make."""
import pytest

from tests.unit.api.test_empty_bodies import _empty
from tests.unit.identity.test_api import TOKENS, auth_body, login

V3 = "/identity/v3"


@pytest.fixture
def admin(anonymous, stack):
    """An admin's token (the bootstrap admin), sent as X-Auth-Token."""
    from stratus.conductor import identity

    identity.bootstrap("admin-pw")
    return {"X-Auth-Token": login(anonymous, "admin", "admin-pw", "admin")}


def _ok(reply, status=200):
    assert reply.status_code == status, reply.get_data(as_text=True)
    return reply.get_json()


def _member_of_new_project(anonymous, admin, user="tempest-u", project="tempest-p"):
    """What Tempest's dynamic credentials do: find the domain and the role
    by name, create a project and a user, grant the role. Returns ids."""
    domain = _ok(anonymous.get(f"{V3}/domains?name=Default", headers=admin))["domains"]
    assert [d["id"] for d in domain] == ["default"]
    made = _ok(anonymous.post(f"{V3}/projects", headers=admin, json={"project": {
        "name": project, "description": "made by a test", "domain_id": "default"}}), 201)
    user_body = _ok(anonymous.post(f"{V3}/users", headers=admin, json={"user": {
        "name": user, "password": "pw-1", "project_id": made["project"]["id"],
        "email": f"{user}@example.org", "domain_id": "default"}}), 201)["user"]
    role = _ok(anonymous.get(f"{V3}/roles?name=member", headers=admin))["roles"]
    assert [r["name"] for r in role] == ["member"]
    grant = f"{V3}/projects/{made['project']['id']}/users/{user_body['id']}/roles/{role[0]['id']}"
    _empty(anonymous.put(grant, headers=admin), 204)
    return made["project"], user_body, role[0], grant


def test_dynamic_credentials_get_a_working_token(anonymous, admin):
    project, user, _role, grant = _member_of_new_project(anonymous, admin)
    assert project["domain_id"] == "default" and project["enabled"] is True
    assert project["links"]["self"].endswith(f"/identity/v3/projects/{project['id']}")
    assert user["email"] == "tempest-u@example.org" and "password" not in user

    token = login(anonymous, "tempest-u", "pw-1", "tempest-p")
    assert anonymous.get("/v2.1/servers", headers={"X-Auth-Token": token}).status_code == 200
    _empty(anonymous.head(grant, headers=admin), 204)
    _empty(anonymous.get(grant, headers=admin), 204)
    roles = _ok(anonymous.get(grant.rsplit("/", 1)[0], headers=admin))["roles"]
    assert [r["name"] for r in roles] == ["member"]

    _empty(anonymous.delete(grant, headers=admin), 204)
    assert anonymous.head(grant, headers=admin).status_code == 404
    # Tempest's clean-up: the user, then the project; both are gone after.
    _empty(anonymous.delete(f"{V3}/users/{user['id']}", headers=admin), 204)
    _empty(anonymous.delete(f"{V3}/projects/{project['id']}", headers=admin), 204)
    assert anonymous.get(f"{V3}/users/{user['id']}", headers=admin).status_code == 404
    gone = anonymous.get(f"{V3}/projects/{project['id']}", headers=admin)
    assert gone.status_code == 404
    assert gone.get_json()["error"]["code"] == 404
    assert anonymous.post(TOKENS, json=auth_body("tempest-u", "pw-1", "tempest-p")) \
        .status_code == 401


def test_lists_filter_by_name_and_show_assignments(anonymous, admin):
    project, user, role, _grant = _member_of_new_project(anonymous, admin)
    names = [p["name"] for p in _ok(anonymous.get(f"{V3}/projects", headers=admin))["projects"]]
    assert names == ["admin", "tempest-p"]
    by_name = _ok(anonymous.get(f"{V3}/users?name=tempest-u", headers=admin))["users"]
    assert [u["id"] for u in by_name] == [user["id"]]
    assert _ok(anonymous.get(f"{V3}/projects?domain_id=other", headers=admin))["projects"] == []

    listed = _ok(anonymous.get(f"{V3}/role_assignments?user.id={user['id']}&include_names",
                               headers=admin))["role_assignments"]
    assert [(a["role"]["name"], a["user"]["name"], a["scope"]["project"]["name"])
            for a in listed] == [("member", "tempest-u", "tempest-p")]
    effective = _ok(anonymous.get(f"{V3}/role_assignments?user.id={user['id']}&effective",
                                  headers=admin))["role_assignments"]
    assert sorted(a["role"]["id"] for a in effective) == sorted(
        r["id"] for r in _ok(anonymous.get(f"{V3}/roles", headers=admin))["roles"]
        if r["name"] in ("member", "reader"))
    mine = _ok(anonymous.get(f"{V3}/users/{user['id']}/projects", headers=admin))["projects"]
    assert [p["id"] for p in mine] == [project["id"]]
    assert role["links"]["self"].endswith(role["id"])


def test_updates_rename_disable_and_change_the_password(anonymous, admin):
    project, user, _role, _grant = _member_of_new_project(anonymous, admin)
    changed = _ok(anonymous.patch(f"{V3}/users/{user['id']}", headers=admin, json={
        "user": {"password": "pw-2", "description": "renamed", "name": "tempest-v"}}))
    assert changed["user"]["name"] == "tempest-v"
    assert anonymous.post(TOKENS, json=auth_body("tempest-v", "pw-1", "tempest-p")) \
        .status_code == 401
    token = login(anonymous, "tempest-v", "pw-2", "tempest-p")

    # The token's user reads itself, its project and its projects, nothing more.
    own = {"X-Auth-Token": token}
    assert anonymous.get(f"{V3}/users/{user['id']}", headers=own).status_code == 200
    assert anonymous.get(f"{V3}/projects/{project['id']}", headers=own).status_code == 200
    assert [p["name"] for p in _ok(anonymous.get(f"{V3}/auth/projects", headers=own))[
        "projects"]] == ["tempest-p"]
    refused = anonymous.get(f"{V3}/projects", headers=own)
    assert refused.status_code == 403 and "identity:list_projects" in \
        refused.get_json()["error"]["message"]
    assert anonymous.post(f"{V3}/users", headers=own, json={"user": {"name": "x"}}) \
        .status_code == 403

    disabled = _ok(anonymous.patch(f"{V3}/projects/{project['id']}", headers=admin,
                                   json={"project": {"enabled": False}}))
    assert disabled["project"]["enabled"] is False
    assert anonymous.post(TOKENS, json=auth_body("tempest-v", "pw-2", "tempest-p")) \
        .status_code == 401


@pytest.mark.parametrize("path, body", [
    ("/projects", {"project": {}}),
    ("/projects", {"project": {"name": ""}}),
    ("/projects", {"project": {"name": "p", "enabled": "yes"}}),
    ("/projects", {"project": {"name": "p", "domain_id": "elsewhere"}}),
    ("/users", {"user": {"name": "u" * 256}}),
    ("/users", {"user": "u"}),
])
def test_bad_bodies_are_400_in_keystones_shape(anonymous, admin, path, body):
    reply = anonymous.post(V3 + path, headers=admin, json=body)
    assert reply.status_code == 400, reply.get_data(as_text=True)
    assert reply.get_json()["error"]["code"] == 400


def test_duplicates_and_unknown_references(anonymous, admin):
    _member_of_new_project(anonymous, admin)
    again = anonymous.post(f"{V3}/projects", headers=admin, json={"project": {"name": "tempest-p"}})
    assert again.status_code == 409
    assert anonymous.get(f"{V3}/roles/nope", headers=admin).status_code == 404
    assert anonymous.get(f"{V3}/domains/nope", headers=admin).status_code == 404
    assert anonymous.put(f"{V3}/projects/nope/users/nope/roles/member", headers=admin) \
        .status_code == 404
