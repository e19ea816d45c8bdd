"""The conductor's reaper: old builds fail with a fault, stuck task
states are cleared, an interrupted delete on a down host completes."""
import datetime
import uuid

import pytest
from sqlalchemy import update

from stratus import config
from stratus.conductor.db import hosts, instances
from stratus.conductor.db.models import Instance
from stratus.conductor.db.session import transaction
from stratus.conductor.reaper import Reaper, reap_interval
from stratus.common.vocabulary import MigrationStatus, MigrationType, TaskState, VmState
from stratus.common.timeutils import utcnow


class RecordingComputeAPI:
    def __init__(self):
        self.terminated = []

    def terminate_instance(self, ctxt, host, instance):
        self.terminated.append((host, instance.uuid))


@pytest.fixture
def reaper(db, monkeypatch):
    monkeypatch.setenv("STRATUS_INSTANCE_BUILD_TIMEOUT", "60")
    monkeypatch.setenv("STRATUS_TASK_STATE_TIMEOUT", "120")
    config.reset_settings()
    yield Reaper(RecordingComputeAPI())
    monkeypatch.undo()
    config.reset_settings()


def _instance(age_s, **values):
    past = utcnow() - datetime.timedelta(seconds=age_s)
    fields = dict(uuid=str(uuid.uuid4()), display_name="vm", project_id="p", user_id="u",
                  vm_state=VmState.BUILDING, task_state=TaskState.SCHEDULING)
    fields.update(values)
    with transaction() as session:
        row = instances.instance_create(session, fields)
        session.execute(update(Instance).where(Instance.id == row.id)
                        .values(created_at=past, updated_at=past))
    return fields["uuid"]


def _get(uuid_):
    with transaction() as session:
        row = instances.instance_get(session, uuid_, read_deleted=True)
        fault = instances.latest_faults(session, [uuid_]).get(uuid_)
        return row.vm_state, row.task_state, row.deleted != 0, fault and fault.message


def test_a_build_older_than_the_timeout_fails_with_a_fault(reaper):
    old, young = _instance(61), _instance(30)
    assert reaper.run() == 1
    vm_state, task_state, _, fault = _get(old)
    assert (vm_state, task_state) == (VmState.ERROR, None)
    assert fault == f"Build of instance {old} timed out after 60 seconds"
    assert _get(young)[:2] == (VmState.BUILDING, TaskState.SCHEDULING)


def test_a_timed_out_build_gives_back_room_no_host_uses(reaper):
    with transaction() as session:
        node_id = hosts.compute_node_update(session, "h", "h", {
            "vcpus": 4, "memory_mb": 1024, "local_gb": 10, "hypervisor_type": "test"}).id
    unsent, sent = _instance(61), _instance(61, host="h", task_state=TaskState.SPAWNING)
    with transaction() as session:
        assert hosts.claim(session, unsent, node_id, 1, 64, 1)
        assert hosts.claim(session, sent, node_id, 1, 64, 1)
    reaper.run()
    with transaction() as session:
        assert hosts.compute_node_get(session, node_id)[0].vcpus_used == 1  # the one on h


def test_a_stuck_task_state_is_cleared(reaper):
    stuck = _instance(121, vm_state=VmState.ACTIVE, task_state=TaskState.POWERING_OFF)
    moving = _instance(100, vm_state=VmState.ACTIVE, task_state=TaskState.POWERING_OFF)
    reaper.run()
    assert _get(stuck)[:2] == (VmState.ACTIVE, None)
    assert _get(moving)[:2] == (VmState.ACTIVE, TaskState.POWERING_OFF)


