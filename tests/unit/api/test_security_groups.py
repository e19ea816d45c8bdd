"""Nova's security group proxy (/v2.1/os-security-groups, -rules, a
server's groups and the add/removeSecurityGroup actions), answered from
the network service, on the real eager stack."""
import pytest

from tests.unit.api import stack
from tests.unit.api.conftest import act_as, mv
from tests.unit.api.test_neutron_networks import V2, _create

OLD = mv("2.35")
GROUPS = "/v2.1/os-security-groups"
RULES = "/v2.1/os-security-group-rules"


api = stack.client_with_hosts({"sg-a": "nova"})


@pytest.fixture
def server(api):
    """A server with two ports on a network of its project."""
    server_id = stack.boot_id(api, stack.flavor_id(api), stack.image_id())
    net = _create(api, "networks", "network", name="n1")
    _create(api, "subnets", "subnet", network_id=net["id"], cidr="10.3.0.0/24")
    for _ in range(2):
        _create(api, "ports", "port", network_id=net["id"], device_id=server_id)
    return server_id


def _group(client, name="web", description="w"):
    reply = client.post(GROUPS, json={"security_group": {"name": name,
                                                         "description": description}},
                        headers=OLD)
    assert reply.status_code == 200, reply.get_json()
    return reply.get_json()["security_group"]


def _rule(client, **rule):
    return client.post(RULES, json={"security_group_rule": rule}, headers=OLD)


def test_group_crud(client):
    group = _group(client)
    assert (group["name"], group["description"], group["tenant_id"], group["rules"]) == (
        "web", "w", "default", [])  # Neutron's egress rules are not Nova's
    listed = client.get(GROUPS, headers=OLD).get_json()["security_groups"]
    assert [g["name"] for g in listed] == ["web"]  # an admin's default is made at its first port
    assert client.get(f"{GROUPS}/{group['id']}", headers=OLD).get_json()[
        "security_group"]["id"] == group["id"]
    reply = client.put(f"{GROUPS}/{group['id']}", headers=OLD,
                       json={"security_group": {"name": "www", "description": "x"}})
    assert reply.get_json()["security_group"]["name"] == "www"
    assert client.delete(f"{GROUPS}/{group['id']}", headers=OLD).status_code == 202
    assert client.get(f"{GROUPS}/{group['id']}", headers=OLD).status_code == 404
    assert client.get(f"{GROUPS}/not-a-uuid", headers=OLD).status_code == 400


def test_rules(client):
    group, other = _group(client), _group(client, "db")
    reply = _rule(client, parent_group_id=group["id"], ip_protocol="tcp", from_port=22,
                  to_port=22, cidr="10.0.0.0/8")
    assert reply.status_code == 200, reply.get_json()
    rule = reply.get_json()["security_group_rule"]
    assert rule == {"id": rule["id"], "parent_group_id": group["id"], "ip_protocol": "tcp",
                    "from_port": 22, "to_port": 22, "group": {},
                    "ip_range": {"cidr": "10.0.0.0/8"}}
    from_group = _rule(client, parent_group_id=group["id"], group_id=other["id"],
                       ip_protocol="tcp").get_json()["security_group_rule"]
    assert (from_group["from_port"], from_group["to_port"], from_group["group"]) == (
        1, 65535, {"name": "db", "tenant_id": "default"})
    icmp = _rule(client, parent_group_id=group["id"], ip_protocol="icmp", from_port=-1,
                 to_port=-1).get_json()["security_group_rule"]
    assert (icmp["from_port"], icmp["to_port"], icmp["ip_range"]) == (
        -1, -1, {"cidr": "0.0.0.0/0"})
    shown = client.get(f"{GROUPS}/{group['id']}", headers=OLD).get_json()["security_group"]
    assert len(shown["rules"]) == 3
    again = _rule(client, parent_group_id=group["id"], ip_protocol="tcp", from_port=22,
                  to_port=22, cidr="10.0.0.0/8")
    assert again.status_code == 400 and "already exists" in again.get_json()[
        "badRequest"]["message"]
    assert client.delete(f"{RULES}/{rule['id']}", headers=OLD).status_code == 202
    assert client.delete(f"{RULES}/{rule['id']}", headers=OLD).status_code == 404
    assert client.delete(f"{RULES}/nope", headers=OLD).status_code == 400


@pytest.mark.parametrize("rule, status", [
    ({"ip_protocol": "tcp", "from_port": 80, "to_port": 22}, 400),
    ({"ip_protocol": "tcp", "from_port": 0, "to_port": 22}, 400),
    ({"ip_protocol": "gre", "from_port": 1, "to_port": 2}, 400),
    ({"ip_protocol": "tcp", "from_port": "a", "to_port": 2}, 400),
    ({"cidr": "10.0.0.0/8"}, 400),
    ({"ip_protocol": "tcp", "from_port": 1, "to_port": 2, "cidr": "nope"}, 400),
    ({"ip_protocol": "tcp", "from_port": 1, "to_port": 2, "cidr": "10.0.0.0/0"}, 400),
    ({"parent_group_id": "11111111-1111-1111-1111-111111111111"}, 404),
    ({"group_id": "11111111-1111-1111-1111-111111111111"}, 404),
    ({"parent_group_id": "nope"}, 400),
])
def test_bad_rules(client, rule, status):
    group = _group(client)
    assert _rule(client, **{"parent_group_id": group["id"], **rule}).status_code == status


