"""The conductor's reaper: nothing stays stuck.

A build older than instance_build_timeout goes to ERROR with a fault
(wherever it is: a lost message, a host that died, a scheduler reply lost
in a broker restart), and any other task_state that has not moved for
task_state_timeout is settled: an interrupted delete is finished, a
stuck move or snapshot is undone or sent on (the moves' rules are next to
their orchestrations), any other transition is cleared and left to the
host's power-state sync; a resize left unconfirmed for longer than
resize_confirm_window is confirmed; a build queued for a host that went
down before taking it moves to an alternate host after
queued_build_timeout. Every save is a compare-and-swap on
what was read, so a conductor racing a live host (or another conductor's
reaper) changes nothing twice."""
import datetime
import logging

from stratus.config import get_settings
from stratus.common import exception
from stratus.conductor import convert
from stratus.conductor.db import hosts, images_in_flight, instances, migration_records
from stratus.conductor.db.session import transaction
from stratus.conductor.orchestration.live_migrate import settle_stuck_live_migration
from stratus.conductor.orchestration.migrate import settle_stuck_migration
from stratus.conductor.orchestration.stranded_build import reschedule_stranded_build
from stratus.common.context import get_admin_context
from stratus.common.vocabulary import (CAS_CONFLICT, MigrationStatus, SystemMetadata,
                                       TaskState, VmState)
from stratus.common.periodic import PeriodicTasks
from stratus.common.timeutils import utcnow

LOG = logging.getLogger(__name__)

BUILD_TIMED_OUT = "Build of instance {uuid} timed out after {timeout:.0f} seconds"
CONFIRM_ACTION = "confirmResize"


def reap_interval(settings):
    """A tenth of the shorter timeout, between 1 and 60 seconds."""
    timeouts = [t for t in (settings.instance_build_timeout, settings.task_state_timeout,
                            settings.resize_confirm_window, settings.queued_build_timeout) if t]
    return min(60.0, max(1.0, min(timeouts) / 10)) if timeouts else None


def start_reaper():
    """Run the reaper on a thread of this process; None when every timeout is off."""
    from stratus.conductor.manager import ComputeTaskManager

    interval = reap_interval(get_settings())
    if interval is None:
        return None
    # Only the managers hold other roles' clients (an import-linter contract).
    reaper = Reaper(ComputeTaskManager().compute_api)
    return PeriodicTasks("conductor-reaper", interval, [(reaper.run, 1)]).start()


class Reaper:
    """One pass over the stuck instances; `compute_api` asks hosts to
    finish deletes."""

    def __init__(self, compute_api):
        self.compute_api = compute_api

    def run(self):
        settings = get_settings()
        now = utcnow()
        build_timeout, task_timeout = settings.instance_build_timeout, settings.task_state_timeout
        with transaction() as session:
            builds, others = instances.instances_stuck(
                session,
                now - datetime.timedelta(seconds=build_timeout) if build_timeout else None,
                now - datetime.timedelta(seconds=task_timeout) if task_timeout else None)
            builds = [convert.instance(row) for row in builds]
            others = [convert.instance(row) for row in others]
        for instance in builds:
            self._time_out_build(instance, build_timeout)
        for instance in others:
            self._settle(instance)
        confirmed = confirm_overdue_resizes(self.compute_api)
        stranded = reschedule_stranded_builds(self.compute_api)
        return len(builds) + len(others) + confirmed + stranded

    def _time_out_build(self, instance, timeout):
        message = BUILD_TIMED_OUT.format(uuid=instance.uuid, timeout=timeout)
        with transaction() as session:
            try:
                instances.instance_update(session, instance.uuid,
                                          {"vm_state": VmState.ERROR, "task_state": None},
                                          expected_task_state=[instance.task_state],
                                          expected_vm_state=VmState.BUILDING)
            except CAS_CONFLICT:
                return  # it moved on meanwhile
            if instance.host is None:
                # Claimed by a scheduler whose reply was lost, never sent to
                # a host: nothing runs there, so the room goes back.
                hosts.release(session, instance.uuid)
            instances.fault_create(session, instance.uuid, 500, message, message)
        LOG.warning(message)

    def _settle(self, instance):
        if instance.task_state == TaskState.DELETING:
            self._finish_delete(instance)
            return
        # Moves and snapshots have more to undo than the task_state.
        if (settle_stuck_migration(instance, self.compute_api)
                or settle_stuck_live_migration(instance)
                or settle_stuck_snapshot(instance)):
            return
        with transaction() as session:
            try:
                instances.instance_update(session, instance.uuid, {"task_state": None},
                                          expected_task_state=[instance.task_state],
                                          expected_vm_state=instance.vm_state)
            except CAS_CONFLICT:
                return
        LOG.warning("Cleared task_state %s of instance %s: it had not moved since %s",
                    instance.task_state, instance.uuid, instance.updated_at)

    def _finish_delete(self, instance):
        """Ask the host again (terminate is idempotent); a host that is
        down cannot answer, so the delete completes here."""
        with transaction() as session:
            service = hosts.compute_service(session, instance.host) if instance.host else None
            host_up = convert.service_is_up(service)
        if host_up:
            LOG.warning("Delete of %s had not finished: asking %s again",
                        instance.uuid, instance.host)
            self.compute_api.terminate_instance(get_admin_context(), instance.host, instance)
            return
        with transaction() as session:
            try:
                instances.instance_destroy(session, instance.uuid)
            except exception.InstanceNotFound:
                return
        LOG.warning("Deleted %s locally: its host %s is down", instance.uuid, instance.host)


