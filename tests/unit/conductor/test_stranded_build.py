"""A build queued for a host that died before taking it, on the eager
stack: the reaper moves it to the alternate the scheduler chose with the
first host (the claims follow), or fails it when none is left; the dead
host's late message then does nothing."""
import datetime

import pytest
from sqlalchemy import update

from stratus import config
from stratus.common.context import get_admin_context
from stratus.common.vocabulary import TaskState, VmState
from stratus.compute import rpcapi as compute_rpcapi
from stratus.conductor.db.models import Instance, Service
from stratus.conductor.db.session import transaction
from stratus.conductor.manager import ComputeTaskManager
from stratus.conductor.reaper import Reaper
from stratus.conductor.rpcapi import ConductorAPI
from stratus.common.timeutils import utcnow
from tests.unit.compute import eager

HOSTS = ("d1", "d2")


@pytest.fixture
def cloud(db, roles, tmp_path, monkeypatch):
    """Two hosts; the first build message is held back, as if its host
    died before consuming it (every one while `cloud.hold_all`):
    `cloud.held` lists (host, kwargs)."""
    from stratus.compute import service

    monkeypatch.setenv("STRATUS_IMAGES_PATH", str(tmp_path / "images"))
    monkeypatch.setenv("STRATUS_INSTANCES_PATH", str(tmp_path / "instances"))
    monkeypatch.setenv("STRATUS_QUEUED_BUILD_TIMEOUT", "30")
    config.reset_settings()
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "img.raw").write_bytes(b"\0" * 512)
    reporters = service.start_compute(HOSTS, "test:///default", periodic=False)
    held = []
    send = compute_rpcapi.ComputeAPI.build_and_run_instance

    def hold_first(self, ctxt, host, instance, request_spec, alternates):
        if held and not Cloud.hold_all:
            return send(self, ctxt, host, instance, request_spec, alternates)
        held.append((host, dict(instance=instance, request_spec=request_spec,
                                alternates=alternates)))
    monkeypatch.setattr(compute_rpcapi.ComputeAPI, "build_and_run_instance", hold_first)

    class Cloud:
        managers = {r.manager.host: r.manager for r in reporters}
        hold_all = False

    Cloud.held = held
    yield Cloud
    service.stop_compute(reporters)
    monkeypatch.undo()
    config.reset_settings()


def _boot(ctxt):
    instance, _ = eager.boot(ctxt, availability_zone=None, ignore_hosts=[], force_hosts=[])
    return instance.uuid


def _age(uuid_, host, seconds=600):
    """The build was queued, and `host` last heard of, `seconds` ago."""
    past = utcnow() - datetime.timedelta(seconds=seconds)
    with transaction() as session:
        session.execute(update(Instance).where(Instance.uuid == uuid_).values(updated_at=past))
        session.execute(update(Service).where(Service.host == host)
                        .values(last_seen_up=past, updated_at=past))


def _usage(ctxt):
    return {n.host: n.vcpus_used for n in ConductorAPI().compute_node_get_all(ctxt)}


def _get(uuid_):
    return ConductorAPI().instance_get(get_admin_context(), uuid_)


def _reap():
    return Reaper(ComputeTaskManager().compute_api).run()


def test_a_build_queued_on_a_dead_host_moves_to_its_alternate(cloud, ctxt):
    uuid_ = _boot(ctxt)
    dead, message = cloud.held[0]
    alive = next(h for h in HOSTS if h != dead)
    assert [a.host for a in message["alternates"]] == [alive]
    assert _usage(ctxt) == {dead: 1, alive: 0}
    _age(uuid_, dead)
    assert _reap() == 1
    after = _get(uuid_)
    assert (after.vm_state, after.task_state, after.host) == (VmState.ACTIVE, None, alive)
    assert _usage(ctxt) == {dead: 0, alive: 1}  # the dead host's claim released
    assert set(cloud.managers[alive].driver.list_instance_uuids()) == {uuid_}


