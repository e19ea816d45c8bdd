"""A compute host running power and pause actions on the eager stack (the
real conductor on SQLite, libvirt's test driver): duplicate deliveries,
redelivery after a crash, and driver failures."""
import uuid

import pytest

from tests.unit.compute.eager import boot, one_host
from stratus.conductor.rpcapi import ConductorAPI
from stratus.common.context import RequestContext
from stratus.common.vocabulary import PowerState, TaskState, VmState

HOST = "act1"


@pytest.fixture
def manager(db, roles, tmp_path, monkeypatch):
    with one_host(HOST, tmp_path, monkeypatch) as host_manager:
        yield host_manager


def _ctxt():
    """A fresh request, as each API call is (with a task id, as a worker's)."""
    return RequestContext(user_id="u1", project_id="p1", roles=["member"],
                          task_id=f"task-{uuid.uuid4()}")


@pytest.fixture
def instance(manager):
    built, _ = boot(_ctxt())
    assert (built.vm_state, built.host) == (VmState.ACTIVE, HOST)
    return built


def _ask(instance, action, task_state, **values):
    """What the API does before its cast: set the task_state and record the
    action, in a request of its own; returns (context, instance as sent)."""
    ctxt = _ctxt()
    sent = ConductorAPI().instance_update(ctxt, instance.uuid, dict(values, task_state=task_state),
                                          expected_task_state=[None], action=action)
    return ctxt, sent


def _events(ctxt, instance):
    return ConductorAPI().action_get(ctxt, instance.uuid, ctxt.request_id).events


def _domain(manager, instance):
    return manager.driver.connection.lookupByUUIDString(instance.uuid)


def test_stop_saves_states_and_its_event(manager, instance):
    ctxt, sent = _ask(instance, "stop", TaskState.POWERING_OFF)
    manager.power.stop_instance(ctxt, sent)
    stopped = ConductorAPI().instance_get(ctxt, instance.uuid)
    assert (stopped.vm_state, stopped.task_state, stopped.power_state) == (
        VmState.STOPPED, None, PowerState.SHUTDOWN)
    [event] = _events(ctxt, instance)
    assert (event.event, event.result, event.host, event.task_id) == (
        "compute_stop_instance", "Success", HOST, ctxt.task_id)
    assert event.start_time and event.finish_time and event.traceback is None


def test_a_second_delivery_of_stop_does_nothing(manager, instance):
    ctxt, sent = _ask(instance, "stop", TaskState.POWERING_OFF)
    manager.power.stop_instance(ctxt, sent)
    # The guest runs again (as if started by hand): a stop that ran again
    # would power it off.
    _domain(manager, instance).create()
    manager.power.stop_instance(ctxt, sent)
    assert _domain(manager, instance).isActive()
    assert len(_events(ctxt, instance)) == 1
    assert ConductorAPI().instance_get(ctxt, instance.uuid).task_state is None


def test_a_message_left_by_a_crash_finishes_the_reboot(manager, instance):
    # The host died after claiming the reboot: its message comes again.
    ctxt, sent = _ask(instance, "reboot", TaskState.REBOOT_STARTED_HARD)
    _domain(manager, instance).destroy()
    manager.power.reboot_instance(ctxt, sent, "HARD")
    rebooted = ConductorAPI().instance_get(ctxt, instance.uuid)
    assert (rebooted.vm_state, rebooted.task_state, rebooted.power_state) == (
        VmState.ACTIVE, None, PowerState.RUNNING)
    assert _domain(manager, instance).isActive()


def test_a_soft_reboot_message_does_not_run_over_a_hard_one(manager, instance):
    ctxt, sent = _ask(instance, "reboot", TaskState.REBOOTING_HARD)
    manager.power.reboot_instance(ctxt, sent, "SOFT")
    assert ConductorAPI().instance_get(ctxt, instance.uuid).task_state == TaskState.REBOOTING_HARD
    manager.power.reboot_instance(ctxt, sent, "HARD")
    assert ConductorAPI().instance_get(ctxt, instance.uuid).task_state is None


def test_a_driver_failure_reverts_and_records_why(manager, instance):
    # The guest is off behind the database's back: libvirt refuses to pause it.
    _domain(manager, instance).destroy()
    ctxt, sent = _ask(instance, "pause", TaskState.PAUSING)
    with pytest.raises(Exception, match="Hypervisor error"):
        manager.power.pause_instance(ctxt, sent)
    after = ConductorAPI().instance_get(ctxt, instance.uuid)
    assert (after.vm_state, after.task_state, after.power_state) == (
        VmState.ACTIVE, None, PowerState.SHUTDOWN)
    assert after.fault["code"] == 500 and after.fault["message"].startswith("Hypervisor error")
    assert "Traceback" in after.fault["details"] and after.fault["host"] == HOST
    [event] = _events(ctxt, instance)
    assert (event.event, event.result) == ("compute_pause_instance", "Error")
    assert "Traceback" in event.traceback and event.details.startswith("Hypervisor error")
    assert ConductorAPI().action_get_all(ctxt, instance.uuid)[0].message == "Error"


def test_a_failed_reboot_without_a_guest_is_an_error(manager, instance):
    _domain(manager, instance).undefine()  # it was running: now a transient domain
    _domain(manager, instance).destroy()
    ctxt, sent = _ask(instance, "reboot", TaskState.REBOOTING_HARD)
    with pytest.raises(Exception):
        manager.power.reboot_instance(ctxt, sent, "HARD")
    after = ConductorAPI().instance_get(ctxt, instance.uuid)
    assert (after.vm_state, after.task_state, after.power_state) == (
        VmState.ERROR, None, PowerState.NOSTATE)
    assert after.fault["message"] == f"Instance {instance.uuid} could not be found."


def test_a_delete_overtaking_an_action_wins(manager, instance):
    ctxt, sent = _ask(instance, "suspend", TaskState.SUSPENDING)
    ConductorAPI().instance_update(ctxt, instance.uuid, {"task_state": TaskState.DELETING})
    manager.power.suspend_instance(ctxt, sent)
    assert ConductorAPI().instance_get(ctxt, instance.uuid).task_state == TaskState.DELETING
    assert _domain(manager, instance).isActive()
    assert _events(ctxt, instance) == []