def reschedule_stranded_builds(compute_api):
    """Move the builds queued for longer than queued_build_timeout on a
    host that is down to an alternate (or fail them): the host died
    before it could take them. Returns how many were moved or failed."""
    timeout = get_settings().queued_build_timeout
    if not timeout:
        return 0
    before = utcnow() - datetime.timedelta(seconds=timeout)
    with transaction() as session:
        queued = [(convert.instance(row),
                   convert.service_is_up(hosts.compute_service(session, row.host)))
                  for row in instances.builds_queued_before(session, before)]
    # A host that is up will take its message: only the dead hosts' builds move.
    return sum(1 for instance, host_up in queued
               if not host_up and reschedule_stranded_build(instance, compute_api))


def settle_stuck_snapshot(instance):
    """True when handled here: a snapshot (or a shelve's) that stopped
    moving loses its unfinished image record, as a failed snapshot does
    (else the image stays queued forever), and the task_state is cleared."""
    key = SystemMetadata.IMAGE_IN_FLIGHT.get(instance.task_state)
    if key is None:
        return False
    with transaction() as session:
        try:
            row = instances.instance_update(session, instance.uuid, {"task_state": None},
                                            expected_task_state=[instance.task_state])
        except CAS_CONFLICT:
            return True
        image_id = images_in_flight.forget(session, row, key)
    LOG.warning("Cleared task_state %s of instance %s: it had not moved since %s%s",
                instance.task_state, instance.uuid, instance.updated_at,
                f"; its unfinished image {image_id} is gone" if image_id else "")
    return True


def confirm_overdue_resizes(compute_api):
    """Confirm the resizes and migrations "finished" for longer than
    resize_confirm_window seconds (0: never), as if their owners had asked:
    the action confirmResize is recorded and the source told to confirm.
    Returns how many were sent."""
    window = get_settings().resize_confirm_window
    if not window:
        return 0
    before = utcnow() - datetime.timedelta(seconds=window)
    with transaction() as session:
        due = [convert.migration(row) for row in migration_records.migration_get_all(
            session, {"status": MigrationStatus.FINISHED,
                      "changes_before": before.isoformat()})]
    sent = 0
    for migration in due:
        instance = _start_confirm(migration)
        if instance is not None:
            LOG.info("Confirming the resize of %s: finished %ss ago", instance.uuid, window)
            compute_api.confirm_resize(get_admin_context(), migration.source_compute, instance,
                                       migration)
            sent += 1
    return sent


def _start_confirm(migration):
    """Move a finished migration to confirming with its action recorded;
    None if a user (or another conductor) got there first."""
    ctxt = get_admin_context()
    try:
        with transaction() as session:
            migration_records.migration_update(session, migration.id,
                                               {"status": MigrationStatus.CONFIRMING},
                                               expected_status=MigrationStatus.FINISHED)
            row = instances.instance_update(session, migration.instance_uuid, {},
                                            expected_task_state=[None],
                                            expected_vm_state=VmState.RESIZED)
            instances.action_start(session, ctxt, row.uuid, CONFIRM_ACTION)
            return convert.instance(row)
    except (exception.MigrationStatusConflict, exception.UnexpectedTaskStateError,
            exception.InstanceNotFound):
        return None