def test_the_dead_hosts_late_message_does_nothing(cloud, ctxt):
    uuid_ = _boot(ctxt)
    dead, message = cloud.held[0]
    alive = next(h for h in HOSTS if h != dead)
    _age(uuid_, dead)
    cloud.hold_all = True
    _reap()
    assert cloud.held[1][0] == alive  # sent, not consumed yet
    # The host comes back and consumes its old message before the alternate.
    cloud.managers[dead].builds.build_and_run_instance(ctxt, **message)
    after = _get(uuid_)
    assert (after.vm_state, after.task_state, after.host) == (
        VmState.BUILDING, TaskState.SCHEDULING, alive)
    assert cloud.managers[dead].driver.list_instance_uuids() == []
    cloud.managers[alive].builds.build_and_run_instance(ctxt, **cloud.held[1][1])
    assert (_get(uuid_).vm_state, _get(uuid_).host) == (VmState.ACTIVE, alive)
    assert _usage(ctxt) == {dead: 0, alive: 1}


def test_a_late_host_claiming_while_still_queued_on_it_wins(cloud, ctxt):
    # No reschedule happened yet: the host's claim is the ordinary build.
    uuid_ = _boot(ctxt)
    dead, message = cloud.held[0]
    cloud.managers[dead].builds.build_and_run_instance(ctxt, **message)
    _age(uuid_, dead)
    assert _reap() == 0  # no longer queued: nothing to move
    assert (_get(uuid_).vm_state, _get(uuid_).host) == (VmState.ACTIVE, dead)


def test_a_build_claimed_by_another_host_than_its_own_is_refused(cloud, ctxt):
    uuid_ = _boot(ctxt)
    dead, message = cloud.held[0]
    other = next(h for h in HOSTS if h != dead)
    cloud.managers[other].builds.build_and_run_instance(ctxt, **message)
    after = _get(uuid_)
    assert (after.vm_state, after.task_state, after.host) == (
        VmState.BUILDING, TaskState.SCHEDULING, dead)
    assert cloud.managers[other].driver.list_instance_uuids() == []


def test_a_build_queued_on_a_live_host_stays(cloud, ctxt):
    uuid_ = _boot(ctxt)
    dead, _message = cloud.held[0]
    _age(uuid_, dead, seconds=0)  # heard of just now: its message will run
    with transaction() as session:
        session.execute(update(Instance).where(Instance.uuid == uuid_).values(
            updated_at=utcnow() - datetime.timedelta(seconds=600)))
    assert _reap() == 0
    assert (_get(uuid_).task_state, _get(uuid_).host) == (TaskState.SCHEDULING, dead)


def test_with_no_alternate_left_the_build_fails_and_its_claim_goes_back(cloud, ctxt):
    uuid_ = _boot(ctxt)
    dead, _message = cloud.held[0]
    alive = next(h for h in HOSTS if h != dead)
    _age(uuid_, dead)
    _age(uuid_, alive)  # the alternate is down too
    assert _reap() == 1
    after = _get(uuid_)
    assert (after.vm_state, after.task_state) == (VmState.ERROR, None)
    assert after.fault["message"].startswith("No valid host was found.")
    assert dead in after.fault["message"]
    assert sum(_usage(ctxt).values()) == 0


def test_a_move_that_loses_to_the_hosts_claim_changes_nothing(cloud, ctxt):
    from stratus.conductor.orchestration.stranded_build import reschedule_stranded_build

    uuid_ = _boot(ctxt)
    dead, message = cloud.held[0]
    stale = _get(uuid_)  # read by the reaper while queued...
    cloud.managers[dead].builds.build_and_run_instance(ctxt, **message)  # ...then the host took it
    assert reschedule_stranded_build(stale, ComputeTaskManager().compute_api) is None
    assert (_get(uuid_).vm_state, _get(uuid_).host) == (VmState.ACTIVE, dead)
    assert _usage(ctxt)[dead] == 1 and sum(_usage(ctxt).values()) == 1  # rolled back
