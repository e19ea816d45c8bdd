"""How a compute host runs a power or pause action (Nova's
reverts_task_state, wrap_instance_event and wrap_instance_fault, in one
place): the API has set the action's task_state; the host claims it,
calls the driver and saves the outcome, each save a compare-and-swap.

A second delivery of the same message (Celery's acks_late) finds the
task_state already cleared and stops before touching the hypervisor; a
message left over from a crash finds it still set and does the work."""
import dataclasses
import logging
import traceback

from stratus.common import exception
from stratus.common.objects import states

LOG = logging.getLogger(__name__)

# The instance was deleted, or another action took it over, meanwhile.
_GONE = (exception.UnexpectedTaskStateError, exception.InstanceNotFound)


@dataclasses.dataclass(frozen=True)
class Action:
    """One kind of action: its event, the task_states its message may
    find (the API's and, for reboots, the steps after it), the task_state
    while the driver works, and the vm_state it ends in."""

    event: str
    expected: tuple
    working: str
    vm_state: str
    # vm_state after a driver failure, from the guest's power state;
    # None keeps the vm_state the instance had.
    failed_vm_state: object = None


def _after_failed_reboot(power_state):
    # Nova: a reboot that failed with the guest running leaves it ACTIVE.
    return states.ACTIVE if power_state == states.RUNNING else states.ERROR


STOP = Action("compute_stop_instance", (states.POWERING_OFF,), states.POWERING_OFF,
              states.STOPPED)
START = Action("compute_start_instance", (states.POWERING_ON,), states.POWERING_ON,
               states.ACTIVE)
SOFT_REBOOT = Action("compute_reboot_instance",
                     (states.REBOOTING, states.REBOOT_PENDING, states.REBOOT_STARTED),
                     states.REBOOT_STARTED, states.ACTIVE, _after_failed_reboot)
HARD_REBOOT = Action("compute_reboot_instance",
                     (states.REBOOTING_HARD, states.REBOOT_PENDING_HARD,
                      states.REBOOT_STARTED_HARD),
                     states.REBOOT_STARTED_HARD, states.ACTIVE, _after_failed_reboot)
PAUSE = Action("compute_pause_instance", (states.PAUSING,), states.PAUSING, states.PAUSED)
UNPAUSE = Action("compute_unpause_instance", (states.UNPAUSING,), states.UNPAUSING,
                 states.ACTIVE)
SUSPEND = Action("compute_suspend_instance", (states.SUSPENDING,), states.SUSPENDING,
                 states.SUSPENDED)
RESUME = Action("compute_resume_instance", (states.RESUMING,), states.RESUMING,
                states.ACTIVE)


def run(manager, ctxt, instance, action, driver_call):
    """Claim the action, run `driver_call()`, save the outcome. A driver
    failure is recorded (event Error, fault) and raised again, so that
    the task shows as failed in Flower."""
    event = {"event": action.event, "host": manager.host, "task_id": ctxt.task_id}
    try:
        manager.conductor_api.instance_update(
            ctxt, instance.uuid, {"task_state": action.working},
            expected_task_state=list(action.expected), event=event)
    except _GONE as exc:
        LOG.info("%s of %s: nothing to do (%s)", action.event, instance.uuid, exc)
        return
    try:
        driver_call()
        power_state = manager.driver.get_info(instance)
    except Exception as exc:
        _failed(manager, ctxt, instance, action, event, exc)
        raise
    _done(manager, ctxt, instance, action, event, power_state)


def _done(manager, ctxt, instance, action, event, power_state):
    values = {"vm_state": action.vm_state, "power_state": power_state, "task_state": None}
    try:
        manager.conductor_api.instance_update(ctxt, instance.uuid, values,
                                              expected_task_state=action.working,
                                              event=dict(event, result="Success"))
    except _GONE as exc:
        LOG.info("%s of %s was overtaken: %s", action.event, instance.uuid, exc)
        manager.conductor_api.action_event_finish(ctxt, instance.uuid, action.event, "Error",
                                                  traceback=str(exc), host=manager.host)


def _failed(manager, ctxt, instance, action, event, exc):
    """Back to the vm_state before the action, task_state cleared, with an
    Error event and an instance fault that say why."""
    LOG.warning("%s of %s failed on %s: %s", action.event, instance.uuid, manager.host, exc)
    tb = traceback.format_exc()
    code, message = fault_of(exc)
    power_state = read_power_state(manager, instance)
    vm_state = (action.failed_vm_state(power_state) if action.failed_vm_state
                else instance.vm_state)
    values = {"vm_state": vm_state, "task_state": None, "power_state": power_state}
    try:
        manager.conductor_api.instance_update(
            ctxt, instance.uuid, values, expected_task_state=action.working,
            event=dict(event, result="Error", traceback=tb, details=message))
    except _GONE as gone:
        LOG.info("Instance %s went away during its failed %s: %s", instance.uuid,
                 action.event, gone)
        return
    manager.conductor_api.instance_fault_create(ctxt, instance.uuid, code, message,
                                                details=tb if code == 500 else None,
                                                host=manager.host)


def fault_of(exc):
    """(code, message) as Nova's exception_to_dict: our own exceptions say
    what happened; anything else is named by its class only."""
    if isinstance(exc, exception.StratusException):
        return (exc.code if isinstance(exc.code, int) else 500), exc.message
    return 500, type(exc).__name__


def read_power_state(manager, instance):
    try:
        return manager.driver.get_info(instance)
    except exception.InstanceNotFound:
        return states.NOSTATE
    except Exception:  # the hypervisor does not answer: keep what we knew
        return instance.power_state
