"""/network/v2.0/ports, /security-groups and /security-group-rules."""
import pytest

from tests.unit.api.conftest import act_as
from tests.unit.api.test_neutron_networks import V2, _create, _error


@pytest.fixture
def network(client):
    net = _create(client, "networks", "network", name="n1")
    subnet = _create(client, "subnets", "subnet", network_id=net["id"], cidr="10.1.0.0/24")
    return net, subnet


def test_port_crud_filters_and_default_group(client, network):
    net, subnet = network
    port = _create(client, "ports", "port", network_id=net["id"], name="p1",
                   device_id="vm-1", device_owner="compute:nova")
    assert port["fixed_ips"] == [{"subnet_id": subnet["id"], "ip_address": "10.1.0.2"}]
    [default] = client.get(f"{V2}/security-groups?name=default").get_json()["security_groups"]
    assert port["security_groups"] == [default["id"]]
    assert port["binding:vnic_type"] == "normal"
    for query in ("device_id=vm-1", "device_owner=compute:nova", f"network_id={net['id']}"):
        assert [p["id"] for p in client.get(f"{V2}/ports?{query}").get_json()["ports"]] == [
            port["id"]], query
    assert client.get(f"{V2}/ports?device_id=other").get_json()["ports"] == []
    reply = client.put(f"{V2}/ports/{port['id']}", json={"port": {"name": "p2",
                                                                  "device_id": ""}})
    assert reply.get_json()["port"]["name"] == "p2"
    assert reply.get_json()["port"]["status"] == "DOWN"
    assert client.delete(f"{V2}/ports/{port['id']}").status_code == 204
    _error(client.get(f"{V2}/ports/{port['id']}"), 404, "PortNotFound")


def test_port_errors(client, network):
    net, _subnet = network
    body = {"network_id": net["id"], "fixed_ips": [{"ip_address": "10.1.0.9"}]}
    _create(client, "ports", "port", **body)
    _error(client.post(f"{V2}/ports", json={"port": body}), 409, "IpAddressAlreadyAllocated")
    reply = client.post(f"{V2}/ports", json={"port": {"network_id": net["id"], "fixed_ips": [
        {"ip_address": "10.9.0.9"}]}})
    _error(reply, 400, "InvalidIpForSubnet")
    _error(client.post(f"{V2}/ports", json={"port": {"network_id": "nope"}}), 404,
           "NetworkNotFound")
    reply = client.post(f"{V2}/ports", json={"port": {"network_id": net["id"],
                                                      "security_groups": ["nope"]}})
    _error(reply, 404, "SecurityGroupNotFound")
    reply = client.post(f"{V2}/ports", json={"port": {"network_id": net["id"],
                                                      "mac_address": "zz"}})
    _error(reply, 400, "HTTPBadRequest")
    _error(client.post(f"{V2}/ports", json={"port": {"name": "x"}}), 400, "HTTPBadRequest")


def test_binding_a_port_is_for_admins(client, network, monkeypatch):
    net = _create(client, "networks", "network", name="shared", shared=True)
    _create(client, "subnets", "subnet", network_id=net["id"], cidr="10.2.0.0/24")
    bound = _create(client, "ports", "port", network_id=net["id"], **{"binding:host_id": "h1"})
    assert bound["binding:host_id"] == "h1"
    act_as(monkeypatch, "u1", "p1")
    mine = _create(client, "ports", "port", network_id=net["id"])
    assert mine["project_id"] == "p1"
    reply = client.post(f"{V2}/ports", json={"port": {"network_id": net["id"],
                                                      "binding:host_id": "h1"}})
    _error(reply, 403, "PolicyNotAuthorized")
    assert [p["id"] for p in client.get(f"{V2}/ports").get_json()["ports"]] == [mine["id"]]
    _error(client.get(f"{V2}/ports/{bound['id']}"), 404, "PortNotFound")


