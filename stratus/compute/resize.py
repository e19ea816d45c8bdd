"""Resize and cold migration (a resize that keeps the flavor) on the
compute hosts.

Each endpoint first claims its step with a compare-and-swap (the
instance's task_state, or the migration's status), so a second delivery
of its message finds the step taken and stops. The step that takes the
server from host to host is one instance_move_commit: the instance, its
migration and the release of a claim together."""
import logging

from stratus.common import exception
from stratus.common.endpoint import endpoint
from stratus.common.vocabulary import CAS_CONFLICT, MigrationStatus, TaskState, VmState
from stratus.compute.failures import fault_of
from stratus.compute.operation import Operation
from stratus.config import get_settings

LOG = logging.getLogger(__name__)

RESIZE_EVENT = "compute_resize_instance"


def _sized(flavor):
    """The instance values that follow its flavor."""
    return {"flavor": flavor, "vcpus": flavor.vcpus, "memory_mb": flavor.memory_mb,
            "root_gb": flavor.root_gb, "ephemeral_gb": flavor.ephemeral_gb}


def _old_vm_state(migration):
    """The vm_state the server had before its migration (active or stopped)."""
    return (migration.migrate_data or {}).get("old_vm_state") or VmState.ACTIVE


class Resize(Operation):
    """Resize and cold migration on a compute host."""

    # source: power off and keep the disk
    @endpoint(since="1.3")
    def resize_instance(self, ctxt, instance, migration):
        """On the source: power off, keep the disk aside, hand over to
        the destination's finish_resize."""
        instance = self._claim_source(ctxt, instance, migration)
        if instance is None:
            return
        self.event_start(ctxt, instance.uuid, RESIZE_EVENT)
        try:
            disk_info = self.driver.migrate_disk_and_power_off(
                ctxt, instance, get_settings().shutdown_timeout)
        except Exception as exc:
            self._undo_resize_on_source(ctxt, instance, migration, exc)
            raise
        instance = self._disk_kept(ctxt, instance, migration, disk_info)
        if instance is None:
            return
        self.event_finish(ctxt, instance.uuid, RESIZE_EVENT, "Success")
        migration = self.conductor_api.migration_get(ctxt, migration.id)
        self.compute_rpc.finish_resize(ctxt, migration.dest_compute, instance, migration)

    def _claim_source(self, ctxt, instance, migration):
        """The server and its migration to migrating, or None when a first
        delivery (or a delete) took it."""
        try:
            return self.conductor_api.instance_move_commit(
                ctxt, instance.uuid, {"task_state": TaskState.RESIZE_MIGRATING},
                migration_id=migration.id,
                migration_values={"status": MigrationStatus.MIGRATING},
                expected_task_state=[TaskState.RESIZE_PREP])
        except CAS_CONFLICT as exc:
            LOG.info("Resize of %s: nothing to do (%s)", migration.instance_uuid, exc)
            return None

    def _disk_kept(self, ctxt, instance, migration, disk_info):
        """Record the powered-off guest and where its disk is kept (for the
        destination); None when the server went away meanwhile."""
        data = dict(migration.migrate_data or {}, disk_info=disk_info,
                    old_vm_state=instance.vm_state)
        try:
            return self.conductor_api.instance_move_commit(
                ctxt, instance.uuid, {"task_state": TaskState.RESIZE_MIGRATED,
                                      "power_state": self.power_state(instance)},
                migration_id=migration.id,
                migration_values={"status": MigrationStatus.POST_MIGRATING,
                                  "migrate_data": data},
                expected_task_state=[TaskState.RESIZE_MIGRATING])
        except CAS_CONFLICT as exc:
            # Deleted meanwhile: its delete removed the guest, not the kept disk.
            LOG.info("Instance %s went away while it was resized: %s", instance.uuid, exc)
            self.driver.confirm_migration(ctxt, instance)
            self.event_finish(ctxt, instance.uuid, RESIZE_EVENT, "Error", str(exc))
            return None

    def _undo_resize_on_source(self, ctxt, instance, migration, exc):
        """The guest back as it was here, the destination's claim given back."""
        power_on = instance.vm_state != VmState.STOPPED
        try:
            self.driver.finish_revert_migration(ctxt, instance, instance.flavor, power_on)
        except Exception:  # the fault below reports the first error
            LOG.exception("Could not restore the guest of %s on %s", instance.uuid, self.host)
        self.fail_migration_step(ctxt, instance, migration, RESIZE_EVENT, exc,
                                 {"task_state": None}, expected=[TaskState.RESIZE_MIGRATING],
                                 status=MigrationStatus.ERROR,
                                 release_node_id=migration.dest_node_id, source_claim="restore")

    # destination: the guest with the new flavor
    @endpoint(since="1.3")
    def finish_resize(self, ctxt, instance, migration):
        """On the destination: define and boot the guest with the new
        flavor; the server ends VERIFY_RESIZE on this host."""
        event = "compute_finish_resize"
        if self.claim(ctxt, instance, TaskState.RESIZE_MIGRATED, TaskState.RESIZE_FINISH,
                      self.event(ctxt, event)) is None:
            return
        migration = self.conductor_api.migration_get(ctxt, migration.id)
        data = migration.migrate_data or {}
        try:
            self.driver.finish_migration(ctxt, instance, migration.new_flavor,
                                         data.get("disk_info"),
                                         _old_vm_state(migration) != VmState.STOPPED)
            power_state = self.driver.get_info(instance)
        except Exception as exc:
            self._revert_failed_finish(ctxt, instance, migration, event, exc)
            raise
        values = dict(_sized(migration.new_flavor), host=self.host, node=migration.dest_node,
                      vm_state=VmState.RESIZED, task_state=None, power_state=power_state)
        try:
            self.conductor_api.instance_move_commit(
                ctxt, instance.uuid, values, migration_id=migration.id,
                migration_values={"status": MigrationStatus.FINISHED},
                expected_task_state=[TaskState.RESIZE_FINISH])
        except CAS_CONFLICT as exc:
            LOG.info("Instance %s went away while it was resized: %s", instance.uuid, exc)
            self.destroy_quietly(ctxt, instance)
            return
        self.event_finish(ctxt, instance.uuid, event, "Success")

    def _revert_failed_finish(self, ctxt, instance, migration, event, exc):
        """Nothing runs here: give the server back to the source, which
        still keeps its disk; the migration ends in error there."""
        self.destroy_quietly(ctxt, instance)
        self.failures.record(ctxt, instance.uuid, event, exc)
        try:
            instance = self.conductor_api.instance_move_commit(
                ctxt, instance.uuid, {"task_state": TaskState.RESIZE_REVERTING},
                migration_id=migration.id,
                migration_values={"status": MigrationStatus.REVERTING,
                                  "error": fault_of(exc)[1]},
                expected_task_state=[TaskState.RESIZE_FINISH])
        except CAS_CONFLICT:
            return
        migration = self.conductor_api.migration_get(ctxt, migration.id)
        self.compute_rpc.finish_revert_resize(ctxt, migration.source_compute, instance,
                                              migration)

    # confirm: on the source
    @endpoint(since="1.3")
    def confirm_resize(self, ctxt, instance, migration):
        """On the source: remove the old guest and the kept disk, release
        this host's claim; the server ends ACTIVE (or SHUTOFF)."""
        migration = self.conductor_api.migration_get(ctxt, migration.id)
        if migration.status != MigrationStatus.CONFIRMING:
            return  # a second delivery
        event = "compute_confirm_resize"
        self.event_start(ctxt, instance.uuid, event)
        try:
            # A resize on one host: the guest here is the resized one.
            self.driver.confirm_migration(ctxt, instance,
                                          keep_guest=migration.dest_compute == self.host)
        except Exception as exc:
            self.fail_migration_step(ctxt, instance, migration, event, exc,
                                     {"vm_state": VmState.ERROR}, expected=[None],
                                     status=MigrationStatus.ERROR, release_node_id=None,
                                     source_claim="release")
            raise
        try:
            self.conductor_api.instance_move_commit(
                ctxt, instance.uuid, {"vm_state": _old_vm_state(migration)},
                migration_id=migration.id,
                migration_values={"status": MigrationStatus.CONFIRMED},
                source_claim="release", expected_task_state=[None],
                expected_vm_state=VmState.RESIZED)
        except CAS_CONFLICT as exc:
            # Deleted meanwhile (a delete in VERIFY_RESIZE confirms first).
            LOG.info("Confirm of %s overtaken: %s", instance.uuid, exc)
            self._migration_ends(ctxt, migration, MigrationStatus.CONFIRMING,
                                 MigrationStatus.CONFIRMED)
            return
        self.event_finish(ctxt, instance.uuid, event, "Success")

    def _migration_ends(self, ctxt, migration, expected, status):
        try:
            self.conductor_api.migration_update(ctxt, migration.id, {"status": status},
                                                expected_status=expected)
        except exception.MigrationStatusConflict:
            pass

    def drop_resize_source(self, ctxt, instance):
        """A server deleted in VERIFY_RESIZE: its old guest and kept disk on
        the source go with it (Nova confirms the resize on delete)."""
        if instance.vm_state != VmState.RESIZED:
            return
        migration = self.conductor_api.migration_get_in_progress(ctxt, instance.uuid)
        if migration is None:
            return
        if migration.source_compute == self.host:
            # A resize on this host: the delete removes the guest, the
            # disk kept for a revert goes here.
            self.driver.confirm_migration(ctxt, instance, keep_guest=True)
            return
        try:
            migration = self.conductor_api.migration_update(
                ctxt, migration.id, {"status": MigrationStatus.CONFIRMING},
                expected_status=MigrationStatus.FINISHED)
        except exception.MigrationStatusConflict:
            return  # a confirm or revert is on its way already
        self.compute_rpc.confirm_resize(ctxt, migration.source_compute, instance, migration)

    # revert: the destination lets go, the source takes the server back
    @endpoint(since="1.3")
    def revert_resize(self, ctxt, instance, migration):
        """On the destination: remove the new guest and its disk, then
        hand over to the source's finish_revert_resize."""
        migration = self.conductor_api.migration_get(ctxt, migration.id)
        instance = self.conductor_api.instance_get(ctxt, instance.uuid)
        if migration.status != MigrationStatus.REVERTING or instance.host != self.host:
            return  # a second delivery after the source took the server back
        event = "compute_revert_resize"
        self.event_start(ctxt, instance.uuid, event)
        # The source's disk is kept under another name: this removes ours only.
        self.driver.destroy(ctxt, instance)
        self.event_finish(ctxt, instance.uuid, event, "Success")
        self.compute_rpc.finish_revert_resize(ctxt, migration.source_compute, instance,
                                              migration)

    @endpoint(since="1.3")
    def finish_revert_resize(self, ctxt, instance, migration):
        """On the source: restore the kept disk and the old flavor; the
        server is back here, the destination's claim released."""
        migration = self.conductor_api.migration_get(ctxt, migration.id)
        if migration.status != MigrationStatus.REVERTING:
            return  # a second delivery
        event = "compute_finish_revert_resize"
        self.event_start(ctxt, instance.uuid, event)
        vm_state = _old_vm_state(migration)
        try:
            self.driver.finish_revert_migration(ctxt, instance, migration.old_flavor,
                                                vm_state != VmState.STOPPED)
            power_state = self.driver.get_info(instance)
        except Exception as exc:
            back = {"host": self.host, "node": migration.source_node,
                    "vm_state": VmState.ERROR, "task_state": None}
            self.fail_migration_step(ctxt, instance, migration, event, exc, back,
                                     expected=[TaskState.RESIZE_REVERTING],
                                     status=MigrationStatus.ERROR,
                                     release_node_id=migration.dest_node_id,
                                     source_claim="restore")
            raise
        values = dict(_sized(migration.old_flavor), host=self.host, node=migration.source_node,
                      vm_state=vm_state, task_state=None, power_state=power_state)
        final = MigrationStatus.ERROR if migration.error else MigrationStatus.REVERTED
        try:
            self.conductor_api.instance_move_commit(
                ctxt, instance.uuid, values, migration_id=migration.id,
                migration_values={"status": final}, release_node_id=migration.dest_node_id,
                source_claim="restore", expected_task_state=[TaskState.RESIZE_REVERTING])
        except CAS_CONFLICT as exc:
            LOG.info("Revert of %s overtaken: %s", instance.uuid, exc)
            return
        self.event_finish(ctxt, instance.uuid, event, "Success")
