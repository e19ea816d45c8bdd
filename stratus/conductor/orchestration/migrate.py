"""Resize and cold migration (Nova's MigrationTask), and the reaper's
rule for a resize, cold migration or evacuation that stopped moving.

migrate_server is a call (Nova's migrate_server): the API answers a
NoValidHost or an exceeded quota itself. No conductor thread waits for
the scheduler, which calls back into the conductor for its claim: the
reply goes on to migrate_on_selection, which answers the API's call
(rpc.reply_later). Below conductor API 1.15 migrate_server waits, as
the older conductors do."""
import logging

from sqlalchemy import select

from stratus.config import get_settings
from stratus.common import exception, rpc
from stratus.conductor import convert
from stratus.conductor.db import hosts, instances, migration_records, quotas
from stratus.conductor.db.models import ResourceClaim
from stratus.conductor.db.session import transaction
from stratus.conductor.orchestration import migration_spec
from stratus.conductor.orchestration.base import TaskBase
from stratus.common.context import get_admin_context
from stratus.common.objects import Flavor
from stratus.common.vocabulary import CAS_CONFLICT, MigrationStatus, MigrationType, TaskState
from stratus.common.endpoint import endpoint

LOG = logging.getLogger(__name__)

# The conductor API version that brought migrate_on_selection: from it,
# migrate_server hands its reply on rather than wait for the scheduler.
ON_SELECTION = "1.15"


class MigrationTask(TaskBase):
    """migrate_server: a resize (a new flavor) or a cold migration."""

    @endpoint(since="1.3")
    def migrate_server(self, ctxt, instance_uuid, flavor, host=None):
        """Record the migration (a resize up within the quota), have the
        scheduler choose and claim a destination, and tell the source to
        start; any failure before that leaves the server as it was."""
        flavor = Flavor.from_dict(flavor) if isinstance(flavor, dict) else flavor
        with transaction() as session:
            instance = convert.instance(instances.instance_get(session, instance_uuid))
        if instance.task_state != TaskState.RESIZE_PREP:
            return  # a second delivery: the first one went further already
        resize = flavor.id != (instance.flavor.id if instance.flavor else None)
        migration = self._record(ctxt, instance, flavor, resize, host)
        if migration is None:
            return None
        if not self.compute_task_api.can_send_version(ON_SELECTION):
            # Capped below it, older conductors (which would not know the
            # continuation) serve the queue too: wait here, as they do.
            with rpc.waiting_allowed():
                chosen = self._schedule(ctxt, instance, flavor, host, resize, migration.id)
            self._send_to_source(ctxt, instance, migration.id, chosen)
            return None
        try:
            spec = _request_spec(instance, flavor, host, resize)
        except exception.StratusException as exc:  # a named host unknown, say
            _fail_scheduling(instance_uuid, migration.id, exc)
            raise
        self.select_then(ctxt, spec, instance_uuid, "migrate_on_selection",
                         migration_id=migration.id, reply_id=rpc.reply_later())
        return rpc.DEFERRED

    @endpoint(since=ON_SELECTION)
    def migrate_on_selection(self, ctxt, instance_uuid, migration_id, reply_id, reply):
        """The scheduler chose (and claimed) a destination, or found none:
        tell the source to start, or fail the move as migrate_server would
        have; either way, answer migrate_server's caller (`reply_id`)."""
        try:
            chosen = rpc.unwrap(reply)[0][0]
        except exception.StratusException as exc:
            _fail_scheduling(instance_uuid, migration_id, exc)
            rpc.send_reply(reply_id, error=exc)
            return
        try:
            with transaction() as session:
                instance = convert.instance(instances.instance_get(session, instance_uuid))
            self._send_to_source(ctxt, instance, migration_id, chosen)
        except exception.StratusException as exc:
            rpc.send_reply(reply_id, error=exc)
            return
        rpc.send_reply(reply_id)

    def _send_to_source(self, ctxt, instance, migration_id, chosen):
        """Record the destination on the migration; the source starts."""
        with transaction() as session:
            row = migration_records.migration_update(session, migration_id, {
                "dest_compute": chosen.host, "dest_node": chosen.nodename,
                "dest_host": chosen.host, "dest_node_id": chosen.compute_node_id})
            migration = convert.migration(row)
        self.compute_api.resize_instance(ctxt, instance.host, instance, migration)

    def _record(self, ctxt, instance, flavor, resize, host):
        """The new migration; None for a second delivery that found its own
        (and sent on what it could)."""
        try:
            return self._start_migration(ctxt, instance, flavor, resize, host)
        except exception.MigrationInProgress:
            if self._resend_resize(ctxt, instance):
                return None
            _clear_prep(instance.uuid)
            raise
        except Exception:
            _clear_prep(instance.uuid)
            raise

    def _schedule(self, ctxt, instance, flavor, host, resize, migration_id):
        try:
            return self._select_destination(ctxt, instance, flavor, host, resize)
        except exception.StratusException as exc:
            _fail_scheduling(instance.uuid, migration_id, exc)
            raise

    def _start_migration(self, ctxt, instance, flavor, resize, host):
        """Check the quota of a resize up and record the migration, in one
        transaction under the project's lock."""
        with transaction() as session:
            if resize:
                _check_resize_quota(session, instance, flavor)
            source = migration_spec.node_of(session, instance.host, instance.node)
            row = migration_records.migration_create(session, {
                "instance_uuid": instance.uuid, "project_id": instance.project_id,
                "user_id": instance.user_id,
                "migration_type": MigrationType.RESIZE if resize else MigrationType.MIGRATION,
                "status": MigrationStatus.PRE_MIGRATING, "source_compute": instance.host,
                "source_node": instance.node, "source_node_id": source.id if source else None,
                "dest_host": host, "old_flavor": instance.flavor, "new_flavor": flavor})
            migration_records.hold_source_claim(session, row)
            return convert.migration(row)

    def _resend_resize(self, ctxt, instance):
        """Whether this is a second delivery that found its own migration:
        then the source gets its message again once a destination is known
        (the source's compare-and-swap makes a duplicate harmless)."""
        with transaction() as session:
            row = migration_records.in_progress_for_instance(session, instance.uuid)
            migration = convert.migration(row) if row is not None else None
        if migration is None or migration.status != MigrationStatus.PRE_MIGRATING or \
                migration.migration_type not in (MigrationType.RESIZE, MigrationType.MIGRATION):
            return False
        if migration.dest_compute:
            self.compute_api.resize_instance(ctxt, instance.host, instance, migration)
        return True

    def _select_destination(self, ctxt, instance, flavor, host, resize):
        """The scheduler's claimed Selection (see _request_spec), waited on."""
        return self.scheduler_api.select_destinations(
            ctxt, _request_spec(instance, flavor, host, resize), [instance.uuid],
            return_alternates=False)[0][0]


