"""What a compute restart does for an interrupted snapshot, shelve,
offload, unshelve or rebuild of one of its instances (a part of
stratus.compute.recovery, run before the worker consumes its queue).

A task_state the API or the conductor set (image_snapshot_pending,
shelving, unshelving, rebuilding) means the message was not taken yet:
it is still queued, or is delivered again, and does the work then. A
state of the compute's own means the work was cut short: a half-written
image is removed and the task cleared (as Nova), an offload is finished,
an unshelve is undone, a rebuild fails the server (error, fault)."""
import logging

from stratus.common.vocabulary import CAS_CONFLICT, SystemMetadata, TaskState, VmState
from stratus.compute.operation import Operation
from stratus.compute.shelve import SHELVE_STEPS
from stratus.compute.snapshot import SNAPSHOT_STEPS, without

LOG = logging.getLogger(__name__)

INTERRUPTED = "{what} of instance {uuid} was interrupted by a restart of compute host {host}"
# The system_metadata key naming the image each of this host's writing
# steps is writing (the steps before the host took the message are not
# its to undo).
_IMAGE_KEYS = {task: SystemMetadata.IMAGE_IN_FLIGHT[task]
               for task in (*SNAPSHOT_STEPS, *SHELVE_STEPS)}


class SnapshotRecovery(Operation):
    """The start-up rules for interrupted snapshots, shelves and rebuilds."""

    def recover(self, ctxt, instance):
        """Recover `instance` if one of these operations was cut short;
        whether it did (else the caller's usual recovery goes on)."""
        task = instance.task_state
        if task in _IMAGE_KEYS:
            self._drop_image(ctxt, instance, _IMAGE_KEYS[task])
        elif task == TaskState.SHELVING_OFFLOADING:
            LOG.info("Finishing the interrupted offload of %s", instance.uuid)
            self.manager.shelves.shelve_offload_instance(ctxt, instance)
        elif task == TaskState.SPAWNING and instance.vm_state in (VmState.SHELVED,
                                                               VmState.SHELVED_OFFLOADED):
            self._undo_unshelve(ctxt, instance)
        elif task == TaskState.REBUILD_SPAWNING and not self._migrating(ctxt, instance):
            self._fail(ctxt, instance, "Rebuild", {"vm_state": VmState.ERROR})
        else:
            return False
        return True

    def _migrating(self, ctxt, instance):
        # An evacuation spawns in rebuild_spawning too, on another host while
        # the server's host is still this (dead) one: that is not ours to fail.
        return self.conductor_api.migration_get_in_progress(ctxt, instance.uuid) is not None

    def _drop_image(self, ctxt, instance, key):
        image_id = (instance.system_metadata or {}).get(key)
        LOG.info("Removing the half-written image %s of %s", image_id, instance.uuid)
        if image_id:
            self.manager.snapshots.delete_image_quietly(ctxt, image_id)
        saved = self.update_if_unchanged(ctxt, instance, {
            "task_state": None, "system_metadata": without(instance.system_metadata, (key,))})
        if saved is not None:  # the usual power-state sync, as for the others
            self.manager.recovery.sync_instance(ctxt, saved)

    def _undo_unshelve(self, ctxt, instance):
        if instance.vm_state == VmState.SHELVED:
            self._fail(ctxt, instance, "Unshelve", {})
            return
        self.destroy_quietly(ctxt, instance)
        try:
            self.manager.shelves.offload_commit(ctxt, instance, TaskState.SPAWNING,
                                                VmState.SHELVED_OFFLOADED)
        except CAS_CONFLICT:
            return
        self._fault(ctxt, instance, "Unshelve")

    def _fail(self, ctxt, instance, what, values):
        if self.update_if_unchanged(ctxt, instance, dict(values, task_state=None)) is not None:
            self._fault(ctxt, instance, what)

    def _fault(self, ctxt, instance, what):
        self.failures.interrupted(ctxt, instance.uuid, INTERRUPTED.format(
            what=what, uuid=instance.uuid, host=self.host))
