"""The identity API and the authentication of every request, on the
real eager stack (users in the test SQLite)."""
import pytest

from stratus.api.identity import tokens
from tests.unit.api.conftest import mv
from tests.unit.api.stack import flavor_id
from stratus.common.context import get_admin_context

TOKENS = "/identity/v3/auth/tokens"


@pytest.fixture
def users(stack):
    """admin (admin of project admin) and alice (member of demo)."""
    from stratus.conductor import identity
    from stratus.conductor.rpcapi import ConductorAPI

    api, ctxt = ConductorAPI(), get_admin_context()
    admin = identity.bootstrap("admin-pw")
    api.project_create(ctxt, {"name": "demo"})
    alice = api.user_create(ctxt, {"name": "alice", "password": "alice-pw",
                                   "default_project": "demo"})
    api.role_assignment_create(ctxt, "alice", "demo", "member")
    return {"admin": admin["user"], "alice": alice}


def auth_body(user, password, project=None, **identity):
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": user, "domain": {"name": "Default"}, "password": password}}, **identity}}}
    if project:
        body["auth"]["scope"] = {"project": {"name": project, "domain": {"name": "Default"}}}
    return body


def login(client, user, password, project):
    reply = client.post(TOKENS, json=auth_body(user, password, project))
    assert reply.status_code == 201, reply.get_json()
    return reply.headers["X-Subject-Token"]


def _with(token, **headers):
    return {"X-Auth-Token": token, **headers}


def test_token_life_cycle(anonymous, users):
    reply = anonymous.post(TOKENS, json=auth_body("alice", "alice-pw", "demo"))
    assert reply.status_code == 201
    token, body = reply.headers["X-Subject-Token"], reply.get_json()["token"]
    assert body["user"] == {"id": users["alice"].id, "name": "alice", "password_expires_at": None,
                            "domain": {"id": "default", "name": "Default"}}
    assert body["project"]["name"] == "demo" and body["methods"] == ["password"]
    assert [role["name"] for role in body["roles"]] == ["member", "reader"]
    assert body["issued_at"] < body["expires_at"] and body["expires_at"].endswith("Z")
    services = {service["type"]: service for service in body["catalog"]}
    compute = services["compute"]["endpoints"]
    assert {e["interface"] for e in compute} == {"public", "internal", "admin"}
    assert {(e["url"], e["region"], e["region_id"]) for e in compute} == \
        {("http://localhost/v2.1", "RegionOne", "RegionOne")}
    assert {e["url"] for e in services["image"]["endpoints"]} == {"http://localhost/image"}
    assert services["network"]["name"] == "neutron"
    assert {e["url"] for e in services["network"]["endpoints"]} == {"http://localhost/network"}

    assert anonymous.get("/v2.1/servers", headers=_with(token)).status_code == 200
    shown = anonymous.get(TOKENS, headers=_with(token, **{"X-Subject-Token": token}))
    assert shown.status_code == 200 and shown.headers["X-Subject-Token"] == token
    assert shown.get_json()["token"]["audit_ids"] == body["audit_ids"]
    assert anonymous.delete(TOKENS, headers=_with(token, **{"X-Subject-Token": token})) \
        .status_code == 204
    assert anonymous.get("/v2.1/servers", headers=_with(token)).status_code == 401
    other = login(anonymous, "alice", "alice-pw", "demo")
    gone = anonymous.get(TOKENS, headers=_with(other, **{"X-Subject-Token": token}))
    assert gone.status_code == 404
    assert gone.get_json() == {"error": {"code": 404, "title": "Not Found",
                                         "message": "Failed to validate token"}}