def test_bad_groups_and_gone_from_2_36(client):
    assert client.post(GROUPS, json={"security_group": {"name": "x"}},
                       headers=OLD).status_code == 400
    assert client.post(GROUPS, json={"security_group": {"name": "default", "description": ""}},
                       headers=OLD).status_code == 403
    group = _group(client)
    for method, url in (("get", GROUPS), ("get", f"{GROUPS}/{group['id']}"),
                        ("delete", f"{GROUPS}/{group['id']}"), ("post", RULES)):
        reply = getattr(client, method)(url, headers=mv("2.36"), json={})
        assert reply.status_code == 404, (method, url)
    assert client.get(GROUPS).status_code == 200  # 2.1
    # No group named (Nova's routes match no id): a 404, not a 405.
    nameless = client.delete(f"{GROUPS}/", headers=OLD)
    assert nameless.status_code == 404
    assert nameless.get_json()["itemNotFound"]["message"] == "Security group not found"


def test_a_member_cannot_delete_its_default_group(client, monkeypatch):
    act_as(monkeypatch, "u1", "p1")
    [default] = client.get(GROUPS, headers=OLD).get_json()["security_groups"]
    assert client.delete(f"{GROUPS}/{default['id']}", headers=OLD).status_code == 400
    web = _group(client)
    reply = client.put(f"{GROUPS}/{web['id']}", headers=OLD,
                       json={"security_group": {"name": "default", "description": ""}})
    assert reply.status_code == 400


def test_all_tenants_and_members(client, monkeypatch):
    _group(client, "admins")
    act_as(monkeypatch, "u1", "p1")
    mine = _group(client, "mine")
    assert [g["name"] for g in client.get(GROUPS, headers=OLD).get_json()[
        "security_groups"]] == ["default", "mine"]
    act_as(monkeypatch, "admin", "default", roles=("admin",))
    assert [g["name"] for g in client.get(GROUPS, headers=OLD).get_json()[
        "security_groups"]] == ["admins"]
    everyone = client.get(f"{GROUPS}?all_tenants=1", headers=OLD).get_json()["security_groups"]
    assert mine["id"] in [g["id"] for g in everyone]
    act_as(monkeypatch, "u1", "p1", roles=("reader",))
    assert client.post(GROUPS, json={"security_group": {"name": "x", "description": ""}},
                       headers=OLD).status_code == 403


def _act(client, server_id, action, name):
    return client.post(f"/v2.1/servers/{server_id}/action", json={action: {"name": name}},
                       headers=mv("latest"))


def _server_groups(client, server_id):
    reply = client.get(f"/v2.1/servers/{server_id}/os-security-groups", headers=mv("latest"))
    assert reply.status_code == 200, reply.get_json()
    return [g["name"] for g in reply.get_json()["security_groups"]]


def test_add_and_remove_a_group(api, server):
    web = _group(api)
    assert _server_groups(api, server) == ["default"]
    assert _act(api, server, "addSecurityGroup", "web").status_code == 202
    assert _act(api, server, "addSecurityGroup", web["id"]).status_code == 202  # already
    assert _server_groups(api, server) == ["default", "web"]
    ports = api.get(f"{V2}/ports?device_id={server}").get_json()["ports"]
    assert all(p["security_groups"][-1] == web["id"] for p in ports) and len(ports) == 2
    assert _act(api, server, "removeSecurityGroup", "web").status_code == 202
    assert _server_groups(api, server) == ["default"]
    missing = _act(api, server, "removeSecurityGroup", "web")
    assert missing.status_code == 404 and "not associated" in missing.get_json()[
        "itemNotFound"]["message"]
    assert _act(api, server, "addSecurityGroup", "nope").status_code == 404


def test_action_errors(api, server):
    _group(api, "twin")
    _group(api, "twin")
    assert _act(api, server, "addSecurityGroup", "twin").status_code == 409
    assert _act(api, server, "addSecurityGroup", " ").status_code == 400
    reply = api.post(f"/v2.1/servers/{server}/action", json={"addSecurityGroup": {"x": 1}})
    assert reply.status_code == 400
    portless = stack.boot_id(api, stack.flavor_id(api, name="t2"), stack.image_id())
    assert _server_groups(api, portless) == []
    reply = _act(api, portless, "addSecurityGroup", "default")
    assert reply.status_code == 404 and "device id" in reply.get_json()["itemNotFound"][
        "message"]
    assert api.get("/v2.1/servers/nope/os-security-groups").status_code == 404


def test_a_port_without_an_address_takes_no_group(api):
    server_id = stack.boot_id(api, stack.flavor_id(api), stack.image_id())
    net = _create(api, "networks", "network", name="bare")
    _create(api, "ports", "port", network_id=net["id"], device_id=server_id)
    assert _act(api, server_id, "addSecurityGroup", "default").status_code == 400
