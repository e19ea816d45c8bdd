"""A decision looks at a bounded window of the best ranked hosts, not at
every host, and still gives the full pass's answers where they matter."""
import pytest

from stratus.common import exception
from stratus.scheduler.filters import filter_hosts, get_filters
from stratus.scheduler.filters.base import BaseHostFilter
from stratus.scheduler.host_state import HostState
from stratus.scheduler.manager import SchedulerManager, no_valid_host_reason

from tests.unit.scheduler.conftest import FakeConductor, make_flavor, make_node, make_request, \
    make_spec


class Counting(BaseHostFilter):
    """Passes every host; counts how many it was asked about."""

    def __init__(self):
        self.asked = 0

    def host_passes(self, host_state, spec):
        self.asked += 1
        return True


@pytest.fixture
def window(settings):
    settings(scheduler_max_candidates=4, max_attempts=3)


def _manager(nodes, counting=None):
    filters = get_filters() + ([counting] if counting else [])
    return SchedulerManager(conductor_api=FakeConductor(nodes), filters=filters)


def test_a_decision_filters_a_window_of_hosts_not_every_host(window):
    counting = Counting()
    manager = _manager([make_node(i) for i in range(1, 201)], counting)
    [selections] = manager.select_destinations(None, make_request(), ["i1"])
    assert counting.asked == 4
    assert len(selections) == 3 and selections[0].claimed


def test_consumed_hosts_rank_lower_so_requests_spread_over_every_host(window):
    manager = _manager([make_node(i) for i in range(1, 31)])
    hosts = [manager.select_destinations(None, make_request(), [f"i{n}"])[0][0].host
             for n in range(30)]
    assert len(set(hosts)) == 30


def test_the_best_host_is_chosen_wherever_it_ranks_by_name(window):
    nodes = [make_node(i, memory_mb_used=2048) for i in range(1, 100)] + [make_node(100)]
    [selections] = _manager(nodes).select_destinations(None, make_request(), ["i1"])
    assert selections[0].host == "node100"


def test_no_valid_host_gives_the_full_pass_reason(window):
    nodes = [make_node(i, memory_mb=1024) for i in range(1, 60)] + [
        make_node(60, memory_mb=1024, service_up=False)]
    spec = make_spec(make_flavor(memory_mb=2048))
    _, removals = filter_hosts([HostState(n) for n in nodes], spec, get_filters())
    with pytest.raises(exception.NoValidHost) as caught:
        _manager(nodes).select_destinations(
            None, make_request(make_flavor(memory_mb=2048)), ["i1"])
    assert caught.value.kwargs["reason"] == no_valid_host_reason(60, removals, 0)
    assert "RamFilter removed 59" in caught.value.kwargs["reason"]


def test_forced_and_same_hosts_are_found_beyond_the_window(window):
    nodes = [make_node(i) for i in range(1, 100)] + [make_node(100, memory_mb_used=4096)]
    manager = _manager(nodes)
    [forced] = manager.select_destinations(None, make_request(force_hosts=["NODE100"]), ["i1"])
    assert [s.host for s in forced] == ["node100"]
    [same] = manager.select_destinations(None, make_request(same_host=["node100"]), ["i2"])
    assert same[0].host == "node100"


def test_claims_lost_to_another_scheduler_walk_on_past_the_window(window):
    nodes = [make_node(i, vcpus=1) for i in range(1, 11)] + [make_node(11, vcpus=1,
                                                                       memory_mb_used=4096)]
    conductor = FakeConductor(nodes)

    def take_the_best_ten(fake):
        for node_id in range(1, 11):
            fake.take(node_id, vcpus=1)

    conductor.after_read = take_the_best_ten
    manager = SchedulerManager(conductor_api=conductor)
    [selections] = manager.select_destinations(None, make_request(), ["i1"])
    assert selections[0].host == "node11"
    assert len(conductor.claim_attempts) == 11


def test_a_soft_affinity_members_host_is_weighed_wherever_it_ranks(window):
    nodes = [make_node(i) for i in range(1, 50)] + [make_node(50, memory_mb_used=2048)]
    group = {"uuid": "g1", "policy": "soft-affinity", "rules": {}, "hosts": {"node50": 1}}
    [selections] = _manager(nodes).select_destinations(None, make_request(group=group), ["i1"])
    assert selections[0].host == "node50"
