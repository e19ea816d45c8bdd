"""The real RPC path in local mode: SchedulerAPI -> task -> manager."""
import pytest

from stratus.common import exception
from stratus.common.celeryapp import app, load_roles
from stratus.common.context import RequestContext
from stratus.common.objects import Selection
from stratus.scheduler import tasks
from stratus.scheduler.rpcapi import SchedulerAPI

from tests.unit.scheduler.conftest import FakeConductor, make_flavor, make_node, make_request


@pytest.fixture
def fake_conductor(monkeypatch):
    # Only the scheduler's tasks: the test needs no other role to exist.
    load_roles("scheduler")
    conductor = FakeConductor([make_node(1), make_node(2, memory_mb_used=2048)])
    monkeypatch.setattr(tasks.manager_for(None), "conductor_api", conductor)
    return conductor


def test_select_destinations_over_rpc(fake_conductor):
    assert "scheduler.select_destinations" in app.tasks
    ctxt = RequestContext(user_id="u1", project_id="p1")
    [selections] = SchedulerAPI().select_destinations(ctxt, make_request(), ["i1"])
    assert selections == [Selection(host="node1", nodename="node1.local", compute_node_id=1,
                                    claimed=True),
                          Selection(host="node2", nodename="node2.local", compute_node_id=2)]
    assert fake_conductor.claims == {("i1", 1): (1, 1024, 10)}


def test_no_valid_host_crosses_rpc_with_its_reason(fake_conductor):
    ctxt = RequestContext(user_id="u1", project_id="p1")
    with pytest.raises(exception.NoValidHost, match="RamFilter removed 2"):
        SchedulerAPI().select_destinations(ctxt, make_request(make_flavor(memory_mb=9000)), ["i1"])