def test_records_carry_the_tokens_project_and_user(anonymous, client, users, image,
                                                     compute_host):
    flavor = flavor_id(client)
    token = login(anonymous, "alice", "alice-pw", "demo")
    reply = anonymous.post("/v2.1/servers", headers=_with(token, **mv("latest")), json={
        "server": {"name": "mine", "flavorRef": flavor, "imageRef": image.id,
                   "networks": "none"}})
    assert reply.status_code == 202, reply.get_json()
    server_id = reply.get_json()["server"]["id"]
    shown = anonymous.get(f"/v2.1/servers/{server_id}", headers=_with(token)).get_json()
    project_id = anonymous.get(TOKENS, headers=_with(token, **{"X-Subject-Token": token})) \
        .get_json()["token"]["project"]["id"]
    assert (shown["server"]["tenant_id"], shown["server"]["user_id"]) == \
        (project_id, users["alice"].id)
    group = anonymous.post("/v2.1/os-server-groups", headers=_with(token, **mv("2.13")), json={
        "server_group": {"name": "g", "policies": ["affinity"]}}).get_json()["server_group"]
    assert (group["project_id"], group["user_id"]) == (project_id, users["alice"].id)
    pair = anonymous.post("/v2.1/os-keypairs", headers=_with(token, **mv("2.10")),
                          json={"keypair": {"name": "k"}}).get_json()["keypair"]
    assert pair["user_id"] == users["alice"].id


def _expired(users):
    from stratus.common.objects.identity import Project

    return tokens.issue(users["admin"], Project(id="x", name="admin"), ["admin"], ttl=-1)[0]


def _revoked(client):
    token = login(client, "admin", "admin-pw", "admin")
    client.delete(TOKENS, headers=_with(token, **{"X-Subject-Token": token}))
    return token


ROUTES = [("get", "/v2.1/servers"), ("get", "/v2.1/servers/detail"), ("post", "/v2.1/servers"),
          ("get", "/v2.1/flavors"), ("get", "/v2.1/os-hypervisors"),
          ("delete", "/v2.1/servers/00000000-0000-0000-0000-000000000001"),
          ("get", "/v2.1/limits"), ("get", "/image/v2/images"), ("get", "/v2/images"),
          ("get", TOKENS), ("delete", TOKENS)]


def _cap_conductors(monkeypatch, cap):
    from stratus import config

    if cap:
        monkeypatch.setenv("STRATUS_CONDUCTOR_RPC_VERSION_CAP", cap)
    config.reset_settings()


# Conductors that check the token a call carries (1.13), and older ones
# (the api asks token_revoked itself).
@pytest.mark.parametrize("cap", [None, "1.12"])
def test_no_bad_expired_or_revoked_token_is_401(anonymous, users, monkeypatch, cap):
    _cap_conductors(monkeypatch, cap)
    for name, token in (("none", None), ("garbage", "garbage"), ("expired", _expired(users)),
                        ("revoked", _revoked(anonymous))):
        headers = {"X-Auth-Token": token} if token else {}
        for method, path in ROUTES:
            reply = getattr(anonymous, method)(path, headers=headers, json={})
            assert reply.status_code == 401, (name, method, path)
            assert reply.headers["WWW-Authenticate"] == 'Keystone uri="http://localhost/identity"'
            fault = reply.get_json()
            message = fault["error" if path.startswith("/identity") else "unauthorized"]["message"]
            assert message == "The request you have made requires authentication."


@pytest.mark.parametrize("path, code", [("/", 200), ("/v2.1", 200), ("/v2.1/", 200),
                                        ("/identity", 300), ("/identity/v3", 200),
                                        ("/identity/v3/", 200), ("/image", 300),
                                        ("/openapi.json", 200), ("/swagger-ui", 200)])
def test_discovery_needs_no_token(anonymous, path, code):
    assert anonymous.get(path).status_code == code


def test_identity_version_documents(anonymous):
    versions = anonymous.get("/identity").get_json()["versions"]["values"]
    assert [(v["id"], v["status"]) for v in versions] == [("v3.14", "stable")]
    assert versions[0]["links"] == [{"rel": "self", "href": "http://localhost/identity/v3/"}]
    assert anonymous.get("/identity/v3").get_json()["version"] == versions[0]


