"""Start-up recovery and the power-state sync of a compute host, on the
eager stack: the real conductor on SQLite, libvirt's test driver. A new
LibvirtDriver on test:///default is a fresh libvirt state, as a
restarted compute process has."""
import pytest

from stratus import config
from tests.unit.compute.eager import boot, one_host
from stratus.compute.manager import ComputeManager
from stratus.compute.virt.libvirt import LibvirtDriver
from stratus.conductor.rpcapi import ConductorAPI
from stratus.common.vocabulary import PowerState, TaskState, VmState

HOST = "r1"


@pytest.fixture
def host(db, roles, tmp_path, monkeypatch):
    """One compute host, and a way to restart it (a new driver and manager)."""
    from stratus.compute import tasks

    with one_host(HOST, tmp_path, monkeypatch) as first:
        class Host:
            manager = first

            def restart(self):
                self.manager = ComputeManager(HOST, LibvirtDriver("test:///default", HOST))
                tasks.register_manager(self.manager)
                self.manager.init_host()
                return self.manager

        yield Host()


def _set(ctxt, uuid_, **values):
    return ConductorAPI().instance_update(ctxt, uuid_, values)


def _guests(manager):
    return set(manager.driver.list_instance_uuids())


@pytest.mark.parametrize("task_state, marked", [
    (TaskState.SPAWNING, False),  # claimed: the task_state says it started
    # Handed over in scheduling and started here without a save: only the
    # build mark the killed process left tells it from a queued build.
    (TaskState.SCHEDULING, True)])
def test_interrupted_build_fails_and_its_redelivery_does_nothing(host, ctxt, task_state,
                                                                 marked):
    instance, spec = boot(ctxt)
    _set(ctxt, instance.uuid, vm_state=VmState.BUILDING, task_state=task_state)
    if marked:
        assert host.manager.build_marks.take(instance.uuid)
    manager = host.restart()
    after = ConductorAPI().instance_get(ctxt, instance.uuid)
    assert (after.vm_state, after.task_state) == (VmState.ERROR, None)
    assert "interrupted by a restart of compute host r1" in after.fault["message"]
    assert manager.build_marks.held() == set()
    ctxt.redelivered = True
    manager.builds.build_and_run_instance(ctxt, after, spec, [])  # the message, delivered again
    assert ConductorAPI().instance_get(ctxt, instance.uuid).vm_state == VmState.ERROR
    assert _guests(manager) == set()


def test_queued_build_is_left_alone_and_its_message_builds_it(host, ctxt):
    # Queued for r1 by the conductor, not yet claimed when r1 died: the
    # message, acknowledged late, is still in r1's queue.
    instance, spec = boot(ctxt)
    _set(ctxt, instance.uuid, vm_state=VmState.BUILDING, task_state=TaskState.SCHEDULING)
    manager = host.restart()
    after = ConductorAPI().instance_get(ctxt, instance.uuid)
    assert (after.vm_state, after.task_state, after.fault) == (
        VmState.BUILDING, TaskState.SCHEDULING, None)
    manager.builds.build_and_run_instance(ctxt, after, spec, [])  # consumed after recovery
    assert ConductorAPI().instance_get(ctxt, instance.uuid).vm_state == VmState.ACTIVE
    assert _guests(manager) == {instance.uuid}


def test_interrupted_delete_is_finished(host, ctxt):
    instance, _ = boot(ctxt)
    _set(ctxt, instance.uuid, task_state=TaskState.DELETING)
    node_before = ConductorAPI().compute_node_get_all(ctxt)[0]
    assert node_before.vcpus_used == 1
    manager = host.restart()
    assert ConductorAPI().instance_get_all(ctxt, {"uuid": instance.uuid}) == []
    assert ConductorAPI().compute_node_get_all(ctxt)[0].vcpus_used == 0
    assert _guests(manager) == set()


def test_active_guest_lost_with_the_process_is_started_again(host, ctxt):
    instance, _ = boot(ctxt)
    manager = host.restart()
    assert _guests(manager) == {instance.uuid}
    after = ConductorAPI().instance_get(ctxt, instance.uuid)
    assert (after.vm_state, after.power_state) == (VmState.ACTIVE, PowerState.RUNNING)


def test_without_resume_a_lost_guest_is_reported_not_invented(host, ctxt, monkeypatch):
    monkeypatch.setenv("STRATUS_RESUME_GUESTS_STATE_ON_HOST_BOOT", "0")
    config.reset_settings()
    instance, _ = boot(ctxt)
    manager = host.restart()
    assert _guests(manager) == set()
    after = ConductorAPI().instance_get(ctxt, instance.uuid)
    assert (after.vm_state, after.power_state) == (VmState.ACTIVE, PowerState.NOSTATE)


