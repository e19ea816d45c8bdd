"""SchedulerManager against a fake conductor that claims honestly."""
import pytest

from stratus.common import exception
from stratus.scheduler.manager import SchedulerManager

from tests.unit.scheduler.conftest import FakeConductor, make_flavor, make_node, make_request


def _schedule(conductor, uuids=("i1",), **request):
    manager = SchedulerManager(conductor_api=conductor)
    return manager.select_destinations(None, make_request(**request), list(uuids))


def _hosts(selections):
    return [(s.host, s.claimed) for s in selections]


def test_claims_the_best_host_and_offers_the_rest_as_alternates():
    conductor = FakeConductor([make_node(1, memory_mb_used=4096), make_node(2),
                               make_node(3, memory_mb_used=2048)])
    [selections] = _schedule(conductor)
    assert _hosts(selections) == [("node2", True), ("node3", False), ("node1", False)]
    assert selections[0].compute_node_id == 2 and selections[0].nodename == "node2.local"
    assert conductor.claims == {("i1", 2): (1, 1024, 10)}
    assert conductor.reads == 1


@pytest.mark.parametrize("max_attempts, alternates", [(1, 0), (2, 1), (3, 2), (10, 4)])
def test_alternates_are_at_most_max_attempts_minus_one(settings, max_attempts, alternates):
    settings(max_attempts=max_attempts)
    [selections] = _schedule(FakeConductor([make_node(i) for i in range(1, 6)]))
    assert len(selections) == 1 + alternates


def test_no_alternates_when_not_asked():
    manager = SchedulerManager(conductor_api=FakeConductor([make_node(1), make_node(2)]))
    [selections] = manager.select_destinations(None, make_request(), ["i1"],
                                               return_alternates=False)
    assert _hosts(selections) == [("node1", True)]


def test_a_refused_claim_falls_through_to_the_next_host():
    conductor = FakeConductor([make_node(1), make_node(2, memory_mb_used=1024)])
    # Another scheduler fills node1 between our read and our claim.
    conductor.after_read = lambda c: c.take(1, memory_mb=8192)
    [selections] = _schedule(conductor)
    assert _hosts(selections) == [("node2", True)]
    assert conductor.claim_attempts == [("i1", 1), ("i1", 2)]


def test_instances_of_one_request_see_each_others_claims():
    # Each host has room for one 4 GB instance only.
    conductor = FakeConductor([make_node(1, memory_mb=4096), make_node(2, memory_mb=4096)])
    first, second = _schedule(conductor, ["i1", "i2"], flavor=make_flavor(memory_mb=4096))
    assert _hosts(first) == [("node1", True), ("node2", False)]
    assert _hosts(second) == [("node2", True)]
    assert conductor.claim_attempts == [("i1", 1), ("i2", 2)]
    assert conductor.reads == 1


def test_spread_and_pack(settings):
    def first_hosts():
        conductor = FakeConductor([make_node(1), make_node(2)])
        return [s[0].host for s in _schedule(conductor, ["i1", "i2"])]

    assert first_hosts() == ["node1", "node2"]
    settings(ram_weight_multiplier=-1.0, cpu_weight_multiplier=-1.0,
             disk_weight_multiplier=-1.0)
    assert first_hosts() == ["node1", "node1"]


def test_no_valid_host_names_each_filter_and_its_numbers():
    conductor = FakeConductor([make_node(1, memory_mb=2048), make_node(2, memory_mb=1024),
                               make_node(3, service_up=False)])
    with pytest.raises(exception.NoValidHost) as caught:
        _schedule(conductor, flavor=make_flavor(memory_mb=4096))
    assert str(caught.value) == (
        "No valid host was found. 0 of 3 hosts: ComputeFilter removed 1 (down: node3); "
        "RamFilter removed 2 (needs 4096 MB, most free 2048 MB)")


def test_no_valid_host_says_when_claims_were_lost():
    conductor = FakeConductor([make_node(1), make_node(2), make_node(3, service_disabled=True)])
    conductor.after_read = lambda c: [c.take(i, vcpus=8) for i in (1, 2)]
    with pytest.raises(exception.NoValidHost) as caught:
        _schedule(conductor)
    assert caught.value.kwargs["reason"] == (
        "0 of 3 hosts: ComputeFilter removed 1 (disabled: node3); "
        "claims failed on 2 hosts (taken by concurrent requests)")


def test_no_valid_host_without_any_compute_node():
    with pytest.raises(exception.NoValidHost, match="0 of 0 hosts: no compute nodes"):
        _schedule(FakeConductor([]))


