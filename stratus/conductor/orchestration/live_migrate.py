"""Live migration (Nova's LiveMigrationTask), and the reaper's rule for
one that stopped moving.

The API has put the server in task_state migrating. Here: a migration
record (accepted), a destination chosen by the scheduler, which claims room
on it (or, forced, claimed on the named host directly), both hosts' checks
(the destination asks the source; their reply continues in
live_migrate_checked), then pre-migrating and a cast to the source,
which does the rest. Any failure before that
cast leaves the server as it was on its source: migration error, task_state
None, the destination's claim released, the event Error."""
import logging

from stratus.common import exception, rpc
from stratus.conductor import convert
from stratus.conductor.db import hosts, instances, migration_records
from stratus.conductor.db.session import transaction
from stratus.conductor.orchestration import migration_spec
from stratus.conductor.orchestration.base import TaskBase
from stratus.common.vocabulary import CAS_CONFLICT, MigrationStatus, MigrationType, TaskState
from stratus.common.endpoint import endpoint

LOG = logging.getLogger(__name__)

LIVE_MIGRATE_EVENT = "conductor_live_migrate_instance"
# The conductor API version that brought live_migrate_checked: from it, no
# conductor thread waits for the hosts' checks.
CHECKED = "1.15"


class LiveMigrationTask(TaskBase):
    """live_migrate_instance and live_migrate_on_selection."""

    @endpoint(since="1.3")
    def live_migrate_instance(self, ctxt, instance_uuid, host, block_migration, force=False):
        """Record the move, then pick and claim the destination: `host`
        (checked by the filters unless `force`) or the scheduler's choice."""
        migration = _record(ctxt, instance_uuid, host)
        if migration is None:
            return  # a second delivery, or the server went away meanwhile
        try:
            instance = _migrating(instance_uuid)
            _check_source_up(instance)
            if host and force:
                _claim_forced(instance, migration, host)
                self._check_and_cast(ctxt, instance, migration.id, block_migration)
                return
            self._schedule(ctxt, instance, migration.id, block_migration, host)
        except Exception as exc:  # any failure before the cast: nothing moved
            _fail(ctxt, instance_uuid, migration.id, _message(exc))

    @endpoint(since="1.3")
    def live_migrate_on_selection(self, ctxt, instance_uuid, migration_id, block_migration,
                                  reply):
        """The scheduler chose (and claimed) a destination, or found none."""
        try:
            chosen = rpc.unwrap(reply)[0][0]
        except exception.StratusException as exc:
            _fail(ctxt, instance_uuid, migration_id, exc.message)
            return
        try:
            with transaction() as session:
                migration_records.migration_update(session, migration_id, {
                    "dest_compute": chosen.host, "dest_node": chosen.nodename,
                    "dest_node_id": chosen.compute_node_id, "dest_host": chosen.host},
                    expected_status=MigrationStatus.ACCEPTED)
        except exception.MigrationStatusConflict:
            # A second delivery (the first one went on), or a failure
            # meanwhile: room not recorded on the migration is nobody's.
            _release_unrecorded(instance_uuid, migration_id, chosen.compute_node_id)
            return
        try:
            instance = _migrating(instance_uuid)
            self._check_and_cast(ctxt, instance, migration_id, block_migration)
        except Exception as exc:  # any failure before the cast: nothing moved
            _fail(ctxt, instance_uuid, migration_id, _message(exc))

    def _schedule(self, ctxt, instance, migration_id, block_migration, host):
        """Ask the scheduler for a destination away from the source; its
        reply continues in live_migrate_on_selection."""
        with transaction() as session:
            spec = migration_spec.request_spec(session, instance, away_from=instance.host,
                                               host=host)
        self.select_then(ctxt, spec, instance.uuid, "live_migrate_on_selection",
                         migration_id=migration_id, block_migration=block_migration)

    def _check_and_cast(self, ctxt, instance, migration_id, block_migration):
        """Both hosts' checks, whose reply continues in live_migrate_checked."""
        with transaction() as session:
            migration = convert.migration(migration_records.migration_get(session, migration_id))
        if migration.dest_compute == instance.host:
            raise exception.MigrationPreCheckError(
                reason=f"Unable to migrate instance ({instance.uuid}) to current host "
                       f"({instance.host}).")
        if not self.compute_task_api.can_send_version(CHECKED):
            # Capped below it, older conductors (which would not know the
            # continuation) serve the queue too: wait here, as they do.
            with rpc.waiting_allowed():
                migrate_data = self.compute_api.check_can_live_migrate_destination(
                    ctxt, migration.dest_compute, instance, block_migration)
            self._cast(ctxt, instance, migration_id, migrate_data)
            return
        reply_to = self.compute_task_api.continuation(
            "live_migrate_checked", instance_uuid=instance.uuid, migration_id=migration_id)
        self.compute_api.check_can_live_migrate_destination(
            ctxt, migration.dest_compute, instance, block_migration, reply_to=reply_to)

    @endpoint(since=CHECKED)
    def live_migrate_checked(self, ctxt, instance_uuid, migration_id, reply):
        """Both hosts' checks passed (the migrate_data they agree on) or
        failed: start the move, or fail it."""
        try:
            migrate_data = rpc.unwrap(reply)
            self._cast(ctxt, _migrating(instance_uuid), migration_id, migrate_data)
        except exception.MigrationStatusConflict:
            return  # a second delivery: the first one went on, or failed the move
        except Exception as exc:  # any failure before the cast: nothing moved
            _fail(ctxt, instance_uuid, migration_id, _message(exc))

    def _cast(self, ctxt, instance, migration_id, migrate_data):
        """Pre-migrating, then the cast to the source, which does the rest."""
        with transaction() as session:
            row = migration_records.migration_update(
                session, migration_id, {"status": MigrationStatus.PRE_MIGRATING,
                                        "migrate_data": migrate_data},
                expected_status=MigrationStatus.ACCEPTED)
            instances.event_record(session, ctxt, instance.uuid, LIVE_MIGRATE_EVENT,
                                   result="Success")
            migration = convert.migration(row)
        self.compute_api.live_migration(ctxt, instance.host, instance, migration, migrate_data)


