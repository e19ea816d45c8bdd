"""compute_node_states (1.10): the scheduler's compact read, in full and
then only what changed since the previous one."""
import datetime

import pytest

from stratus import config
from stratus.conductor.db import node_states
from stratus.conductor.rpcapi import ConductorAPI
from stratus.scheduler.manager import SchedulerManager


@pytest.fixture
def no_overlap(monkeypatch):
    """Look back nothing before the previous read, so that what a test
    changes after a read is all a changed-since read brings."""
    monkeypatch.setattr(node_states, "OVERLAP", datetime.timedelta(0))


@pytest.fixture
def cap(monkeypatch):
    """cap("1.x"): the conductor's upgrade level, for stubs made after."""
    def set_cap(version):
        monkeypatch.setenv("STRATUS_CONDUCTOR_RPC_VERSION_CAP", version)
        config.reset_settings()

    yield set_cap
    monkeypatch.undo()
    config.reset_settings()


def _node(api, ctxt, host, **resources):
    api.service_update(ctxt, host, "nova-compute", f"compute.{host}")
    return api.compute_node_update(ctxt, host, host, {
        "vcpus": 8, "memory_mb": 8192, "local_gb": 80, "hypervisor_type": "TEST",
        "hypervisor_version": 1, **resources})


def _rows(answer):
    return {values[0]: dict(zip(answer["columns"], values)) for values in answer["nodes"]}


def test_a_full_read_says_what_compute_node_get_all_says(api, ctxt):
    _node(api, ctxt, "ha", reserved_host_memory_mb=512, reserved_host_disk_mb=1500)
    _node(api, ctxt, "hb")
    aggregate = api.aggregate_create(ctxt, "agg", availability_zone="az1")
    api.aggregate_add_host(ctxt, aggregate.id, "hb")
    api.aggregate_set_metadata(ctxt, aggregate.id, {"ssd": "true"})
    answer = api.compute_node_states(ctxt)
    rows = _rows(answer)
    for node in api.compute_node_get_all(ctxt):
        row = rows[node.id]
        for column in answer["columns"]:
            assert row[column] == getattr(node, column), column
        zone = answer["aggregates"]["zones"].get(node.host, dict(answer["zones"])[node.service_id])
        assert zone == node.availability_zone
        assert answer["aggregates"]["metadata"].get(node.host, {}) == node.aggregate_metadata
    assert answer["gone"] == [] and answer["unavailable"] == []


def test_a_later_read_brings_only_what_changed(api, ctxt, no_overlap):
    a, b = _node(api, ctxt, "ha"), _node(api, ctxt, "hb")
    first = api.compute_node_states(ctxt)
    assert len(first["nodes"]) == 2
    quiet = api.compute_node_states(ctxt, since=first["now"])
    assert quiet["nodes"] == [] and quiet["gone"] == [] and quiet["aggregates"] is None

    assert api.claim_resources(ctxt, "i1", a.id, 2, 1024, 10)
    claimed = api.compute_node_states(ctxt, since=quiet["now"])
    assert _rows(claimed)[a.id]["vcpus_used"] == 2 and list(_rows(claimed)) == [a.id]

    api.release_resources(ctxt, "i1")
    released = api.compute_node_states(ctxt, since=claimed["now"])
    assert _rows(released)[a.id]["vcpus_used"] == 0

    _node(api, ctxt, "hb", vcpus=16)  # the compute's resource update
    grown = api.compute_node_states(ctxt, since=released["now"])
    assert list(_rows(grown)) == [b.id] and _rows(grown)[b.id]["vcpus"] == 16


def test_services_down_or_disabled_zones_and_deletions_are_seen(api, ctxt, no_overlap):
    a, b = _node(api, ctxt, "ha"), _node(api, ctxt, "hb")
    first = api.compute_node_states(ctxt)
    [service_b] = [s for s in api.service_get_all(ctxt, "nova-compute") if s.host == "hb"]
    api.service_save(ctxt, service_b.id, {"disabled": True})
    disabled = api.compute_node_states(ctxt, since=first["now"])
    assert disabled["unavailable"] == [[service_b.id, True, True]] and disabled["nodes"] == []

    aggregate = api.aggregate_create(ctxt, "agg", availability_zone="az1")
    api.aggregate_add_host(ctxt, aggregate.id, "ha")
    zoned = api.compute_node_states(ctxt, since=disabled["now"])
    assert zoned["aggregates"]["zones"] == {"ha": "az1"}

    api.service_update(ctxt, "hb", "nova-compute", "compute.hb", availability_zone="az2")
    moved = api.compute_node_states(ctxt, since=zoned["now"])
    assert list(_rows(moved)) == [b.id] and moved["zones"] == [[service_b.id, "az2"]]

    api.service_delete(ctxt, service_b.id)
    deleted = api.compute_node_states(ctxt, since=moved["now"])
    assert deleted["gone"] == [b.id]
    assert a.id not in deleted["gone"]