def test_a_failed_request_releases_the_claims_it_made():
    conductor = FakeConductor([make_node(1, memory_mb=4096)])
    with pytest.raises(exception.NoValidHost) as caught:
        _schedule(conductor, ["i1", "i2"], flavor=make_flavor(memory_mb=4096))
    assert caught.value.kwargs["reason"] == (
        "0 of 1 host: RamFilter removed 1 (needs 4096 MB, most free 0 MB) "
        "(instance 2 of 2; the claims of the 1 placed before it were released)")
    assert conductor.claims == {}
    assert conductor.nodes[1].memory_mb_used == 0


def test_zone_and_forced_hosts_reach_the_filters():
    conductor = FakeConductor([make_node(1), make_node(2, availability_zone="az1"),
                               make_node(3, availability_zone="az1")])
    [zoned] = _schedule(conductor, availability_zone="az1")
    assert {s.host for s in zoned} == {"node2", "node3"}
    [forced] = _schedule(conductor, ["i2"], force_hosts=["node3"])
    assert _hosts(forced) == [("node3", True)]
    [ignored] = _schedule(conductor, ["i3"], ignore_hosts=["node1", "node2"])
    assert _hosts(ignored) == [("node3", True)]


def test_host_states_are_cached_between_requests_and_claims_consumed_into_them():
    conductor = FakeConductor([make_node(1, memory_mb=4096), make_node(2, memory_mb=4096)])
    manager = SchedulerManager(conductor_api=conductor)
    hosts = [manager.select_destinations(None, make_request(), [f"i{n}"])[0][0].host
             for n in range(4)]
    assert conductor.reads == 1
    # Each request saw the previous claims: spread over both hosts.
    assert sorted(hosts) == ["node1", "node1", "node2", "node2"]


def test_a_request_failing_on_cached_states_retries_on_fresh_ones():
    conductor = FakeConductor([make_node(1, memory_mb=1024)])
    manager = SchedulerManager(conductor_api=conductor)
    manager.select_destinations(None, make_request(), ["i1"])
    conductor.nodes[1].memory_mb = 2048  # the host grew; the cache does not know
    [selections] = manager.select_destinations(None, make_request(), ["i2"])
    assert selections[0].host == "node1" and conductor.reads == 2


def test_no_valid_host_is_reported_on_fresh_numbers():
    conductor = FakeConductor([make_node(1, memory_mb=1024)])
    manager = SchedulerManager(conductor_api=conductor)
    manager.select_destinations(None, make_request(), ["i1"])
    with pytest.raises(exception.NoValidHost, match="most free 0 MB"):
        manager.select_destinations(None, make_request(), ["i2"])
    assert conductor.reads == 2


def test_a_zero_ttl_reads_every_request(settings):
    settings(scheduler_host_state_ttl=0)
    conductor = FakeConductor([make_node(1), make_node(2)])
    manager = SchedulerManager(conductor_api=conductor)
    for n in range(3):
        manager.select_destinations(None, make_request(), [f"i{n}"])
    assert conductor.reads == 3


def test_select_hosts_chooses_as_select_destinations_but_claims_nothing():
    conductor = FakeConductor([make_node(1, memory_mb_used=4096), make_node(2),
                               make_node(3, memory_mb_used=2048)])
    manager = SchedulerManager(conductor_api=conductor)
    [selections] = manager.select_hosts(None, make_request(), ["i1"])
    assert _hosts(selections) == [("node2", False), ("node3", False), ("node1", False)]
    assert conductor.claims == {} and conductor.claim_attempts == []


def test_select_hosts_takes_the_chosen_room_from_its_host_states():
    # Each host has room for one 4 GB instance: the second request, on the
    # same cached states, is sent to the other host.
    conductor = FakeConductor([make_node(1, memory_mb=4096), make_node(2, memory_mb=4096)])
    manager = SchedulerManager(conductor_api=conductor)
    request = make_request(flavor=make_flavor(memory_mb=4096))
    [first] = manager.select_hosts(None, request, ["i1"])
    [second] = manager.select_hosts(None, request, ["i2"])
    assert [first[0].host, second[0].host] == ["node1", "node2"]
    assert conductor.reads == 1


def test_select_hosts_reads_the_host_states_afresh_when_asked(settings):
    settings(scheduler_host_state_ttl=60)
    conductor = FakeConductor([make_node(1), make_node(2)])
    manager = SchedulerManager(conductor_api=conductor)
    manager.select_hosts(None, make_request(), ["i1"])
    manager.select_hosts(None, make_request(), ["i2"])
    assert conductor.reads == 1
    manager.select_hosts(None, make_request(), ["i3"], refresh=True)
    assert conductor.reads == 2


def test_select_hosts_without_room_is_no_valid_host_and_releases_nothing():
    conductor = FakeConductor([make_node(1, memory_mb=512)])
    manager = SchedulerManager(conductor_api=conductor)
    with pytest.raises(exception.NoValidHost) as raised:
        manager.select_hosts(None, make_request(), ["i1", "i2"])
    assert "were released" not in raised.value.message
    assert conductor.claim_attempts == []
