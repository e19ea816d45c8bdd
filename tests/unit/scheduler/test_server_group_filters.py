"""Server group filters and weighers on hand-built hosts, and the
scheduler when the conductor's claim refuses a host for the group."""
import pytest

from stratus.common import exception
from stratus.scheduler import filters, weighers
from stratus.scheduler.manager import SchedulerManager
from stratus.scheduler.weighers import weigh_hosts

from tests.unit.scheduler.conftest import FakeConductor, make_host, make_node, make_request, make_spec

GROUP = "6a1d3b8e-0000-4000-8000-000000000001"


def group(policy, hosts=None, **rules):
    return {"uuid": GROUP, "policy": policy, "rules": rules, "hosts": hosts or {}}


def _passing(host_filter, hosts, spec):
    return [h.host for h in hosts if host_filter.host_passes(h, spec)]


def test_anti_affinity_removes_hosts_holding_a_member():
    hosts = [make_host(1), make_host(2), make_host(3)]
    spec = make_spec(group=group("anti-affinity", {"node1": 1, "node2": 1}))
    f = filters.ServerGroupAntiAffinityFilter()
    assert _passing(f, hosts, spec) == ["node3"]
    assert f.explain(hosts[:2], spec) == (
        f"node1, node2 already hold a member of anti-affinity group {GROUP}")
    assert f.explain(hosts[:1], spec) == (
        f"node1 already holds a member of anti-affinity group {GROUP}")


def test_anti_affinity_max_server_per_host():
    hosts = [make_host(1), make_host(2)]
    spec = make_spec(group=group("anti-affinity", {"node1": 2, "node2": 1},
                                 max_server_per_host=2))
    f = filters.ServerGroupAntiAffinityFilter()
    assert _passing(f, hosts, spec) == ["node2"]
    assert f.explain(hosts[:1], spec) == (
        f"node1 already holds 2 members of anti-affinity group {GROUP}")


def test_affinity_keeps_the_members_host_once_there_is_one():
    hosts = [make_host(1), make_host(2)]
    f = filters.ServerGroupAffinityFilter()
    assert _passing(f, hosts, make_spec(group=group("affinity"))) == ["node1", "node2"]
    spec = make_spec(group=group("affinity", {"node2": 1}))
    assert _passing(f, hosts, spec) == ["node2"]
    assert f.explain(hosts[:1], spec) == f"node1: affinity group {GROUP} has its members on node2"


@pytest.mark.parametrize("policy", ["soft-affinity", "soft-anti-affinity", "affinity"])
def test_each_filter_ignores_the_other_policies(policy):
    hosts = [make_host(1), make_host(2)]
    spec = make_spec(group=group(policy, {"node1": 1}))
    assert _passing(filters.ServerGroupAntiAffinityFilter(), hosts, spec) == ["node1", "node2"]
    if policy != "affinity":
        assert _passing(filters.ServerGroupAffinityFilter(), hosts, spec) == ["node1", "node2"]
    assert _passing(filters.ServerGroupAffinityFilter(), hosts, make_spec()) == ["node1", "node2"]


def test_group_filters_are_enabled_by_default():
    assert {"ServerGroupAntiAffinityFilter", "ServerGroupAffinityFilter"} <= set(
        filters.DEFAULT_FILTERS)
    assert {"ServerGroupSoftAffinityWeigher", "ServerGroupSoftAntiAffinityWeigher"} <= set(
        weighers.DEFAULT_WEIGHERS)


def _order(spec, hosts):
    return [h.host for _, h in weigh_hosts(weighers.get_weighers(), hosts, spec)]


def test_soft_affinity_outweighs_the_spread_by_default():
    # node1 is fuller (it holds the member) and would lose on free resources.
    hosts = [make_host(1, memory_mb_used=2048, vcpus_used=2), make_host(2)]
    assert _order(make_spec(), hosts) == ["node2", "node1"]
    assert _order(make_spec(group=group("soft-affinity", {"node1": 1})), hosts) == [
        "node1", "node2"]


def test_soft_anti_affinity_prefers_hosts_with_fewer_members():
    # node2 is emptier but holds two members; node1 one.
    hosts = [make_host(1, memory_mb_used=2048), make_host(2), make_host(3, memory_mb_used=4096)]
    spec = make_spec(group=group("soft-anti-affinity", {"node1": 1, "node2": 2}))
    assert _order(spec, hosts) == ["node3", "node1", "node2"]