def _request_spec(instance, flavor, host, resize):
    """What the scheduler chooses the destination by: the new flavor;
    never the source, but for a resize where allow_resize_to_same_host (as
    Nova: a cold migration always leaves); a named host only if it passes
    the filters."""
    same_host = resize and get_settings().allow_resize_to_same_host
    with transaction() as session:
        return migration_spec.request_spec(
            session, instance, flavor, migration_spec.image_of(session, instance.image_ref),
            away_from=None if same_host else instance.host, host=host)


def _fail_scheduling(instance_uuid, migration_id, exc):
    """As Nova: the migration in error, the server as it was."""
    with transaction() as session:
        row = migration_records.migration_update(
            session, migration_id, {"status": MigrationStatus.ERROR, "error": exc.message})
        migration_records.settle_source_claim(session, row, "restore")
        try:
            instances.instance_update(session, instance_uuid, {"task_state": None},
                                      expected_task_state=[TaskState.RESIZE_PREP])
        except CAS_CONFLICT:
            pass


def _clear_prep(instance_uuid):
    with transaction() as session:
        try:
            instances.instance_update(session, instance_uuid, {"task_state": None},
                                      expected_task_state=[TaskState.RESIZE_PREP])
        except CAS_CONFLICT:
            pass


def _check_resize_quota(session, instance, flavor):
    """A resize up counts its added cores and RAM against the project's
    quota (Nova's resize quota check): OverQuota (403) with Nova's text."""
    deltas = {"cores": flavor.vcpus - (instance.vcpus or 0),
              "ram": flavor.memory_mb - (instance.memory_mb or 0)}
    deltas = {name: delta for name, delta in deltas.items() if delta > 0}
    if not deltas:
        return
    quotas.lock_project(session, instance.project_id)
    limit, used = quotas.limits(session, instance.project_id), quotas.usages(
        session, instance.project_id)
    overs = sorted(n for n, d in deltas.items() if 0 <= limit[n] < used[n] + d)
    if overs:
        raise exception.TooManyInstances(
            overs=", ".join(overs), req=", ".join(str(deltas[n]) for n in overs),
            used=", ".join(str(used[n]) for n in overs),
            allowed=", ".join(str(limit[n]) for n in overs))