def test_a_stuck_delete_on_a_down_host_completes_here(reaper):
    with transaction() as session:
        node = hosts.compute_node_update(session, "gone", "gone", {
            "vcpus": 4, "memory_mb": 1024, "local_gb": 10, "hypervisor_type": "test"})
        node_id = node.id
    doomed = _instance(121, vm_state=VmState.ACTIVE, task_state=TaskState.DELETING, host="gone")
    with transaction() as session:
        assert hosts.claim(session, doomed, node_id, 1, 64, 1)
    reaper.run()
    assert _get(doomed)[2] is True
    with transaction() as session:
        assert hosts.compute_node_get(session, node_id)[0].vcpus_used == 0
    assert reaper.compute_api.terminated == []


def test_a_stuck_delete_on_a_live_host_is_asked_again(reaper):
    with transaction() as session:
        hosts.service_update(session, "alive", "nova-compute", "compute.alive")
    doomed = _instance(121, vm_state=VmState.ACTIVE, task_state=TaskState.DELETING, host="alive")
    reaper.run()
    assert reaper.compute_api.terminated == [("alive", doomed)]
    assert _get(doomed)[2] is False


def test_interval_follows_the_shorter_timeout(reaper):
    assert reap_interval(config.get_settings()) == 6.0


def _node(host):
    with transaction() as session:
        return hosts.compute_node_update(session, host, host, {
            "vcpus": 4, "memory_mb": 1024, "local_gb": 10, "hypervisor_type": "test"}).id


def _live_migration(instance_uuid, status, source_id, dest_id):
    from stratus.conductor.db import migration_records

    with transaction() as session:
        return migration_records.migration_create(session, {
            "instance_uuid": instance_uuid, "migration_type": MigrationType.LIVE_MIGRATION,
            "status": status, "source_compute": "src", "dest_compute": "dst",
            "source_node_id": source_id, "dest_node_id": dest_id}).id


def _migration_status(migration_id):
    from stratus.conductor.db import migration_records

    with transaction() as session:
        return migration_records.migration_get(session, migration_id).status


def _used(node_id):
    with transaction() as session:
        return hosts.compute_node_get(session, node_id)[0].vcpus_used


@pytest.mark.parametrize("status, fails", [(MigrationStatus.PRE_MIGRATING, True),
                                           (MigrationStatus.MIGRATING, False)])
def test_a_stuck_live_migration(reaper, status, fails):
    """Never started by its source: it fails, the server stays, the
    destination's room goes back. Being moved by its source: that host's
    recovery decides, the reaper touches nothing."""
    source, dest = _node("src"), _node("dst")
    server = _instance(121, vm_state=VmState.ACTIVE, task_state=TaskState.MIGRATING, host="src")
    with transaction() as session:
        assert hosts.claim(session, server, source, 1, 64, 1)
        assert hosts.claim(session, server, dest, 1, 64, 1)
    migration = _live_migration(server, status, source, dest)
    reaper.run()
    vm_state, task_state, _, fault = _get(server)
    if fails:
        assert (vm_state, task_state) == (VmState.ACTIVE, None)
        assert _migration_status(migration) == MigrationStatus.ERROR
        assert "lost before the source host src started it" in fault
        assert (_used(source), _used(dest)) == (1, 0)
    else:
        assert (task_state, _migration_status(migration)) == (TaskState.MIGRATING, status)
        assert (_used(source), _used(dest)) == (1, 1)


@pytest.mark.parametrize("image_status, kept", [("queued", False), ("active", True)])
def test_a_stuck_snapshot_loses_its_unfinished_image(reaper, image_status, kept):
    from stratus.conductor.db import catalog

    with transaction() as session:
        image_id = catalog.image_create(session, {"name": "snap", "status": image_status}).id
    server = _instance(121, vm_state=VmState.ACTIVE, task_state=TaskState.IMAGE_SNAPSHOT_PENDING,
                       system_metadata={"snapshot_image_id": image_id, "other": "kept"})
    reaper.run()
    assert _get(server)[:2] == (VmState.ACTIVE, None)
    with transaction() as session:
        assert instances.instance_get(session, server).system_metadata == {"other": "kept"}
        assert (session.get(catalog.Image, image_id) is not None) is kept