def _migrating(instance_uuid):
    """The Instance, while its task_state is still migrating."""
    with transaction() as session:
        row = instances.instance_get(session, instance_uuid)
        if row.task_state != TaskState.MIGRATING:
            raise exception.UnexpectedTaskStateError(
                instance_uuid=instance_uuid, expected=TaskState.MIGRATING,
                actual=row.task_state)
        return convert.instance(row)


def _record(ctxt, instance_uuid, host):
    """The accepted migration, with the event started; None when the
    server is not waiting for this (deleted, or a move already under way)."""
    with transaction() as session:
        try:
            row = instances.instance_get(session, instance_uuid)
        except exception.InstanceNotFound:
            return None
        if row.task_state != TaskState.MIGRATING:
            return None
        source = getattr(migration_spec.node_of(session, row.host, row.node), "id", None)
        flavor = convert.instance(row).flavor
        try:
            migration = migration_records.migration_create(session, {
                "instance_uuid": instance_uuid, "migration_type": MigrationType.LIVE_MIGRATION,
                "status": MigrationStatus.ACCEPTED, "source_compute": row.host,
                "source_node": row.node, "source_node_id": source, "dest_compute": host,
                "old_flavor": flavor, "new_flavor": flavor,
                "project_id": row.project_id, "user_id": row.user_id})
        except exception.MigrationInProgress:
            return None
        instances.event_record(session, ctxt, instance_uuid, LIVE_MIGRATE_EVENT, start=True)
        return convert.migration(migration)


def _claim_forced(instance, migration, host):
    with transaction() as session:
        node = migration_spec.claim_forced(session, instance, host)
        migration_records.migration_update(session, migration.id, {
            "dest_compute": host, "dest_host": host,
            "dest_node": node.hypervisor_hostname, "dest_node_id": node.id})