# Steps a message starts (re-sent when it seems lost) and steps a host is
# in the middle of (left to that host's start-up recovery).
_RESENDABLE = (TaskState.RESIZE_PREP, TaskState.RESIZE_MIGRATED, TaskState.RESIZE_REVERTING,
               TaskState.REBUILDING)
_HOST_RECOVERS = (TaskState.RESIZE_MIGRATING, TaskState.RESIZE_FINISH, TaskState.REBUILD_SPAWNING)
_MIGRATION_TYPES = (MigrationType.RESIZE, MigrationType.MIGRATION, MigrationType.EVACUATION)


def settle_stuck_migration(instance, compute_api):
    """The reaper's rule for a resize, cold migration or evacuation whose
    task_state has not moved for task_state_timeout; True when handled
    here (clearing the task_state alone would leave its migration in
    progress and both claims held). A message that seems lost is sent
    again (each step's compare-and-swap ignores a duplicate); a step a
    host was in the middle of is left to that host's recovery; a move the
    conductor never handed to a host is failed."""
    if instance.task_state not in _RESENDABLE + _HOST_RECOVERS:
        return False
    with transaction() as session:
        row = migration_records.in_progress_for_instance(session, instance.uuid)
        migration = convert.migration(row) if row is not None else None
    if migration is None or migration.migration_type not in _MIGRATION_TYPES:
        return False  # not a move (a rebuild, say): the reaper's own rule
    if instance.task_state in _HOST_RECOVERS:
        LOG.warning("Move of %s waits for host %s to recover its %s", instance.uuid,
                    instance.host, instance.task_state)
        return True
    if not _touch(instance):
        return True  # it moved on meanwhile
    if not _resend(instance, migration, compute_api):
        _give_up(instance, migration)
        return True
    LOG.warning("Sent the %s step of %s's move again: it had not moved since %s",
                instance.task_state, instance.uuid, instance.updated_at)
    return True


def _resend(instance, migration, compute_api):
    """Send the step's message again; False when no host was ever told."""
    ctxt, state = get_admin_context(), instance.task_state
    if state == TaskState.RESIZE_MIGRATED:
        compute_api.finish_resize(ctxt, migration.dest_compute, instance, migration)
    elif state == TaskState.RESIZE_REVERTING:
        compute_api.revert_resize(ctxt, instance.host, instance, migration)
    elif not (migration.dest_compute and migration.status == MigrationStatus.PRE_MIGRATING):
        return False
    elif state == TaskState.RESIZE_PREP:
        compute_api.resize_instance(ctxt, instance.host, instance, migration)
    else:
        with transaction() as session:
            image = migration_spec.image_of(session, instance.image_ref)
        compute_api.evacuate_instance(ctxt, migration.dest_compute, instance, migration, image)
    return True


def _touch(instance):
    """Restart the instance's clock, so that a message sent again is given
    task_state_timeout to arrive before it is sent once more."""
    try:
        with transaction() as session:
            instances.instance_update(session, instance.uuid, {},
                                      expected_task_state=[instance.task_state])
        return True
    except CAS_CONFLICT:
        return False


def _give_up(instance, migration):
    """Scheduled by a conductor that stopped before it told any host: the
    move fails, its destination's claim goes back, the server stays."""
    message = f"The move of instance {instance.uuid} was lost before it reached a host"
    failed = (MigrationStatus.FAILED if migration.migration_type == MigrationType.EVACUATION
              else MigrationStatus.ERROR)
    with transaction() as session:
        try:
            instances.instance_update(session, instance.uuid, {"task_state": None},
                                      expected_task_state=[instance.task_state])
        except CAS_CONFLICT:
            return
        migration_records.migration_update(session, migration.id,
                                           {"status": failed, "error": message})
        # Any claim but the source's: the scheduler may have claimed a
        # destination the conductor had no time to record.
        for node_id in _claimed_nodes(session, instance.uuid):
            if node_id != migration.source_node_id:
                hosts.release(session, instance.uuid, node_id)
        if migration.migration_type != MigrationType.EVACUATION:
            migration_records.settle_source_claim(session, migration, "restore")
        instances.fault_create(session, instance.uuid, 500, message, message)
    LOG.warning(message)


def _claimed_nodes(session, instance_uuid):
    return list(session.scalars(select(ResourceClaim.compute_node_id).where(
        ResourceClaim.instance_uuid == instance_uuid)))
