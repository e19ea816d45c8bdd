"""What a compute restart does for an interrupted snapshot, shelve,
offload, unshelve or rebuild of one of its instances (called from
stratus.compute.recovery before the worker consumes its queue).

A task_state the API or the conductor set (image_snapshot_pending,
shelving, unshelving, rebuilding) means the message was not taken yet:
it is still queued, or is delivered again, and does the work then. A
state of the compute's own means the work was cut short: a half-written
image is removed and the task cleared (as Nova), an offload is finished,
an unshelve is undone, a rebuild fails the server (error, fault)."""
import logging

from stratus.common import exception
from stratus.compute import snapshots
from stratus.common.objects import states

LOG = logging.getLogger(__name__)

INTERRUPTED = "{what} of instance {uuid} was interrupted by a restart of compute host {host}"
_SNAPSHOT_KEYS = {states.IMAGE_SNAPSHOT: snapshots.SNAPSHOT_KEY,
                  states.IMAGE_PENDING_UPLOAD: snapshots.SNAPSHOT_KEY,
                  states.IMAGE_UPLOADING: snapshots.SNAPSHOT_KEY,
                  states.SHELVING_IMAGE_PENDING_UPLOAD: "shelved_image_id",
                  states.SHELVING_IMAGE_UPLOADING: "shelved_image_id"}
_GONE = (exception.UnexpectedTaskStateError, exception.InstanceNotFound)


def recover(manager, ctxt, instance):
    """Recover `instance` if one of these operations was cut short;
    whether it did (else the caller's usual recovery goes on)."""
    task = instance.task_state
    if task in _SNAPSHOT_KEYS:
        _drop_snapshot(manager, ctxt, instance, _SNAPSHOT_KEYS[task])
    elif task == states.SHELVING_OFFLOADING:
        LOG.info("Finishing the interrupted offload of %s", instance.uuid)
        manager.shelve_offload_instance(ctxt, instance)
    elif task == states.SPAWNING and instance.vm_state in (states.SHELVED,
                                                           states.SHELVED_OFFLOADED):
        _undo_unshelve(manager, ctxt, instance)
    elif task == states.REBUILD_SPAWNING and not _moving(manager, ctxt, instance):
        _fail(manager, ctxt, instance, "Rebuild", {"vm_state": states.ERROR})
    else:
        return False
    return True


def _moving(manager, ctxt, instance):
    # An evacuation spawns in rebuild_spawning too, on another host while
    # the server's host is still this (dead) one: that is not ours to fail.
    return manager.conductor_api.migration_get_in_progress(ctxt, instance.uuid) is not None


def _drop_snapshot(manager, ctxt, instance, key):
    image_id = (instance.system_metadata or {}).get(key)
    LOG.info("Removing the half-written image %s of %s", image_id, instance.uuid)
    if image_id:
        manager.delete_image_quietly(ctxt, image_id)
    metadata = {k: v for k, v in (instance.system_metadata or {}).items() if k != key}
    saved = _save(manager, ctxt, instance, {"task_state": None, "system_metadata": metadata})
    if saved is not None:
        from stratus.compute import recovery  # the usual power-state sync, as for others

        recovery.sync_instance(manager, ctxt, saved)


def _undo_unshelve(manager, ctxt, instance):
    if instance.vm_state == states.SHELVED:
        _fail(manager, ctxt, instance, "Unshelve", {})
        return
    manager.destroy_quietly(ctxt, instance)
    try:
        manager.offload_commit(ctxt, instance, states.SPAWNING, states.SHELVED_OFFLOADED)
    except _GONE:
        return
    _fault(manager, ctxt, instance, "Unshelve")


def _fail(manager, ctxt, instance, what, values):
    if _save(manager, ctxt, instance, dict(values, task_state=None)) is not None:
        _fault(manager, ctxt, instance, what)


def _fault(manager, ctxt, instance, what):
    message = INTERRUPTED.format(what=what, uuid=instance.uuid, host=manager.host)
    LOG.warning(message)
    manager.conductor_api.instance_fault_create(ctxt, instance.uuid, 500, message,
                                                details=message, host=manager.host)


def _save(manager, ctxt, instance, values):
    try:
        return manager.conductor_api.instance_update(
            ctxt, instance.uuid, values, expected_task_state=[instance.task_state],
            expected_vm_state=instance.vm_state)
    except _GONE:
        return None
