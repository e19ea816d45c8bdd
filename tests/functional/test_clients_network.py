"""The real openstack client drives the network service through the
catalog's `network` entry (openstacksdk's discovery of /network, then
/network/v2.0): networks, subnets, ports and security groups, created,
listed and deleted as a user would; and a security group added to (and
removed from) a server's ports through the compute API's actions."""
import pytest

from tests.functional.clients import created_server, osc, osc_json, unique_name


@pytest.fixture
def server(cloud, env, names):
    yield from created_server(cloud, env, names, "sg-vm")


def test_openstack_networks_ports_and_security_groups(env):
    net, subnet, port, group = (unique_name(kind) for kind in ("net", "subnet", "port", "sg"))
    created = osc_json(env, "network", "create", net)
    assert (created["name"], created["status"], created["router:external"]) == (
        net, "ACTIVE", False)
    assert net in {row["Name"] for row in osc_json(env, "network", "list")}
    made = osc_json(env, "subnet", "create", "--network", net, "--subnet-range", "10.1.0.0/24",
                    subnet)
    assert (made["cidr"], made["gateway_ip"], made["network_id"]) == (
        "10.1.0.0/24", "10.1.0.1", created["id"])
    nic = osc_json(env, "port", "create", "--network", net, port)
    assert nic["fixed_ips"] == [{"subnet_id": made["id"], "ip_address": "10.1.0.2"}]
    listed = {row["Name"]: row for row in osc_json(env, "port", "list")}
    assert listed[port]["ID"] == nic["id"]
    web = osc_json(env, "security", "group", "create", group)
    rule = osc_json(env, "security", "group", "rule", "create", "--protocol", "tcp",
                    "--dst-port", "80", group)
    assert (rule["security_group_id"], rule["protocol"], rule["port_range_min"],
            rule["port_range_max"], rule["direction"]) == (web["id"], "tcp", 80, 80, "ingress")
    groups = {row["Name"]: row for row in osc_json(env, "security", "group", "list")}
    assert groups[group]["ID"] == web["id"] and "default" in groups
    # a network with a port on it stays (Neutron's NetworkInUse), then goes
    refused = osc(env, "network", "delete", net, ok=False)
    assert refused.returncode != 0 and "ports still in use" in refused.stderr
    osc(env, "port", "delete", port)
    osc(env, "security", "group", "delete", group)
    osc(env, "network", "delete", net)
    assert net not in {row["Name"] for row in osc_json(env, "network", "list")}
    assert port not in {row["Name"] for row in osc_json(env, "port", "list")}


def test_openstack_adds_and_removes_a_servers_security_group(cloud, env, server):
    net, group = unique_name("net"), unique_name("sg")
    osc(env, "network", "create", net)
    osc(env, "subnet", "create", "--network", net, "--subnet-range", "10.2.0.0/24",
        unique_name("subnet"))
    port = osc_json(env, "port", "create", "--network", net, "--device", server["id"],
                    unique_name("port"))
    web = osc_json(env, "security", "group", "create", group)
    try:
        osc(env, "server", "add", "security", "group", server["id"], group)
        shown = osc_json(env, "port", "show", port["id"])
        assert web["id"] in shown["security_group_ids"]
        listed = cloud.api("GET", f"/servers/{server['id']}/os-security-groups").json()
        assert group in {g["name"] for g in listed["security_groups"]}
        osc(env, "server", "remove", "security", "group", server["id"], group)
        again = osc(env, "server", "remove", "security", "group", server["id"], group, ok=False)
        assert again.returncode != 0 and "not associated" in again.stderr
    finally:
        osc(env, "port", "delete", port["id"])
        osc(env, "security", "group", "delete", group)
        osc(env, "network", "delete", net)