def _fail(ctxt, instance_uuid, migration_id, message):
    """Nothing moved: the destination's claim goes back, the server
    stays where it is with no task, the migration says why."""
    LOG.warning("Live migration of %s failed before it started: %s", instance_uuid, message)
    with transaction() as session:
        migration = migration_records.migration_get(session, migration_id)
        if migration.status not in (MigrationStatus.ACCEPTED,
                                    MigrationStatus.PRE_MIGRATING):
            return  # already failed (or taken further) by another delivery
        migration_records.migration_update(session, migration_id,
                                           {"status": MigrationStatus.ERROR, "error": message})
        _release_destination(session, instance_uuid, migration)
        try:
            instances.instance_update(session, instance_uuid, {"task_state": None},
                                      expected_task_state=[TaskState.MIGRATING])
        except CAS_CONFLICT:
            return
        instances.fault_create(session, instance_uuid, 400, message)
        instances.event_record(session, ctxt, instance_uuid, LIVE_MIGRATE_EVENT,
                               result="Error", traceback=message)


def _release_unrecorded(instance_uuid, migration_id, node_id):
    """Give back a claim on `node_id` unless the server is there, came
    from there, or its migration (still in progress) goes there."""
    with transaction() as session:
        migration = migration_records.migration_get(session, migration_id)
        row = instances.instance_get(session, instance_uuid, read_deleted=True)
        keep = {migration.source_node_id,
                getattr(migration_spec.node_of(session, row.host, row.node), "id", None)}
        if migration.status in MigrationStatus.IN_PROGRESS:
            keep.add(migration.dest_node_id)
        if node_id not in keep:
            hosts.release(session, instance_uuid, node_id)


def _message(exc):
    """Our own errors say what happened; anything else is named by its
    class (its text may be a remote host's internals)."""
    if isinstance(exc, exception.StratusException):
        return exc.message
    return f"{type(exc).__name__}: {exc}"


def _release_destination(session, instance_uuid, migration):
    """Release the claim on the migration's destination node, never the
    one on the node the server is on."""
    if migration.dest_node_id and migration.dest_node_id != migration.source_node_id:
        hosts.release(session, instance_uuid, migration.dest_node_id)


def _check_source_up(instance):
    with transaction() as session:
        for service in hosts.service_get_all(session, hosts.COMPUTE_BINARY):
            if service.host == instance.host and convert.service_is_up(service):
                return
    raise exception.MigrationPreCheckError(
        reason=f"Compute service of {instance.host} is unavailable at this time.")


# The conductor's part of a live migration: nothing has touched the guest.
_NOT_STARTED = (MigrationStatus.ACCEPTED, MigrationStatus.PRE_MIGRATING)


def settle_stuck_live_migration(instance):
    """The reaper's rule for a live migration whose task_state has not
    moved for task_state_timeout; True when handled here. One that never
    reached the driver fails (the server stays on its source, the
    destination's claim goes back); one the source was moving is its
    host's to recover, at its next start (stratus.compute.live_migration)."""
    if instance.task_state != TaskState.MIGRATING:
        return False
    with transaction() as session:
        migration = migration_records.in_progress_for_instance(session, instance.uuid)
        if migration is None or migration.migration_type != MigrationType.LIVE_MIGRATION:
            return False
        if migration.status not in _NOT_STARTED:
            LOG.warning("Live migration %s of %s waits for %s to recover it (%s)",
                        migration.id, instance.uuid, migration.source_compute,
                        migration.status)
            return True
        message = (f"The live migration of instance {instance.uuid} was lost before the "
                   f"source host {migration.source_compute} started it")
        try:
            instances.instance_update(session, instance.uuid, {"task_state": None},
                                      expected_task_state=[TaskState.MIGRATING])
        except CAS_CONFLICT:
            return True
        migration_records.migration_update(
            session, migration.id, {"status": MigrationStatus.ERROR, "error": message})
        _release_destination(session, instance.uuid, migration)
        instances.fault_create(session, instance.uuid, 500, message, message)
    LOG.warning(message)
    return True