def _sent(monkeypatch):
    """The names of the RPC methods sent from now on."""
    from stratus.common import rpc

    sent, real = [], rpc.RPCClient._send

    def record(client, ctxt, method, kwargs, reply):
        sent.append(method)
        return real(client, ctxt, method, kwargs, reply)

    monkeypatch.setattr(rpc.RPCClient, "_send", record)
    return sent


@pytest.mark.parametrize("cap, asked", [(None, []), ("1.12", ["token_revoked"])])
def test_a_boot_checks_its_token_with_its_first_conductor_call(
        anonymous, client, users, image, compute_host, monkeypatch, cap, asked):
    flavor = flavor_id(client)
    token = login(anonymous, "alice", "alice-pw", "demo")
    _cap_conductors(monkeypatch, cap)
    sent = _sent(monkeypatch)
    body = {"server": {"name": "mine", "flavorRef": flavor, "imageRef": image.id,
                       "networks": "none"}}
    assert anonymous.post("/v2.1/servers", headers=_with(token), json=body).status_code == 202
    # (token_roles: the user's roles, read again now and then: recheck)
    booted = [method for method in sent if method != "token_roles"]
    assert booted[:len(asked) + 1] == asked + ["create_instances_by_ref"]
    assert booted.count("token_revoked") == len(asked)
    anonymous.delete(TOKENS, headers=_with(token, **{"X-Subject-Token": token}))
    del sent[:]
    assert anonymous.post("/v2.1/servers", headers=_with(token), json=body).status_code == 401
    # Refused before anything was done for it: with 1.13 the create itself
    # was sent, and its conductor refused it before running it.
    refused = [method for method in sent if method != "token_roles"]
    assert refused == (["token_revoked"] if cap else ["create_instances_by_ref"])
    assert [s["name"] for s in client.get("/v2.1/servers?all_tenants=1").get_json()["servers"]] \
        == ["mine"]


def test_only_admins_validate_or_revoke_someone_elses_token(anonymous, users):
    alice = login(anonymous, "alice", "alice-pw", "demo")
    admin = login(anonymous, "admin", "admin-pw", "admin")
    for method in ("get", "delete"):
        reply = getattr(anonymous, method)(TOKENS, headers=_with(alice, **{
            "X-Subject-Token": admin}))
        assert reply.status_code == 403
        assert reply.get_json()["error"]["title"] == "Forbidden"
    assert anonymous.get(TOKENS, headers=_with(admin, **{"X-Subject-Token": alice})) \
        .get_json()["token"]["user"]["name"] == "alice"
    assert anonymous.delete(TOKENS, headers=_with(admin, **{"X-Subject-Token": alice})) \
        .status_code == 204
    assert anonymous.get("/v2.1/servers", headers=_with(alice)).status_code == 401


@pytest.mark.parametrize("body, code", [
    ({}, 400), ({"auth": {}}, 400), ({"auth": {"identity": {"methods": "password"}}}, 400),
    (auth_body("alice", "alice-pw", methods=["token"]), 401),
    (auth_body("alice", "wrong", "demo"), 401), (auth_body("alice", "alice-pw", "nowhere"), 401),
    ({"auth": {**auth_body("alice", "alice-pw")["auth"], "scope": {"domain": {"id": "default"}}}},
     400),
    (["not", "an", "object"], 400)])
def test_bad_authentication_requests(anonymous, users, body, code):
    reply = anonymous.post(TOKENS, json=body)
    assert reply.status_code == code, reply.get_json()
    assert set(reply.get_json()["error"]) == {"code", "title", "message"}
    assert "X-Subject-Token" not in reply.headers


def test_a_token_without_scope_uses_the_default_project(anonymous, users):
    reply = anonymous.post(TOKENS, json=auth_body("alice", "alice-pw"))
    assert reply.get_json()["token"]["project"]["name"] == "demo"
