"""Live migration on the source and destination hosts (Nova's
ComputeManager live-migration endpoints).

The conductor has recorded the migration (pre-migrating), claimed room on
the destination and cast `live_migration` to the source. The source then
has the destination prepare (a call), moves the migration to migrating,
lets the driver move the guest, moves it to post-migrating and has the
destination take the server over in one commit (host, node, states,
migration completed, the source's claim released); last it removes what
is left of the guest locally.

Any failure before the destination's commit rolls back: the server stays
ACTIVE (or PAUSED) on the source with no task, the migration is error,
the destination's claim is released in the same commit and the
destination removes what it had of the guest.

Every step is a compare-and-swap on the migration's status (or the
server's task_state), so a second delivery of a message finds its work
done and stops."""
import logging

from stratus.common import exception
from stratus.common.endpoint import endpoint
from stratus.common.vocabulary import MigrationStatus, MigrationType, TaskState, VmState
from stratus.compute.failures import fault_of
from stratus.compute.operation import Operation

LOG = logging.getLogger(__name__)

LIVE_MIGRATION_EVENT = "compute_live_migration"
PRE_EVENT = "compute_pre_live_migration"
POST_EVENT = "compute_post_live_migration_at_destination"
ROLLBACK_EVENT = "compute_rollback_live_migration_at_destination"
# Where a rollback may find the migration: anywhere before the commit.
_ROLLBACK_FROM = [MigrationStatus.PRE_MIGRATING, MigrationStatus.MIGRATING,
                  MigrationStatus.POST_MIGRATING]


