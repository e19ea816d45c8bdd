"""The real openstack client drives the network service through the
catalog's `network` entry (openstacksdk's discovery of /network, then
/network/v2.0): networks, subnets, ports and security groups, created,
listed and deleted as a user would."""
from tests.functional.clients import osc, osc_json, unique_name


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
