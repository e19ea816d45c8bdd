"""Server actions and metadata, as Nova's compute/api.py: check the lock,
the host and the instance's states (Nova's check_instance_lock,
check_instance_host and check_instance_state), save the new task_state
with a compare-and-swap that records the instance action in the same
transaction, then cast to the instance's host. The views only parse."""
import dataclasses

from werkzeug.exceptions import NotFound

from stratus.api import common, compute_api, policy
from stratus.common import exception
from stratus.common.vocabulary import TaskState, VmState

# Nova's vm_states.ALLOW_SOFT_REBOOT / ALLOW_HARD_REBOOT and
# task_states.ALLOW_REBOOT.
_SOFT_REBOOT_FROM = (VmState.ACTIVE,)
_HARD_REBOOT_FROM = (VmState.ACTIVE, VmState.STOPPED, VmState.PAUSED, VmState.SUSPENDED,
                     VmState.ERROR)
_HARD_REBOOT_DURING = (None, TaskState.REBOOTING, TaskState.REBOOT_PENDING, TaskState.REBOOT_STARTED,
                       TaskState.RESUMING, TaskState.REBOOTING_HARD, TaskState.UNPAUSING,
                       TaskState.PAUSING, TaskState.SUSPENDING)
_METADATA_FROM = (VmState.ACTIVE, VmState.PAUSED, VmState.SUSPENDED, VmState.STOPPED)
_RESCUE_FROM = (VmState.ACTIVE, VmState.STOPPED, VmState.ERROR)


@dataclasses.dataclass(frozen=True)
class _Power:
    """A power or pause action: the vm_states it starts from, the
    task_state it sets, the compute method it casts."""

    vm_states: tuple
    task_state: str
    method: str


_POWER = {
    "start": _Power((VmState.STOPPED,), TaskState.POWERING_ON, "start_instance"),
    "stop": _Power((VmState.ACTIVE, VmState.ERROR), TaskState.POWERING_OFF, "stop_instance"),
    "pause": _Power((VmState.ACTIVE,), TaskState.PAUSING, "pause_instance"),
    "unpause": _Power((VmState.PAUSED,), TaskState.UNPAUSING, "unpause_instance"),
    "suspend": _Power((VmState.ACTIVE,), TaskState.SUSPENDING, "suspend_instance"),
    "resume": _Power((VmState.SUSPENDED,), TaskState.RESUMING, "resume_instance"),
}


def check_state(instance, action, vm_states=None, task_states=(None,), must_have_launched=True):
    """Nova's check_instance_state: 409 with Nova's text, naming the first
    attribute out of place. None skips a check."""
    for attr, allowed, value in (("vm_state", vm_states, instance.vm_state),
                                 ("task_state", task_states, instance.task_state)):
        if allowed is not None and value not in allowed:
            raise exception.InstanceInvalidState(action=action, instance_uuid=instance.uuid,
                                                 attr=attr, state=value)
    if must_have_launched and not instance.launched_at:
        raise exception.InstanceInvalidState(action=action, instance_uuid=instance.uuid,
                                             attr="launched_at", state=None)


def check_host(instance):
    """Never scheduled: no host would answer the cast."""
    if not instance.host:
        raise exception.InstanceNotReady(instance_id=instance.uuid)


def power_action(ctxt, instance, name):
    """start, stop, pause, unpause, suspend or resume (the action's name
    as Nova records it)."""
    power = _POWER[name]
    compute_api.check_lock(ctxt, instance)
    check_host(instance)
    check_state(instance, name, power.vm_states)
    _save_and_cast(ctxt, instance, name, power.task_state, [None], power.method)


def rescue(ctxt, instance, image):
    """Boot from a new disk of `image` (the server's own by default), the
    server's disk attached second; from ACTIVE, STOPPED or ERROR, as Nova."""
    compute_api.check_lock(ctxt, instance)
    check_host(instance)
    check_state(instance, "rescue", _RESCUE_FROM)
    _save_and_cast(ctxt, instance, "rescue", TaskState.RESCUING, [None], "rescue_instance",
                   image=image)


