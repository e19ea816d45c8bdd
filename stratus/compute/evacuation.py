"""Evacuation on the destination host: the server of a dead host is
spawned here from its image, and the dead source's claim is released
with the migration in one commit."""
import logging

from stratus.common.endpoint import endpoint
from stratus.common.objects import Image
from stratus.common.vocabulary import CAS_CONFLICT, MigrationStatus, TaskState, VmState
from stratus.compute.operation import Operation

LOG = logging.getLogger(__name__)

EVENT = "compute_rebuild_instance"


class Evacuation(Operation):
    """Rebuilds an evacuated server on this host."""

    @endpoint(since="1.3")
    def evacuate_instance(self, ctxt, instance, migration, image):
        """Spawn the server of a dead host here from its image; the dead
        source's claim is released with the migration."""
        if self.claim(ctxt, instance, TaskState.REBUILDING, TaskState.REBUILD_SPAWNING,
                      self.event(ctxt, EVENT)) is None:
            return
        stopped = (instance.vm_state == VmState.STOPPED
                   or (migration.migrate_data or {}).get("target_state") == VmState.STOPPED)
        power_state = self._spawn(ctxt, instance, migration, image, stopped)
        self._take_over(ctxt, instance, migration, power_state, stopped)

    def _spawn(self, ctxt, instance, migration, image, stopped):
        """The guest spawned (and powered off when it should be stopped);
        its power state. A failure is recorded and raised."""
        image = Image.from_dict(image) if isinstance(image, dict) else image
        try:
            self.driver.spawn(ctxt, instance, image, instance.flavor)
            if stopped:
                self.driver.power_off(instance, 0)
            return self.driver.get_info(instance)
        except Exception as exc:
            # Files stay: on shared storage they are the source's disk.
            self.driver.destroy_guest_only(ctxt, instance)
            self.fail_migration_step(ctxt, instance, migration, EVENT, exc,
                                     {"vm_state": VmState.ERROR, "task_state": None},
                                     expected=[TaskState.REBUILD_SPAWNING],
                                     status=MigrationStatus.FAILED,
                                     release_node_id=migration.dest_node_id)
            raise

    def _take_over(self, ctxt, instance, migration, power_state, stopped):
        """The server is this host's, its migration done, the dead
        source's claim released: one commit."""
        values = {"host": self.host, "node": migration.dest_node, "task_state": None,
                  "vm_state": VmState.STOPPED if stopped else VmState.ACTIVE,
                  "power_state": power_state}
        try:
            self.conductor_api.instance_move_commit(
                ctxt, instance.uuid, values, migration_id=migration.id,
                migration_values={"status": MigrationStatus.DONE},
                release_node_id=migration.source_node_id,
                expected_task_state=[TaskState.REBUILD_SPAWNING])
        except CAS_CONFLICT as exc:
            LOG.info("Instance %s went away while it was evacuated: %s", instance.uuid, exc)
            self.destroy_quietly(ctxt, instance)
            return
        self.event_finish(ctxt, instance.uuid, EVENT, "Success")
