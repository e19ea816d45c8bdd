"""What a compute host's start-up does about resizes, cold migrations and
evacuations its restart interrupted (a part of stratus.compute.recovery;
live migrations recover in stratus.compute.live_migration).

A message being handled when the host stopped is delivered again later
(acks_late), but each step's compare-and-swap only lets it through from
the state before the step; the recovery here puts every interrupted step
back where a message, a user or the conductor can take it on."""
import logging

from stratus.common import exception
from stratus.common.vocabulary import (CAS_CONFLICT, MigrationStatus, MigrationType, TaskState,
                                       VmState)
from stratus.compute.operation import Operation

LOG = logging.getLogger(__name__)

INTERRUPTED = "The {step} of instance {uuid} was interrupted by a restart of {host}"
# An evacuation from this host that may have put the server elsewhere.
_EVACUATED = (MigrationStatus.ACCEPTED, MigrationStatus.PRE_MIGRATING, MigrationStatus.DONE)


class MigrationRecovery(Operation):
    """The start-up rules for this host's interrupted migrations."""

    def destroy_evacuated_guests(self, ctxt):
        """Remove the guests of the servers evacuated from this host while it
        was down (Nova's _destroy_evacuated_instances), marking each
        evacuation completed. Only a migration of type evacuation counts: a
        server elsewhere for another reason (VERIFY_RESIZE keeps its old guest
        here) is left alone. Files stay: on shared storage the server's new
        host uses them."""
        migrations = self.conductor_api.migration_get_all(ctxt, filters={
            "source_compute": self.host, "migration_type": MigrationType.EVACUATION,
            "status": list(_EVACUATED)})
        for migration in migrations:
            try:
                self._destroy_evacuated_guest(ctxt, migration)
            except Exception:  # one broken record must not keep the host down
                LOG.exception("Could not clean up the evacuation of %s",
                              migration.instance_uuid)

    def _destroy_evacuated_guest(self, ctxt, migration):
        try:
            instance = self.conductor_api.instance_get(ctxt, migration.instance_uuid,
                                                       read_deleted=True)
        except exception.InstanceNotFound:
            instance = None
        if instance is not None and instance.host == self.host and not instance.deleted:
            return  # not moved yet: the evacuation's destination is still at work
        if instance is not None and self.driver.instance_exists(instance):
            LOG.warning("Removing the guest of %s, evacuated to %s", migration.instance_uuid,
                        migration.dest_compute)
            self.driver.destroy_guest_only(ctxt, instance)
        try:
            self.conductor_api.migration_update(
                ctxt, migration.id, {"status": MigrationStatus.COMPLETED},
                expected_status=migration.status)
        except exception.MigrationStatusConflict:
            pass

    def recover_incoming(self, ctxt):
        """A resize this host was finishing as its destination (the server is
        still the source's): take the step again from its start."""
        migrations = self.conductor_api.migration_get_all(ctxt, filters={
            "dest_compute": self.host, "status": MigrationStatus.POST_MIGRATING})
        for migration in migrations:
            try:
                instance = self.update(ctxt, migration.instance_uuid,
                                       {"task_state": TaskState.RESIZE_MIGRATED},
                                       expected_task_state=[TaskState.RESIZE_FINISH])
            except CAS_CONFLICT:
                continue  # not interrupted here: its message is still to come
            LOG.info("Finishing the interrupted resize of %s again", instance.uuid)
            try:
                self.manager.resizes.finish_resize(ctxt, instance, migration)
            except Exception:  # recorded as a fault by finish_resize; the host starts anyway
                LOG.exception("Could not finish the resize of %s", instance.uuid)

    def recover(self, ctxt, instance):
        """An instance of this host in the middle of a migration; True when
        handled here (the caller then leaves it alone)."""
        if instance.task_state == TaskState.RESIZE_MIGRATING:
            self._undo_source_step(ctxt, instance)
            return True
        if instance.task_state == TaskState.RESIZE_MIGRATED:
            migration = self.conductor_api.migration_get_in_progress(ctxt, instance.uuid)
            if migration is not None:
                # The hand-over may have been lost with the restart; the
                # destination's compare-and-swap ignores a duplicate.
                self.compute_rpc.finish_resize(ctxt, migration.dest_compute, instance,
                                               migration)
            return True
        if instance.task_state == TaskState.RESIZE_REVERTING:
            migration = self.conductor_api.migration_get_in_progress(ctxt, instance.uuid)
            if migration is not None:
                self.manager.resizes.revert_resize(ctxt, instance, migration)
            return True
        if instance.vm_state == VmState.RESIZED and instance.task_state is None:
            self._redefine_resized_guest(ctxt, instance)
        return False

    def _redefine_resized_guest(self, ctxt, instance):
        """A server waiting in VERIFY_RESIZE here whose guest is gone (the test
        driver's guests die with the compute process): define it again from
        the disk this host already has, so that a confirm finds it."""
        if self.driver.instance_exists(instance):
            return
        migration = self.conductor_api.migration_get_in_progress(ctxt, instance.uuid)
        if migration is None or migration.dest_compute != self.host:
            return
        data = migration.migrate_data or {}
        LOG.info("Defining the guest of resized instance %s again", instance.uuid)
        self.driver.finish_migration(ctxt, instance, instance.flavor, data.get("disk_info"),
                                     data.get("old_vm_state") != VmState.STOPPED)

    def _undo_source_step(self, ctxt, instance):
        """The source stopped while powering off and keeping the disk: put the
        guest back as it was; the migration ends in error, the destination's
        claim is released."""
        migration = self.conductor_api.migration_get_in_progress(ctxt, instance.uuid)
        message = INTERRUPTED.format(step="resize", uuid=instance.uuid, host=self.host)
        try:
            self.driver.finish_revert_migration(ctxt, instance, instance.flavor,
                                                instance.vm_state != VmState.STOPPED)
        except Exception:  # the server is still recorded; the fault says what happened
            LOG.exception("Could not restore the guest of %s", instance.uuid)
        try:
            self.conductor_api.instance_move_commit(
                ctxt, instance.uuid, {"task_state": None},
                migration_id=migration.id if migration else None,
                migration_values={"status": MigrationStatus.ERROR, "error": message},
                release_node_id=migration.dest_node_id if migration else None,
                source_claim="restore" if migration else None,
                expected_task_state=[TaskState.RESIZE_MIGRATING])
        except CAS_CONFLICT:
            return
        self.failures.interrupted(ctxt, instance.uuid, message)
