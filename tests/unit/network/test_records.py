"""The network service's records through the conductor's endpoints
(eager RPC, SQLite): visibility, subnets' defaults, address allocation."""
import threading

import pytest

from stratus.common import exception
from stratus.conductor.db import networks as db
from stratus.conductor.db.session import transaction


def _network(api, ctxt, cidr="10.5.0.0/24", **values):
    net = api.net_create(ctxt, "network", dict({"name": "n1"}, **values))
    subnet = api.net_create(ctxt, "subnet", {"network_id": net["id"], "cidr": cidr})
    return net, subnet


def test_subnet_defaults_gateway_and_pool(api, demo):
    net, subnet = _network(api, demo, cidr="10.5.0.7/24")
    assert subnet["cidr"] == "10.5.0.0/24"
    assert subnet["gateway_ip"] == "10.5.0.1"
    assert subnet["allocation_pools"] == [{"start": "10.5.0.2", "end": "10.5.0.254"}]
    assert api.net_get(demo, "network", net["id"])["subnets"] == [subnet["id"]]


def test_overlapping_and_bad_cidr_are_400(api, demo):
    net, _subnet = _network(api, demo)
    for cidr in ("10.5.0.128/25", "10.5.300.0/24"):
        with pytest.raises(exception.Invalid):
            api.net_create(demo, "subnet", {"network_id": net["id"], "cidr": cidr})


def test_ports_get_distinct_addresses_and_macs(api, demo):
    net, subnet = _network(api, demo)
    ports = [api.net_create(demo, "port", {"network_id": net["id"]}) for _ in range(3)]
    addresses = [p["fixed_ips"][0]["ip_address"] for p in ports]
    assert addresses == ["10.5.0.2", "10.5.0.3", "10.5.0.4"]
    assert len({p["mac_address"] for p in ports}) == 3
    assert all(p["mac_address"].startswith("fa:16:3e:") for p in ports)
    assert all(p["fixed_ips"][0]["subnet_id"] == subnet["id"] for p in ports)


def test_fixed_ip_taken_or_outside_subnet(api, demo):
    net, _subnet = _network(api, demo)
    api.net_create(demo, "port", {"network_id": net["id"],
                                  "fixed_ips": [{"ip_address": "10.5.0.9"}]})
    with pytest.raises(exception.IpAddressAlreadyAllocated):
        api.net_create(demo, "port", {"network_id": net["id"],
                                      "fixed_ips": [{"ip_address": "10.5.0.9"}]})
    with pytest.raises(exception.InvalidIpForSubnet):
        api.net_create(demo, "port", {"network_id": net["id"],
                                      "fixed_ips": [{"ip_address": "10.6.0.9"}]})


def test_full_subnet_is_409(api, demo):
    net, _subnet = _network(api, demo, cidr="10.5.0.0/30")  # one address: .2
    api.net_create(demo, "port", {"network_id": net["id"]})
    with pytest.raises(exception.IpAddressGenerationFailure):
        api.net_create(demo, "port", {"network_id": net["id"]})


def test_deleted_port_gives_its_address_back(api, demo):
    net, _subnet = _network(api, demo, cidr="10.5.0.0/30")
    port = api.net_create(demo, "port", {"network_id": net["id"]})
    api.net_delete(demo, "port", port["id"])
    again = api.net_create(demo, "port", {"network_id": net["id"]})
    assert again["fixed_ips"][0]["ip_address"] == "10.5.0.2"


def test_network_in_use_cannot_be_deleted(api, demo):
    net, subnet = _network(api, demo)
    port = api.net_create(demo, "port", {"network_id": net["id"]})
    with pytest.raises(exception.NetworkInUse):
        api.net_delete(demo, "network", net["id"])
    with pytest.raises(exception.SubnetInUse):
        api.net_delete(demo, "subnet", subnet["id"])
    api.net_delete(demo, "port", port["id"])
    api.net_delete(demo, "network", net["id"])
    with pytest.raises(exception.SubnetNotFound):
        api.net_get(demo, "subnet", subnet["id"])


def test_projects_see_their_own_and_shared(api, demo, other, ctxt):
    mine, _ = _network(api, demo)
    shared, _ = _network(api, ctxt, cidr="10.9.0.0/24", shared=True)
    seen = {n["id"] for n in api.net_list(other, "network")}
    assert seen == {shared["id"]}
    with pytest.raises(exception.NetworkNotFound):
        api.net_get(other, "network", mine["id"])
    with pytest.raises(exception.NetworkNotFound):  # seen, not owned
        api.net_update(other, "network", shared["id"], {"name": "x"})
    port = api.net_create(other, "port", {"network_id": shared["id"]})
    assert port["project_id"] == "p-other"
    assert {n["id"] for n in api.net_list(ctxt, "network")} == {mine["id"], shared["id"]}


