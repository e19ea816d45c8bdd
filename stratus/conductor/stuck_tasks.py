"""What the reaper does with a live migration or a snapshot whose
task_state has not moved for task_state_timeout (resizes, cold
migrations and evacuations: resize_task.settle_stuck_move). Clearing
the task_state alone would leave a migration in progress (every later
move refused, the destination's claim held) or an image queued forever."""
import logging

from stratus.common import exception
from stratus.conductor.db import hosts, images_in_flight, instances, moves
from stratus.conductor.db.session import transaction
from stratus.common.objects import states

LOG = logging.getLogger(__name__)

_GONE = (exception.UnexpectedTaskStateError, exception.InstanceNotFound)
# The conductor's part of a live migration: nothing has touched the guest.
_NOT_STARTED = (states.MIGRATION_ACCEPTED, states.MIGRATION_PRE_MIGRATING)


def settle_stuck_live_migration(instance):
    """True when handled here. A live migration that never reached the
    driver fails (the server stays on its source, the destination's claim
    goes back); one the source was moving is its host's to recover, at
    its next start (stratus.compute.live_migration)."""
    if instance.task_state != states.MIGRATING:
        return False
    with transaction() as session:
        migration = moves.in_progress_for_instance(session, instance.uuid)
        if migration is None or migration.migration_type != states.LIVE_MIGRATION:
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
                                      expected_task_state=[states.MIGRATING])
        except _GONE:
            return True
        moves.migration_update(session, migration.id, {"status": states.MIGRATION_ERROR,
                                                       "error": message})
        if migration.dest_node_id and migration.dest_node_id != migration.source_node_id:
            hosts.release(session, instance.uuid, migration.dest_node_id)
        instances.fault_create(session, instance.uuid, 500, message, message)
    LOG.warning(message)
    return True


def settle_stuck_snapshot(instance):
    """True when handled here: a snapshot (or a shelve's) that stopped
    moving loses its unfinished image record, as a failed snapshot does,
    and the task_state is cleared."""
    key = images_in_flight.IMAGE_KEYS.get(instance.task_state)
    if key is None:
        return False
    with transaction() as session:
        try:
            row = instances.instance_update(session, instance.uuid, {"task_state": None},
                                            expected_task_state=[instance.task_state])
        except _GONE:
            return True
        image_id = images_in_flight.forget(session, row, key)
    LOG.warning("Cleared task_state %s of instance %s: it had not moved since %s%s",
                instance.task_state, instance.uuid, instance.updated_at,
                f"; its unfinished image {image_id} is gone" if image_id else "")
    return True