def test_a_scheduler_sees_claims_made_elsewhere_at_its_next_read(api, ctxt, no_overlap):
    """Two schedulers over one database: each one's cache, read again,
    holds what the database holds, whoever claimed."""
    for host in ("ha", "hb", "hc"):
        _node(api, ctxt, host)
    ours, theirs = SchedulerManager(conductor_api=api), SchedulerManager(conductor_api=api)
    flavor = api.flavor_create(ctxt, {"name": "tiny", "vcpus": 1, "memory_mb": 64,
                                      "root_gb": 1})
    spec = {"flavor": flavor, "project_id": ctxt.project_id, "num_instances": 1}
    ours.host_states.get(ctxt, api)
    for n in range(5):
        theirs.select_destinations(ctxt, spec, [f"i{n}"])
    states, _ = ours.host_states.get(ctxt, api, refresh=True)
    for node in api.compute_node_get_all(ctxt):
        cached = states.by_id[node.id].node
        assert (cached.vcpus_used, cached.memory_mb_used, cached.running_vms) == (
            node.vcpus_used, node.memory_mb_used, node.running_vms)
    assert sum(state.node.running_vms for state in states) == 5


def test_capped_below_1_10_the_scheduler_reads_every_node(api, ctxt, cap):
    _node(api, ctxt, "ha")
    cap("1.9")
    api = ConductorAPI()
    api.compute_node_states = None  # must not be called
    scheduler = SchedulerManager(conductor_api=api)
    states, _ = scheduler.host_states.get(ctxt, api)
    assert [state.host for state in states] == ["ha"]


def test_a_schedulers_cache_follows_services_and_aggregates(api, ctxt, no_overlap):
    a, b = _node(api, ctxt, "ha"), _node(api, ctxt, "hb")
    scheduler = SchedulerManager(conductor_api=api)
    scheduler.host_states.get(ctxt, api)
    [service_b] = [s for s in api.service_get_all(ctxt, "nova-compute") if s.host == "hb"]
    api.service_save(ctxt, service_b.id, {"disabled": True})
    aggregate = api.aggregate_create(ctxt, "agg", availability_zone="az1")
    api.aggregate_add_host(ctxt, aggregate.id, "ha")
    states, _ = scheduler.host_states.get(ctxt, api, refresh=True)
    expected = {node.id: node for node in api.compute_node_get_all(ctxt)}
    for node_id, state in states.by_id.items():
        node = expected[node_id]
        assert (state.service_up, state.service_disabled, state.availability_zone) == (
            node.service_up, node.service_disabled, node.availability_zone)
    assert states.by_id[b.id].service_disabled and states.by_id[a.id].availability_zone == "az1"
    api.service_save(ctxt, service_b.id, {"disabled": False})
    states, _ = scheduler.host_states.get(ctxt, api, refresh=True)
    assert not states.by_id[b.id].service_disabled


def test_a_claim_released_before_the_next_read_leaves_no_trace(api, ctxt):
    """The row read after the release equals the one read before the
    claim; the cache, which consumed the claim, must still take it."""
    a = _node(api, ctxt, "ha")
    scheduler = SchedulerManager(conductor_api=api)
    flavor = api.flavor_create(ctxt, {"name": "tiny", "vcpus": 1, "memory_mb": 64,
                                      "root_gb": 1})
    spec = {"flavor": flavor, "project_id": ctxt.project_id, "num_instances": 1}
    scheduler.host_states.get(ctxt, api, refresh=True)
    scheduler.select_destinations(ctxt, spec, ["i1"])
    api.release_resources(ctxt, "i1")
    states, _ = scheduler.host_states.get(ctxt, api, refresh=True)
    assert states.by_id[a.id].node.vcpus_used == 0
