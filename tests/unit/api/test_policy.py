"""Policy and tenant isolation through the API: another project's server
is a 404 on every route, with no effect; members get 403 from every
admin-only API; readers read and get 403 on every write."""
import re
from pathlib import Path

import pytest

from stratus.api import policy, server_actions
from tests.unit.api.conftest import act_as, mv
from tests.unit.api.stack import boot_id, flavor_id

LATEST = mv("latest")
ACTIONS = sorted(server_actions.ACTION_RULES) + sorted(server_actions.GONE)


def server_routes():
    """(method, path under /v2.1/servers/{id}, body) of every route that
    names a server, each action included."""
    routes = [("get", "", None), ("put", "", {"server": {"name": "taken"}}), ("delete", "", None),
              ("get", "/metadata", None), ("post", "/metadata", {"metadata": {"a": "b"}}),
              ("put", "/metadata", {"metadata": {"a": "b"}}), ("get", "/metadata/k", None),
              ("put", "/metadata/k", {"meta": {"k": "v"}}), ("delete", "/metadata/k", None),
              ("get", "/os-instance-actions", None),
              ("get", "/os-instance-actions/req-00000000-0000-0000-0000-000000000000", None),
              ("post", "/remote-consoles",
               {"remote_console": {"protocol": "vnc", "type": "novnc"}})]
    return routes + [("post", "/action", {name: None}) for name in ACTIONS]


def _call(client, method, path, body):
    return getattr(client, method)(path, json=body, headers=LATEST)


@pytest.fixture
def server(client, image, compute_host):
    """A server of project `default` (the admin's), ACTIVE, with metadata."""
    server_id = boot_id(client, flavor_id(client), image.id, metadata={"k": "v"})
    assert client.get(f"/v2.1/servers/{server_id}").get_json()["server"]["status"] == "ACTIVE"
    return server_id


def test_another_projects_server_is_not_found_on_every_route(client, server, monkeypatch):
    before = client.get(f"/v2.1/servers/{server}", headers=LATEST).get_json()["server"]
    for roles in (["member"], ["reader"]):
        act_as(monkeypatch, "intruder", "other-project", roles)
        for method, suffix, body in server_routes():
            reply = _call(client, method, f"/v2.1/servers/{server}{suffix}", body)
            assert reply.status_code == 404, (method, suffix, reply.get_json())
            assert reply.get_json() == {"itemNotFound": {
                "code": 404, "message": f"Instance {server} could not be found."}}
        listed = client.get("/v2.1/servers/detail").get_json()["servers"]
        assert listed == []
    act_as(monkeypatch, "admin", "default", ["admin"])
    after = client.get(f"/v2.1/servers/{server}", headers=LATEST).get_json()["server"]
    for key in ("name", "status", "metadata", "locked", "OS-EXT-STS:task_state"):
        assert after[key] == before[key], key


def test_a_reader_reads_and_may_write_nothing(client, server, monkeypatch):
    act_as(monkeypatch, "auditor", "default", ["reader"])
    for method, suffix, body in server_routes():
        reply = _call(client, method, f"/v2.1/servers/{server}{suffix}", body)
        if method == "get":
            assert reply.status_code in (200, 404), (suffix, reply.get_json())  # 404: no such item
        elif suffix == "/action" and next(iter(body)) in server_actions.GONE:
            assert reply.status_code == 410
        else:
            assert reply.status_code == 403, (method, suffix, body, reply.get_json())
            assert "forbidden" in reply.get_json()
    assert client.get(f"/v2.1/servers/{server}").status_code == 200
    assert client.get(f"/v2.1/servers/{server}/metadata/k").get_json() == {"meta": {"k": "v"}}
    boot = client.post("/v2.1/servers", json={"server": {"name": "x", "flavorRef": "1",
                                                         "imageRef": "x"}})
    assert boot.status_code == 403
    assert client.post("/v2.1/os-server-groups", json={"server_group": {
        "name": "g", "policies": ["affinity"]}}).status_code == 403


def test_a_member_acts_on_their_projects_servers(client, server, monkeypatch):
    act_as(monkeypatch, "worker", "default", ["member"])
    assert _call(client, "post", f"/v2.1/servers/{server}/action", {"os-stop": None}) \
        .status_code == 202
    assert _call(client, "put", f"/v2.1/servers/{server}", {"server": {"name": "renamed"}}) \
        .get_json()["server"]["name"] == "renamed"


# member -> 403 on every admin-only API (the in-memory fake: no data needed)