def console_output(ctxt, instance, length):
    """The guest's serial console output, asked of its host (404 where the
    guest logs none: libvirt's test driver)."""
    check_host(instance)
    return common.compute().get_console_output(ctxt, instance.host, instance, length)


def unrescue(ctxt, instance):
    """Boot a rescued server from its own disk again."""
    compute_api.check_lock(ctxt, instance)
    check_host(instance)
    check_state(instance, "unrescue", (VmState.RESCUED,))
    _save_and_cast(ctxt, instance, "unrescue", TaskState.UNRESCUING, [None],
                   "unrescue_instance")


def reboot(ctxt, instance, reboot_type):
    """A SOFT reboot of a running server, or a HARD one from almost any
    state, even over another reboot or a pause in progress (as Nova)."""
    compute_api.check_lock(ctxt, instance)
    check_host(instance)
    if reboot_type == "SOFT":
        check_state(instance, "reboot", _SOFT_REBOOT_FROM)
        task_state, expected = TaskState.REBOOTING, [None]
    else:
        check_state(instance, "reboot", _HARD_REBOOT_FROM, _HARD_REBOOT_DURING)
        task_state, expected = TaskState.REBOOTING_HARD, list(_HARD_REBOOT_DURING)
    _save_and_cast(ctxt, instance, "reboot", task_state, expected, "reboot_instance",
                   reboot_type=reboot_type)


def _save_and_cast(ctxt, instance, action, task_state, expected, method, **kwargs):
    # vm_state too: a concurrent action that finished since we read the
    # instance must make this one fail, not run from the wrong state.
    saved = common.conductor().instance_update(
        ctxt, instance.uuid, {"task_state": task_state}, expected_task_state=expected,
        expected_vm_state=instance.vm_state, action=action)
    getattr(common.compute(), method)(ctxt, instance.host, saved, **kwargs)


def lock(ctxt, instance, reason=None):
    """Lock for everyone but admins. The owner's lock is kept as it is; an
    admin's lock can only be lifted by an admin."""
    is_owner = instance.project_id == ctxt.project_id
    if instance.locked and is_owner:
        return
    values = {"locked": True, "locked_by": "owner" if is_owner else "admin"}
    if reason:
        values["locked_reason"] = reason
    _record(ctxt, instance, values, "lock")


def unlock(ctxt, instance):
    """Unlock; a lock taken by the other party (owner/admin) needs the
    unlock_override rule (admins)."""
    expected_by = "owner" if instance.project_id == ctxt.project_id else "admin"
    if instance.locked_by and instance.locked_by != expected_by:
        policy.authorize("os_compute_api:os-lock-server:unlock:unlock_override")
    _record(ctxt, instance, {"locked": False, "locked_by": None, "locked_reason": None},
            "unlock")


def _record(ctxt, instance, values, action):
    """Save with the action and its whole API event (Nova's api_lock...)."""
    event = {"event": f"api_{action}", "start": True, "result": "Success"}
    common.conductor().instance_update(ctxt.elevated(), instance.uuid, values, action=action,
                                       event=event)


def reset_state(ctxt, instance, state):
    """Force vm_state active or error, clearing the task_state (admins:
    the action's rule is checked by the view)."""
    common.conductor().instance_update(ctxt, instance.uuid,
                                       {"vm_state": state, "task_state": None},
                                       action="resetState")


def update_metadata(ctxt, instance, metadata, replace=False):
    """Merge into (or with `replace`, replace) the server's metadata;
    returns the new metadata."""
    compute_api.check_lock(ctxt, instance)
    check_state(instance, "update metadata", _METADATA_FROM, task_states=None)
    return common.conductor().instance_metadata_update(ctxt, instance.uuid, metadata,
                                                       replace=replace)


def delete_metadata(ctxt, instance, key):
    if key not in (instance.metadata or {}):
        raise NotFound("Metadata item was not found")
    compute_api.check_lock(ctxt, instance)
    check_state(instance, "delete metadata", _METADATA_FROM, task_states=None)
    common.conductor().instance_metadata_update(ctxt, instance.uuid, {}, remove=[key])