def test_security_group_and_rules(client):
    group = _create(client, "security-groups", "security_group", name="web", description="w")
    assert {r["direction"] for r in group["security_group_rules"]} == {"egress"}
    rule = _create(client, "security-group-rules", "security_group_rule",
                   security_group_id=group["id"], direction="ingress", protocol="TCP",
                   port_range_min=80, port_range_max=80, remote_ip_prefix="10.0.0.7/8")
    assert (rule["protocol"], rule["remote_ip_prefix"]) == ("tcp", "10.0.0.0/8")
    shown = client.get(f"{V2}/security-groups/{group['id']}").get_json()["security_group"]
    assert rule["id"] in [r["id"] for r in shown["security_group_rules"]]
    listed = client.get(f"{V2}/security-group-rules?security_group_id={group['id']}"
                        "&direction=ingress").get_json()["security_group_rules"]
    assert [r["id"] for r in listed] == [rule["id"]]
    again = client.post(f"{V2}/security-group-rules", json={"security_group_rule": {
        "security_group_id": group["id"], "direction": "ingress", "protocol": "tcp",
        "port_range_min": 80, "port_range_max": 80, "remote_ip_prefix": "10.0.0.0/8"}})
    _error(again, 409, "Conflict")
    reply = client.put(f"{V2}/security-groups/{group['id']}",
                       json={"security_group": {"name": "www"}})
    assert reply.get_json()["security_group"]["name"] == "www"
    assert client.put(f"{V2}/security-group-rules/{rule['id']}",
                      json={"security_group_rule": {}}).status_code == 405
    assert client.delete(f"{V2}/security-group-rules/{rule['id']}").status_code == 204
    _error(client.get(f"{V2}/security-group-rules/{rule['id']}"), 404,
           "SecurityGroupRuleNotFound")
    assert client.delete(f"{V2}/security-groups/{group['id']}").status_code == 204
    _error(client.get(f"{V2}/security-groups/{group['id']}"), 404, "SecurityGroupNotFound")


@pytest.mark.parametrize("rule", [
    {"protocol": "tcp", "port_range_min": 90, "port_range_max": 80},
    {"protocol": "tcp", "port_range_min": 0, "port_range_max": 80},
    {"protocol": "icmp", "port_range_min": 300},
    {"protocol": "gre", "port_range_min": 1, "port_range_max": 2},
    {"protocol": "bogus"},
    {"protocol": "300"},
    {"remote_ip_prefix": "::/0"},
    {"remote_ip_prefix": "nope"},
    {"direction": "sideways"},
    {"port_range_min": "x"},
])
def test_bad_rules_are_400(client, rule):
    group = _create(client, "security-groups", "security_group", name="web")
    body = {"security_group_id": group["id"], "direction": "ingress", **rule}
    reply = client.post(f"{V2}/security-group-rules", json={"security_group_rule": body})
    assert reply.status_code == 400, reply.get_json()
    assert "NeutronError" in reply.get_json()


def test_group_in_use_second_default_and_remote_group(client, network):
    group = _create(client, "security-groups", "security_group", name="web")
    rule = _create(client, "security-group-rules", "security_group_rule",
                   security_group_id=group["id"], direction="ingress",
                   remote_group_id=group["id"])
    assert rule["remote_group_id"] == group["id"]
    reply = client.post(f"{V2}/security-group-rules", json={"security_group_rule": {
        "security_group_id": group["id"], "direction": "ingress", "remote_group_id": "nope"}})
    _error(reply, 404, "SecurityGroupNotFound")
    port = _create(client, "ports", "port", network_id=network[0]["id"],
                   security_groups=[group["id"]])
    _error(client.delete(f"{V2}/security-groups/{group['id']}"), 409, "SecurityGroupInUse")
    client.put(f"{V2}/ports/{port['id']}", json={"port": {"security_groups": []}})
    assert client.delete(f"{V2}/security-groups/{group['id']}").status_code == 204
    reply = client.post(f"{V2}/security-groups", json={"security_group": {"name": "default"}})
    _error(reply, 409, "SecurityGroupDefaultAlreadyExists")


def test_groups_are_per_project(client, monkeypatch):
    theirs = _create(client, "security-groups", "security_group", name="admins")
    act_as(monkeypatch, "u1", "p1")
    names = {g["name"] for g in client.get(f"{V2}/security-groups").get_json()[
        "security_groups"]}
    assert names == {"default"}
    _error(client.get(f"{V2}/security-groups/{theirs['id']}"), 404, "SecurityGroupNotFound")
    reply = client.post(f"{V2}/security-group-rules", json={"security_group_rule": {
        "security_group_id": theirs["id"], "direction": "ingress"}})
    _error(reply, 404, "SecurityGroupNotFound")


def test_default_group_is_kept_and_its_name_taken(client, monkeypatch):
    act_as(monkeypatch, "u1", "p1")
    [default] = client.get(f"{V2}/security-groups").get_json()["security_groups"]
    _error(client.delete(f"{V2}/security-groups/{default['id']}"), 409,
           "SecurityGroupCannotRemoveDefault")
    group = _create(client, "security-groups", "security_group", name="web")
    reply = client.put(f"{V2}/security-groups/{group['id']}",
                       json={"security_group": {"name": "Default"}})
    _error(reply, 409, "SecurityGroupDefaultAlreadyExists")
    act_as(monkeypatch, "admin", "default", roles=("admin",))
    assert client.delete(f"{V2}/security-groups/{default['id']}").status_code == 204