def admin_only_routes():
    """(method, path, body) of every admin-only API, with valid bodies (a
    body is checked before the rule, as in Nova)."""
    service = {"status": "disabled"}
    return [
        ("get", "/v2.1/os-hypervisors", None), ("get", "/v2.1/os-hypervisors/detail", None),
        ("get", "/v2.1/os-hypervisors/c0000000-0000-0000-0000-000000000001", None),
        ("get", "/v2.1/os-services", None),
        ("put", "/v2.1/os-services/5e000000-0000-0000-0000-000000000001", service),
        ("delete", "/v2.1/os-services/5e000000-0000-0000-0000-000000000001", None),
        ("post", "/v2.1/flavors", {"flavor": {"name": "f", "ram": 64, "vcpus": 1, "disk": 1}}),
        ("delete", "/v2.1/flavors/1", None),
        ("get", "/v2.1/os-availability-zone/detail", None),
        ("put", "/v2.1/os-quota-sets/p-member", {"quota_set": {"instances": 50}}),
        ("delete", "/v2.1/os-quota-sets/p-member", None),
        ("get", "/v2.1/limits?tenant_id=another", None),
        ("get", "/v2.1/servers?all_tenants=1", None),
        ("get", "/v2.1/servers/detail?all_tenants=1", None),
        ("post", "/v2.1/servers", {"server": {"name": "x", "flavorRef": "1", "imageRef": IMAGE,
                                              "availability_zone": "nova:host1"}}),
    ] + [("post", "/v2.1/servers/{own}/action", {name: None}) for name, rule
         in server_actions.ACTION_RULES.items() if policy.RULES[rule] == policy.ADMIN]


IMAGE = "11111111-1111-1111-1111-111111111111"


def test_a_member_is_forbidden_every_admin_api(client, fake, monkeypatch):
    fake.add_host("host1")
    fake.add_flavor("1")
    fake.add_image(IMAGE)
    own = fake.add_instance(project_id="p-member", user_id="u-member").uuid
    act_as(monkeypatch, "u-member", "p-member", ["member"])
    routes = admin_only_routes()
    assert {"os-resetState", "os-migrateLive", "evacuate"} <= \
        {next(iter(body)) for _m, path, body in routes if path.endswith("/action")}
    for method, path, body in routes:
        reply = _call(client, method, path.format(own=own), body)
        assert reply.status_code == 403, (method, path, reply.get_json())
        message = reply.get_json()["forbidden"]["message"]
        assert re.fullmatch(r"Policy doesn't allow os_compute_api:\S+ to be performed\.", message)
    assert fake.created == [] and fake.updates == [] and "1" in fake.flavors


def test_admins_pass_the_same_rules(client, fake):
    fake.add_host("host1")
    assert client.get("/v2.1/os-hypervisors").status_code == 200
    assert client.get("/v2.1/os-services").status_code == 200
    assert client.get("/v2.1/servers?all_tenants=1").status_code == 200


def test_every_rule_the_api_names_has_a_default():
    """A rule missing from RULES would be admin-only by accident."""
    root = Path(policy.__file__).parent
    named = set()
    for source in root.rglob("*.py"):
        named |= set(re.findall(r"\"((?:os_compute_api|compute):[\w:-]+)\"", source.read_text()))
    named = {name for name in named if not name.endswith(":")}  # prefixes of rule names
    named |= set(server_actions.ACTION_RULES.values())
    assert len(named) > 20 and named <= set(policy.RULES), named - set(policy.RULES)


def test_every_action_has_a_rule():
    assert set(server_actions.HANDLERS) | server_actions.NOT_SUPPORTED == \
        set(server_actions.ACTION_RULES)


# what errors tell whom

def test_a_timeout_names_its_queue_to_admins_only(client, fake, monkeypatch):
    from tests.unit.api.conftest import FakeConductorAPI
    from stratus.common import exception

    def late(*args, **kwargs):
        raise exception.MessagingTimeout(timeout=30, method="conductor.flavor_get_all")

    monkeypatch.setattr(FakeConductorAPI, "flavor_get_all", late)
    admin = client.get("/v2.1/flavors")
    assert admin.status_code == 504 and "conductor.flavor_get_all" in admin.get_data(as_text=True)
    act_as(monkeypatch, "u-member", "p-member", ["member"])
    member = client.get("/v2.1/flavors")
    assert member.get_json() == {"computeFault": {
        "code": 504, "message": "The service did not answer in time. Please try again later."}}


def test_a_servers_fault_details_are_for_admins(client, fake, monkeypatch):
    fault = {"code": 500, "message": "No valid host was found.", "details": "Traceback (most..."}
    server = fake.add_instance(project_id="p-member", vm_state="error", fault=fault).uuid
    shown = client.get(f"/v2.1/servers/{server}").get_json()["server"]["fault"]
    assert shown["details"] == "Traceback (most..."
    act_as(monkeypatch, "u-member", "p-member", ["reader"])
    shown = client.get(f"/v2.1/servers/{server}").get_json()["server"]["fault"]
    assert shown["message"] == "No valid host was found." and "details" not in shown