def test_default_security_group_made_once_and_joined(api, demo):
    net, _subnet = _network(api, demo)
    port = api.net_create(demo, "port", {"network_id": net["id"]})
    groups = api.net_list(demo, "security_group")
    assert [g["name"] for g in groups] == ["default"]
    assert port["security_groups"] == [groups[0]["id"]]
    assert {r["direction"] for r in groups[0]["security_group_rules"]} == {"ingress", "egress"}
    with pytest.raises(exception.SecurityGroupInUse):
        api.net_delete(demo, "security_group", groups[0]["id"])


def test_rule_twice_is_409(api, demo):
    group = api.net_create(demo, "security_group", {"name": "web"})
    rule = {"security_group_id": group["id"], "direction": "ingress", "protocol": "tcp",
            "port_range_min": 80, "port_range_max": 80}
    api.net_create(demo, "security_group_rule", rule)
    with pytest.raises(exception.Conflict):
        api.net_create(demo, "security_group_rule", rule)


def test_concurrent_allocations_never_share_an_address(api, demo):
    """Threads allocating at once each hold a distinct address (the
    primary key of ip_allocations decides; a loser moves on)."""
    net, subnet = _network(api, demo, cidr="10.5.0.0/28")  # .2 to .14: 13
    got, errors = [], []

    def allocate():
        try:
            with transaction() as session:
                row = db.port_create(session, {"network_id": net["id"], "project_id": "p-demo",
                                               "security_groups": []})
                got.append(db.fixed_ips(session, row.id)[0]["ip_address"])
        except exception.StratusException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=allocate) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(got) == len(set(got)) == 13
    assert len(errors) == 3 and all(isinstance(e, exception.IpAddressGenerationFailure)
                                    for e in errors)


@pytest.fixture
def statements():
    """The SQL statements run while the test counts them (a list to clear)."""
    from sqlalchemy import event

    from stratus.conductor.db.session import get_engine

    seen = []

    def count(conn, cursor, statement, *_args):
        seen.append(statement)

    event.listen(get_engine(), "before_cursor_execute", count)
    yield seen
    event.remove(get_engine(), "before_cursor_execute", count)


@pytest.mark.parametrize("kind", ["network", "port", "security_group"])
def test_a_list_costs_the_same_queries_for_one_record_or_many(api, demo, statements, kind):
    """Views of a list are built with one query per kind of related record
    (subnets, addresses, rules), not one per record."""
    def listed():
        statements.clear()
        api.net_list(demo, kind)
        return len(statements)

    net, _subnet = _network(api, demo)
    api.net_create(demo, "port", {"network_id": net["id"]})
    api.net_create(demo, "security_group", {"name": "g1"})
    few = listed()
    for index in range(5):
        other, _ = _network(api, demo, cidr=f"10.6.{index}.0/24")
        api.net_create(demo, "port", {"network_id": other["id"]})
        api.net_create(demo, "security_group", {"name": f"g{index + 2}"})
    assert len(api.net_list(demo, kind)) >= 6
    assert listed() == few


def test_a_second_allocation_keeps_the_ports_and_none_asked_makes_none(api, demo):
    """A reschedule finds the ports its first host got (bound to the new
    host now); a server asking for no network gets none."""
    import types

    from stratus.conductor.db import instance_ports

    net, _subnet = _network(api, demo)

    def server(uuid_):
        return types.SimpleNamespace(uuid=uuid_, project_id=demo.project_id,
                                     availability_zone=None, network_info=[])

    with transaction() as session:
        first = instance_ports.allocate(session, server("i-1"), [{"network_id": net["id"]}],
                                        "h1")
    with transaction() as session:
        again = instance_ports.allocate(session, server("i-1"), [{"network_id": net["id"]}],
                                        "h2")
        assert instance_ports.allocate(session, server("i-2"), [], "h1") == []
    with transaction() as session:
        assert [p.binding_host_id for p in db.ports_of_device(session, "i-1")] == ["h2"]
        assert not db.device_has_ports(session, "i-2")
    assert again == first and len(first) == 1


def test_a_first_placement_takes_no_port_that_names_the_server(api, demo):
    """A build never placed owns no port yet: a port that names it as its
    device (set by its owner through the ports API) is not bound to it
    as a reschedule's ports are."""
    import types

    from stratus.conductor.db import instance_ports

    net, _subnet = _network(api, demo)
    api.net_create(demo, "port", {"network_id": net["id"], "device_id": "i-9"})
    server = types.SimpleNamespace(uuid="i-9", project_id=demo.project_id,
                                   availability_zone=None, network_info=[])
    with transaction() as session:
        assert instance_ports.allocate(session, server, [], "h1", placed_before=False) == []
        assert [p.binding_host_id for p in db.ports_of_device(session, "i-9")] == [""]
        assert len(instance_ports.allocate(session, server, [], "h2")) == 1
        assert [p.binding_host_id for p in db.ports_of_device(session, "i-9")] == ["h2"]
