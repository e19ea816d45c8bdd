"""Deferred delete (Nova's reclaim_instance_interval): a delete that only
soft-deletes a server, and the restore and forceDelete actions. The
host powers the guest off and on; its periodic task reclaims servers
soft-deleted longer than the interval (stratus.compute.power)."""
from stratus.api import common, compute_api
from stratus.api.compute_actions import check_state
from stratus.common.timeutils import utcnow
from stratus.common.vocabulary import TaskState, VmState
from stratus.config import get_settings


def deferred():
    """Whether a delete only soft-deletes (reclaim_instance_interval > 0)."""
    return get_settings().reclaim_instance_interval > 0


def soft_delete(ctxt, instance):
    """vm_state soft-delete with the guest powered off, deleted_at now.
    A server that never ran (or is soft-deleted already) is deleted at
    once, as Nova's API falls back to a delete."""
    compute_api.check_lock(ctxt, instance)
    if (not instance.launched_at or not instance.host
            or instance.vm_state == VmState.SOFT_DELETED):
        compute_api.delete(ctxt, instance)
        return
    saved = common.conductor().instance_update(
        ctxt, instance.uuid, {"task_state": TaskState.SOFT_DELETING,
                              "deleted_at": utcnow().isoformat()},
        expected_task_state=[instance.task_state], action="delete")
    if compute_api.host_is_up(ctxt, saved.host):
        common.compute().soft_delete_instance(ctxt, saved.host, saved)
    else:
        # Nothing would answer the cast: Nova's local soft delete.
        common.conductor().instance_update(
            ctxt, saved.uuid, {"vm_state": VmState.SOFT_DELETED, "task_state": None},
            expected_task_state=[TaskState.SOFT_DELETING])


def _restore(ctxt, instance, value):
    """Bring a soft-deleted server back (409 for any other)."""
    compute_api.check_lock(ctxt, instance)
    check_state(instance, "restore", (VmState.SOFT_DELETED,))
    saved = common.conductor().instance_update(
        ctxt, instance.uuid, {"task_state": TaskState.RESTORING, "deleted_at": None},
        expected_task_state=[None], expected_vm_state=VmState.SOFT_DELETED, action="restore")
    if compute_api.host_is_up(ctxt, saved.host):
        common.compute().restore_instance(ctxt, saved.host, saved)
    else:
        common.conductor().instance_update(
            ctxt, saved.uuid, {"vm_state": VmState.ACTIVE, "task_state": None},
            expected_task_state=[TaskState.RESTORING])


def _force_delete(ctxt, instance, value):
    """Delete now, soft-deleted or not (Nova's force_delete)."""
    compute_api.delete(ctxt, instance)


# action name -> handler(ctxt, instance, value); merged into
# stratus.api.server_actions.HANDLERS.
HANDLERS = {"restore": _restore, "forceDelete": _force_delete}