@pytest.mark.parametrize("action, kept", [("reap", False), ("log", True), ("noop", True)])
def test_guest_of_a_deleted_instance(host, ctxt, monkeypatch, action, kept):
    monkeypatch.setenv("STRATUS_RUNNING_DELETED_INSTANCE_ACTION", action)
    config.reset_settings()
    instance, _ = boot(ctxt)
    # The record goes, the guest stays: what a crash between the two leaves.
    ConductorAPI().instance_destroy(ctxt, instance.uuid)
    assert _guests(host.manager) == {instance.uuid}

    host.manager.recovery.handle_unknown_guests(ctxt, known=set())
    assert (instance.uuid in _guests(host.manager)) is kept


@pytest.mark.parametrize("reap", [False, True])
def test_guest_with_no_record_is_reaped_only_if_configured(host, ctxt, monkeypatch, reap):
    monkeypatch.setenv("STRATUS_REAP_UNKNOWN_GUESTS", "1" if reap else "0")
    config.reset_settings()
    instance, _ = boot(ctxt)
    from stratus.conductor.db.models import Instance
    from stratus.conductor.db.session import transaction

    with transaction() as session:  # another cloud's guest: no record here at all
        session.query(Instance).filter(Instance.uuid == instance.uuid).delete()
    host.manager.recovery.handle_unknown_guests(ctxt, known=set())
    assert (instance.uuid in _guests(host.manager)) is not reap


def test_guest_of_an_instance_on_another_host_is_left_alone(host, ctxt):
    instance, _ = boot(ctxt)
    _set(ctxt, instance.uuid, host="elsewhere")

    host.manager.recovery.handle_unknown_guests(ctxt, known=set())
    assert _guests(host.manager) == {instance.uuid}


def test_guest_made_here_for_a_build_that_moved_is_reaped(host, ctxt):
    # This host started the build unclaimed and stopped; the reaper moved
    # the build to another host meanwhile. The mark says the guest is ours.
    instance, _ = boot(ctxt)
    _set(ctxt, instance.uuid, host="elsewhere")

    host.manager.recovery.handle_unknown_guests(ctxt, known=set(), started={instance.uuid})
    assert _guests(host.manager) == set()


def test_power_sync_stops_a_server_whose_guest_shut_down(host, ctxt):
    instance, _ = boot(ctxt)
    host.manager.driver.connection.lookupByUUIDString(instance.uuid).destroy()
    host.manager.sync_power_states(ctxt)
    after = ConductorAPI().instance_get(ctxt, instance.uuid)
    assert (after.vm_state, after.power_state) == (VmState.STOPPED, PowerState.SHUTDOWN)


def test_power_sync_leaves_instances_with_a_task_alone(host, ctxt):
    instance, _ = boot(ctxt)
    _set(ctxt, instance.uuid, task_state=TaskState.PAUSING)
    host.manager.driver.connection.lookupByUUIDString(instance.uuid).destroy()
    host.manager.sync_power_states(ctxt)
    after = ConductorAPI().instance_get(ctxt, instance.uuid)
    assert (after.vm_state, after.power_state) == (VmState.ACTIVE, PowerState.RUNNING)


def test_duplicate_build_delivery_makes_one_guest(host, ctxt):
    instance, spec = boot(ctxt)
    launched = instance.launched_at
    host.manager.builds.build_and_run_instance(ctxt, instance, spec, [])
    after = ConductorAPI().instance_get(ctxt, instance.uuid)
    assert (after.vm_state, after.launched_at) == (VmState.ACTIVE, launched)
    assert _guests(host.manager) == {instance.uuid}


def test_interrupted_reboot_is_redone(host, ctxt):
    instance, _ = boot(ctxt)
    _set(ctxt, instance.uuid, task_state=TaskState.REBOOT_STARTED)
    manager = host.restart()
    after = ConductorAPI().instance_get(ctxt, instance.uuid)
    assert (after.vm_state, after.task_state, after.power_state) == (
        VmState.ACTIVE, None, PowerState.RUNNING)
    assert _guests(manager) == {instance.uuid}


def test_interrupted_stop_is_redone(host, ctxt):
    instance, _ = boot(ctxt)
    _set(ctxt, instance.uuid, task_state=TaskState.POWERING_OFF)
    host.restart()
    after = ConductorAPI().instance_get(ctxt, instance.uuid)
    assert (after.vm_state, after.task_state, after.power_state) == (
        VmState.STOPPED, None, PowerState.SHUTDOWN)


def test_power_sync_powers_off_a_stopped_servers_running_guest(host, ctxt):
    instance, _ = boot(ctxt)
    _set(ctxt, instance.uuid, vm_state=VmState.STOPPED)
    host.manager.sync_power_states(ctxt)
    after = ConductorAPI().instance_get(ctxt, instance.uuid)
    assert (after.vm_state, after.power_state) == (VmState.STOPPED, PowerState.SHUTDOWN)