def test_soft_multipliers_come_from_the_settings(settings):
    settings(soft_affinity_weight_multiplier=0)
    hosts = [make_host(1, memory_mb_used=2048), make_host(2)]
    assert _order(make_spec(group=group("soft-affinity", {"node1": 1})), hosts) == [
        "node2", "node1"]


class GroupConductor(FakeConductor):
    """Claims as the real conductor does for a group: a claim carrying an
    anti-affinity group is refused on a host already holding a member,
    even one placed after the scheduler read its snapshot."""

    def __init__(self, nodes, placed=()):
        super().__init__(nodes)
        self.members_on = {host: 1 for host in placed}
        self.groups_seen = []

    def claim_resources(self, ctxt, instance_uuid, compute_node_id, vcpus, memory_mb, disk_gb,
                        group=None):
        self.groups_seen.append(group)
        host = self.nodes[compute_node_id].host
        if group and self.members_on.get(host):
            self.claim_attempts.append((instance_uuid, compute_node_id))
            raise exception.GroupAffinityViolation(f"anti-affinity group {group} on {host}")
        claimed = super().claim_resources(ctxt, instance_uuid, compute_node_id, vcpus,
                                          memory_mb, disk_gb)
        if claimed and group:
            self.members_on[host] = 1
        return claimed


def test_a_claim_refused_for_the_group_goes_to_the_next_host():
    # The snapshot shows no member anywhere; a concurrent build put one on node1.
    conductor = GroupConductor([make_node(1), make_node(2, memory_mb_used=1024)],
                               placed=["node1"])
    manager = SchedulerManager(conductor_api=conductor)
    [selections] = manager.select_destinations(
        None, make_request(group=group("anti-affinity")), ["i1"])
    assert selections[0].host == "node2"
    assert conductor.claim_attempts == [("i1", 1), ("i1", 2)]
    assert conductor.groups_seen == [GROUP, GROUP]


def test_no_valid_host_names_the_group_that_refused_the_claims():
    conductor = GroupConductor([make_node(1), make_node(2)], placed=["node1", "node2"])
    manager = SchedulerManager(conductor_api=conductor)
    with pytest.raises(exception.NoValidHost) as caught:
        manager.select_destinations(None, make_request(group=group("anti-affinity")), ["i1"])
    assert str(caught.value) == (
        "No valid host was found. 0 of 2 hosts: claims refused on node1, node2 by "
        f"anti-affinity group {GROUP} (members placed concurrently)")


def test_the_group_is_named_once_when_a_filter_and_a_claim_refuse():
    conductor = GroupConductor([make_node(1), make_node(2)], placed=["node2"])
    manager = SchedulerManager(conductor_api=conductor)
    spec = make_request(group=group("anti-affinity", {"node1": 1}))
    with pytest.raises(exception.NoValidHost) as caught:
        manager.select_destinations(None, spec, ["i1"])
    assert str(caught.value) == (
        "No valid host was found. 0 of 2 hosts: ServerGroupAntiAffinityFilter removed 1 "
        f"(node1 already holds a member of anti-affinity group {GROUP}); claims refused on "
        "node2 by the same group (members placed concurrently)")
    assert len(str(caught.value)) <= 255  # a fault's message keeps it whole


def test_instances_of_one_request_keep_apart():
    conductor = GroupConductor([make_node(1), make_node(2)])
    manager = SchedulerManager(conductor_api=conductor)
    with pytest.raises(exception.NoValidHost) as caught:
        manager.select_destinations(None, make_request(group=group("anti-affinity")),
                                    ["i1", "i2", "i3"])
    assert (f"ServerGroupAntiAffinityFilter removed 2 (node1, node2 already hold a member of "
            f"anti-affinity group {GROUP})") in str(caught.value)
    assert conductor.claims == {}  # the request failed as a whole


def test_soft_and_groupless_claims_carry_no_group():
    conductor = GroupConductor([make_node(1)])
    manager = SchedulerManager(conductor_api=conductor)
    manager.select_destinations(None, make_request(group=group("soft-anti-affinity")), ["i1"])
    manager.select_destinations(None, make_request(), ["i2"])
    assert conductor.groups_seen == [None, None]