class LiveMigration(Operation):
    """Live migration on the source and destination hosts."""

    # checks (calls from the conductor, then from the destination)
    @endpoint(since="1.3")
    def check_can_live_migrate_destination(self, ctxt, instance, block_migration):
        """Destination: gather this host's data, have the source check it
        against its own, return the migrate_data both go by."""
        data = self.driver.check_can_live_migrate_destination(ctxt, instance, block_migration)
        try:
            return self.compute_rpc.check_can_live_migrate_source(ctxt, instance.host,
                                                                  instance, data)
        finally:
            self.driver.cleanup_live_migration_destination_check(ctxt, data)

    @endpoint(since="1.3")
    def check_can_live_migrate_source(self, ctxt, instance, dest_check_data):
        """Source: decide block migration and check the storage fits."""
        return self.driver.check_can_live_migrate_source(ctxt, instance, dest_check_data)

    # the destination's steps
    @endpoint(since="1.3")
    def pre_live_migration(self, ctxt, instance, migrate_data):
        """Destination: get ready for the guest (idempotent)."""
        self.event_start(ctxt, instance.uuid, PRE_EVENT)
        try:
            migrate_data = self.driver.pre_live_migration(
                ctxt, instance, self.image_for(ctxt, instance), migrate_data)
        except Exception:
            self.failures.event_error(ctxt, instance.uuid, PRE_EVENT)
            raise
        self.event_finish(ctxt, instance.uuid, PRE_EVENT, "Success")
        return migrate_data

    @endpoint(since="1.3")
    def post_live_migration_at_destination(self, ctxt, instance, migration, migrate_data):
        """Destination: run the guest as it ran on the source, then take
        the server over in one commit."""
        uuid = instance.uuid
        self.event_start(ctxt, uuid, POST_EVENT)
        try:
            progress = self.driver.post_live_migration_at_destination(ctxt, instance,
                                                                      migrate_data)
            power_state = self.driver.get_info(instance)
            self.conductor_api.instance_move_commit(
                ctxt, uuid, {"host": self.host, "node": migration.dest_node,
                             "power_state": power_state, "task_state": None},
                migration_id=migration.id,
                migration_values=dict(progress or {}, status=MigrationStatus.COMPLETED),
                release_node_id=migration.source_node_id,
                expected_task_state=[TaskState.MIGRATING])
        except exception.UnexpectedTaskStateError:
            if self.conductor_api.instance_get(ctxt, uuid).host != self.host:
                self.failures.event_error(ctxt, uuid, POST_EVENT)
                raise  # rolled back meanwhile
            LOG.info("Live migration of %s was already committed here", uuid)
        except Exception:
            self.failures.event_error(ctxt, uuid, POST_EVENT)
            raise
        self.event_finish(ctxt, uuid, POST_EVENT, "Success")

    @endpoint(since="1.3")
    def rollback_live_migration_at_destination(self, ctxt, instance, migrate_data):
        """Destination: remove what this host has of a guest whose migration
        failed; never the guest of a server this host now runs."""
        uuid = instance.uuid
        try:
            if self.conductor_api.instance_get(ctxt, uuid).host == self.host:
                LOG.warning("Not rolling back %s: the server runs here", uuid)
                return
        except exception.InstanceNotFound:
            pass  # deleted meanwhile: its guest here is still ours to remove
        self.event_start(ctxt, uuid, ROLLBACK_EVENT)
        try:
            self.driver.rollback_live_migration_at_destination(ctxt, instance, migrate_data)
        except Exception:
            self.failures.event_error(ctxt, uuid, ROLLBACK_EVENT)
            raise
        self.event_finish(ctxt, uuid, ROLLBACK_EVENT, "Success")

    # the source's steps
    @endpoint(since="1.3")
    def live_migration(self, ctxt, instance, migration, migrate_data):
        """Source: prepare the destination, move the guest, hand over."""
        current = self.conductor_api.migration_get(ctxt, migration.id)
        if current.status != MigrationStatus.PRE_MIGRATING:
            LOG.info("Live migration %s is %s: nothing to do", migration.id, current.status)
            return
        self.event_start(ctxt, instance.uuid, LIVE_MIGRATION_EVENT)
        try:
            migrate_data = self.compute_rpc.pre_live_migration(
                ctxt, migration.dest_compute, instance, migrate_data)
            self.conductor_api.migration_update(
                ctxt, migration.id, {"status": MigrationStatus.MIGRATING},
                expected_status=MigrationStatus.PRE_MIGRATING)
        except exception.MigrationStatusConflict:
            LOG.info("Live migration %s was taken over by another delivery", migration.id)
            return
        except Exception as exc:
            self._rollback(ctxt, instance, migration, migrate_data, exc)
            raise
        try:
            self.driver.live_migration(ctxt, instance, migrate_data,
                                       lambda progress: self.conductor_api.migration_update(
                                           ctxt, migration.id, progress))
        except Exception as exc:
            self._rollback(ctxt, instance, migration, migrate_data, exc)
            raise
        self._post(ctxt, instance, migration, migrate_data)

    def _post(self, ctxt, instance, migration, migrate_data):
        """The guest runs on the destination: post-migrating, the
        destination's commit, then the source's own clean-up."""
        try:
            self.conductor_api.migration_update(
                ctxt, migration.id, {"status": MigrationStatus.POST_MIGRATING},
                expected_status=MigrationStatus.MIGRATING)
        except exception.MigrationStatusConflict:
            LOG.info("Live migration %s moved on without us", migration.id)
            return
        self._hand_over(ctxt, instance, migration, migrate_data)

    def _hand_over(self, ctxt, instance, migration, migrate_data):
        try:
            self.compute_rpc.post_live_migration_at_destination(
                ctxt, migration.dest_compute, instance, migration, migrate_data)
        except Exception as exc:
            if self.conductor_api.instance_get(ctxt, instance.uuid).host == self.host:
                self._after_failed_post(ctxt, instance, migration, migrate_data, exc)
                raise
            LOG.info("The destination took %s over despite: %s", instance.uuid, exc)
        try:
            self.driver.post_live_migration(ctxt, instance, migrate_data)
        except Exception:  # the server runs on the destination; leftovers are logged
            LOG.exception("Could not clean up %s on %s after its live migration",
                          instance.uuid, self.host)
        self.event_finish(ctxt, instance.uuid, LIVE_MIGRATION_EVENT, "Success")

    def _after_failed_post(self, ctxt, instance, migration, migrate_data, exc):
        """The destination did not take the server over. With the guest
        still here (the test driver's migration, or a failure before
        libvirt moved it) it is a rollback; a guest that libvirt already
        moved runs on the destination, which the record does not say:
        ERROR, for an operator, with both claims kept."""
        if self.driver.instance_exists(instance):
            self._rollback(ctxt, instance, migration, migrate_data, exc)
            return
        message = fault_of(exc)[1]
        self.conductor_api.instance_move_commit(
            ctxt, instance.uuid, {"vm_state": VmState.ERROR, "task_state": None},
            migration_id=migration.id,
            migration_values={"status": MigrationStatus.ERROR, "error": message},
            expected_task_state=[TaskState.MIGRATING])
        self.failures.record(
            ctxt, instance.uuid, LIVE_MIGRATION_EVENT, exc,
            message=f"Guest moved to {migration.dest_compute} but it did not take it over: "
                    f"{message}")

    def _rollback(self, ctxt, instance, migration, migrate_data, exc):
        """The guest still runs here: the server stays, with no task; the
        migration is error and the destination's claim released in one
        commit; then the destination removes what it had."""
        uuid = instance.uuid
        try:
            self.conductor_api.migration_update(
                ctxt, migration.id, {"status": MigrationStatus.ERROR,
                                     "error": fault_of(exc)[1]},
                expected_status=_ROLLBACK_FROM)
            self.conductor_api.instance_move_commit(
                ctxt, uuid, {"task_state": None, "power_state": self.power_state(instance)},
                release_node_id=migration.dest_node_id, expected_task_state=[TaskState.MIGRATING])
        except (exception.MigrationStatusConflict, exception.UnexpectedTaskStateError,
                exception.InstanceNotFound) as gone:
            LOG.info("Rollback of %s overtaken: %s", uuid, gone)
            return
        self.compute_rpc.rollback_live_migration_at_destination(
            ctxt, migration.dest_compute, instance, migrate_data or {})
        self.failures.record(ctxt, uuid, LIVE_MIGRATION_EVENT, exc)

    # restart
    def recover(self, ctxt, instance):
        """Start-up of the source (stratus.compute.recovery): a server left
        in task_state migrating here. Before `migrating` the queued
        messages carry on by themselves (acks_late). A migration that was
        moving the guest when this process stopped (libvirt aborts a
        peer-to-peer job when its client goes) is rolled back if the guest
        is still here, else handed over; one in post-migrating is handed over."""
        migration = self.conductor_api.migration_get_in_progress(ctxt, instance.uuid)
        if (migration is None or migration.migration_type != MigrationType.LIVE_MIGRATION
                or migration.source_compute != self.host):
            return
        data = migration.migrate_data or {}
        if migration.status == MigrationStatus.MIGRATING:
            if self.driver.instance_exists(instance):
                reason = exception.HypervisorError(
                    reason=f"compute host {self.host} restarted during the live migration")
                self._rollback(ctxt, instance, migration, data, reason)
            else:
                self._post(ctxt, instance, migration, data)
        elif migration.status == MigrationStatus.POST_MIGRATING:
            self._hand_over(ctxt, instance, migration, data)
