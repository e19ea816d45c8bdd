"""Power and pause actions on a compute host (Nova's reverts_task_state,
wrap_instance_event and wrap_instance_fault, in one place): the API has
set the action's task_state; the host claims it, calls the driver and
saves the outcome, each save a compare-and-swap.

A second delivery of the same message (Celery's acks_late) finds the
task_state already cleared and stops before touching the hypervisor; a
message left over from a crash finds it still set and does the work."""
import dataclasses
import logging

from stratus.common.endpoint import endpoint
from stratus.common.vocabulary import CAS_CONFLICT, PowerState, TaskState, VmState
from stratus.compute.operation import Operation
from stratus.config import get_settings

LOG = logging.getLogger(__name__)


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
    return VmState.ACTIVE if power_state == PowerState.RUNNING else VmState.ERROR


STOP = Action("compute_stop_instance", (TaskState.POWERING_OFF,), TaskState.POWERING_OFF,
              VmState.STOPPED)
START = Action("compute_start_instance", (TaskState.POWERING_ON,), TaskState.POWERING_ON,
               VmState.ACTIVE)
SOFT_REBOOT = Action("compute_reboot_instance",
                     (TaskState.REBOOTING, TaskState.REBOOT_PENDING, TaskState.REBOOT_STARTED),
                     TaskState.REBOOT_STARTED, VmState.ACTIVE, _after_failed_reboot)
HARD_REBOOT = Action("compute_reboot_instance",
                     (TaskState.REBOOTING_HARD, TaskState.REBOOT_PENDING_HARD,
                      TaskState.REBOOT_STARTED_HARD),
                     TaskState.REBOOT_STARTED_HARD, VmState.ACTIVE, _after_failed_reboot)
PAUSE = Action("compute_pause_instance", (TaskState.PAUSING,), TaskState.PAUSING, VmState.PAUSED)
UNPAUSE = Action("compute_unpause_instance", (TaskState.UNPAUSING,), TaskState.UNPAUSING,
                 VmState.ACTIVE)
SUSPEND = Action("compute_suspend_instance", (TaskState.SUSPENDING,), TaskState.SUSPENDING,
                 VmState.SUSPENDED)
RESUME = Action("compute_resume_instance", (TaskState.RESUMING,), TaskState.RESUMING,
                VmState.ACTIVE)
RESCUE = Action("compute_rescue_instance", (TaskState.RESCUING,), TaskState.RESCUING,
                VmState.RESCUED)
UNRESCUE = Action("compute_unrescue_instance", (TaskState.UNRESCUING,), TaskState.UNRESCUING,
                  VmState.ACTIVE)


class Power(Operation):
    """Start, stop, reboot, pause, unpause, suspend, resume, rescue and
    unrescue."""

    @endpoint(since="1.1")
    def stop_instance(self, ctxt, instance):
        """A clean shutdown within shutdown_timeout, then the plug."""
        self.run(ctxt, instance, STOP, lambda: self.driver.power_off(
            instance, get_settings().shutdown_timeout))

    @endpoint(since="1.1")
    def start_instance(self, ctxt, instance):
        """Boot the stopped guest."""
        self.run(ctxt, instance, START, lambda: self.driver.power_on(ctxt, instance))

    @endpoint(since="1.1")
    def reboot_instance(self, ctxt, instance, reboot_type):
        """A SOFT (clean, else hard) or HARD reboot."""
        action = HARD_REBOOT if reboot_type == "HARD" else SOFT_REBOOT
        self.run(ctxt, instance, action,
                 lambda: self.driver.reboot(ctxt, instance, reboot_type))

    @endpoint(since="1.1")
    def pause_instance(self, ctxt, instance):
        self.run(ctxt, instance, PAUSE, lambda: self.driver.pause(instance))

    @endpoint(since="1.1")
    def unpause_instance(self, ctxt, instance):
        self.run(ctxt, instance, UNPAUSE, lambda: self.driver.unpause(instance))

    @endpoint(since="1.1")
    def suspend_instance(self, ctxt, instance):
        self.run(ctxt, instance, SUSPEND, lambda: self.driver.suspend(ctxt, instance))

    @endpoint(since="1.1")
    def resume_instance(self, ctxt, instance):
        self.run(ctxt, instance, RESUME, lambda: self.driver.resume(ctxt, instance))

    @endpoint(since="1.4")
    def rescue_instance(self, ctxt, instance, image):
        """Boot from a new disk of the rescue `image`, the own disk second."""
        self.run(ctxt, instance, RESCUE, lambda: self.driver.rescue(ctxt, instance, image))

    @endpoint(since="1.4")
    def unrescue_instance(self, ctxt, instance):
        self.run(ctxt, instance, UNRESCUE, lambda: self.driver.unrescue(ctxt, instance))

    def run(self, ctxt, instance, action, driver_call):
        """Claim the action, run `driver_call()`, save the outcome. A driver
        failure is recorded (event Error, fault) and raised again, so that
        the task shows as failed in Flower."""
        event = self.event(ctxt, action.event)
        try:
            self.update(ctxt, instance.uuid, {"task_state": action.working},
                        expected_task_state=list(action.expected), event=event)
        except CAS_CONFLICT as exc:
            LOG.info("%s of %s: nothing to do (%s)", action.event, instance.uuid, exc)
            return
        try:
            driver_call()
            power_state = self.driver.get_info(instance)
        except Exception as exc:
            self._failed(ctxt, instance, action, event, exc)
            raise
        self._done(ctxt, instance, action, event, power_state)

    def _done(self, ctxt, instance, action, event, power_state):
        values = {"vm_state": action.vm_state, "power_state": power_state, "task_state": None}
        try:
            self.update(ctxt, instance.uuid, values, expected_task_state=action.working,
                        event=dict(event, result="Success"))
        except CAS_CONFLICT as exc:
            LOG.info("%s of %s was overtaken: %s", action.event, instance.uuid, exc)
            self.event_finish(ctxt, instance.uuid, action.event, "Error", str(exc))

    def _failed(self, ctxt, instance, action, event, exc):
        """Back to the vm_state before the action, task_state cleared, with an
        Error event and an instance fault that say why."""
        power_state = self.power_state(instance)
        vm_state = (action.failed_vm_state(power_state) if action.failed_vm_state
                    else instance.vm_state)
        values = {"vm_state": vm_state, "task_state": None, "power_state": power_state}
        self.failures.save(ctxt, instance.uuid, event, exc, values, action.working)
