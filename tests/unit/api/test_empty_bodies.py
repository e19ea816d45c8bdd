"""Nova's bodiless replies (202, 204) are empty: no JSON `""`, no
Content-Type. Every route documented with a 202 or 204 and no schema is
requested here, and the list of them is checked against the app's routes
so that a new one cannot be forgotten."""
import pytest

from tests.unit.api import stack
from tests.unit.api.conftest import mv, token_for

# (method, rule) -> the status codes its bodiless reply may have
BODILESS = {
    ("DELETE", "/v2.1/flavors/<flavor_id>"): {202},
    ("DELETE", "/v2.1/os-keypairs/<keypair_name>"): {202, 204},
    ("DELETE", "/v2.1/os-quota-sets/<project_id>"): {202},
    ("DELETE", "/v2.1/os-server-groups/<group_id>"): {204},
    ("DELETE", "/v2.1/os-services/<service_id>"): {204},
    ("DELETE", "/v2.1/servers/<server_id>"): {204},
    ("DELETE", "/v2.1/servers/<server_id>/metadata/<key>"): {204},
    ("DELETE", "/v2.1/servers/<server_id>/os-server-password"): {204},
    ("DELETE", "/v2.1/servers/<server_id>/tags"): {204},
    ("GET", "/v2.1/servers/<server_id>/tags/<tag>"): {204},
    ("PUT", "/v2.1/servers/<server_id>/tags/<tag>"): {201, 204},
    ("DELETE", "/v2.1/servers/<server_id>/tags/<tag>"): {204},
    ("POST", "/v2.1/servers/<server_id>/action"): {202},
    ("DELETE", "/identity/v3/auth/tokens"): {204},
    # requested in tests/unit/identity/test_admin_api.py
    ("DELETE", "/identity/v3/users/<user_id>"): {204},
    ("DELETE", "/identity/v3/projects/<project_id>"): {204},
    ("PUT", "/identity/v3/projects/<project_id>/users/<user_id>/roles/<role_id>"): {204},
    ("GET", "/identity/v3/projects/<project_id>/users/<user_id>/roles/<role_id>"): {204},
    ("HEAD", "/identity/v3/projects/<project_id>/users/<user_id>/roles/<role_id>"): {204},
    ("DELETE", "/identity/v3/projects/<project_id>/users/<user_id>/roles/<role_id>"): {204},
    # requested in tests/unit/api/test_images.py
    ("PUT", "/image/v2/images/<image_id>/file"): {204},
    ("PUT", "/v2/images/<image_id>/file"): {204},
    ("DELETE", "/image/v2/images/<image_id>"): {204},
    ("DELETE", "/v2/images/<image_id>"): {204},
    ("DELETE", "/v2.1/images/<image_id>"): {204},
    ("DELETE", "/v2.1/images/<image_id>/metadata/<key>"): {204},
    # requested in tests/unit/api/test_neutron_networks.py and test_neutron_ports.py
    **{("DELETE", f"/network/v2.0/{collection}/<resource_id>"): {204}
       for collection in ("networks", "subnets", "ports", "security-groups",
                          "security-group-rules")},
    # requested in tests/unit/api/test_security_groups.py
    ("DELETE", "/v2.1/os-security-groups/<group_id>"): {202},
    ("DELETE", "/v2.1/os-security-group-rules/<rule_id>"): {202},
}


def _bodiless_routes(app):
    """(method, rule) of every view documented with a schemaless 202 or 204."""
    found = set()
    for rule in app.url_map.iter_rules():
        view_class = getattr(app.view_functions[rule.endpoint], "view_class", None)
        for method in (rule.methods or ()) if view_class else ():
            doc = getattr(getattr(view_class, method.lower(), None), "_apidoc", {})
            for code, docs in doc.get("response", {}).get("responses", {}).items():
                if int(code) in (202, 204) and any("schema" not in d for d in docs):
                    found.add((method, rule.rule))
    return found


def test_every_bodiless_route_is_tested_here(app):
    assert _bodiless_routes(app) == set(BODILESS)


def _empty(reply, code):
    assert (reply.status_code, reply.data) == (code, b""), reply.data
    assert "Content-Type" not in reply.headers


@pytest.fixture
def api(client, db, roles, tmp_path, monkeypatch):
    stack.configure(monkeypatch, tmp_path)
    reporters = stack.start_hosts(monkeypatch, {"empty-a": "nova"})
    yield client
    stack.stop_hosts(reporters)


def test_flavor_quota_set_and_keypair_deletes(api):
    _empty(api.delete(f"/v2.1/flavors/{stack.flavor_id(api)}"), 202)
    _empty(api.delete("/v2.1/os-quota-sets/some-project"), 202)
    for name, version, code in (("k21", "2.1", 202), ("k22", "2.2", 204)):
        body = {"keypair": {"name": name}}
        assert api.post("/v2.1/os-keypairs", json=body, headers=mv(version)).status_code < 300
        _empty(api.delete(f"/v2.1/os-keypairs/{name}", headers=mv(version)), code)


def test_server_group_and_service_deletes(api):
    body = {"server_group": {"name": "g", "policies": ["affinity"]}}
    group = api.post("/v2.1/os-server-groups", json=body).get_json()["server_group"]["id"]
    _empty(api.delete(f"/v2.1/os-server-groups/{group}"), 204)
    service = api.get("/v2.1/os-services", headers=mv("2.53")).get_json()["services"][0]
    _empty(api.delete(f"/v2.1/os-services/{service['id']}", headers=mv("2.53")), 204)


def test_server_action_metadata_and_server_deletes(api):
    server = stack.boot_id(api, stack.flavor_id(api), stack.image_id(), metadata={"a": "b"})
    _empty(stack.act(api, server, {"os-stop": None}), 202)
    _empty(api.delete(f"/v2.1/servers/{server}/metadata/a"), 204)
    _empty(api.delete(f"/v2.1/servers/{server}"), 204)


def test_server_password_and_tag_routes(api):
    server = stack.boot_id(api, stack.flavor_id(api), stack.image_id())
    _empty(api.delete(f"/v2.1/servers/{server}/os-server-password"), 204)
    tags = f"/v2.1/servers/{server}/tags"
    _empty(api.put(f"{tags}/a", headers=mv("2.26")), 201)
    _empty(api.put(f"{tags}/a", headers=mv("2.26")), 204)
    _empty(api.get(f"{tags}/a", headers=mv("2.26")), 204)
    _empty(api.delete(f"{tags}/a", headers=mv("2.26")), 204)
    _empty(api.delete(tags, headers=mv("2.26")), 204)


def test_token_revocation(api):
    subject = {"X-Subject-Token": token_for("someone", "somewhere", ("member",))}
    _empty(api.delete("/identity/v3/auth/tokens", headers=subject), 204)
