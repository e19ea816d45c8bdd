"""Evacuation (Nova's rebuild_instance with a recreate): the API has set
task_state rebuilding and recorded the migration (accepted); here it goes
pre-migrating, a destination other than the dead source is scheduled and
claimed (or the forced host claimed directly), and the destination is
told to spawn the server.

Scheduling goes through a continuation, never a waiting thread: the
scheduler's claim is a call back into this conductor."""
import logging

from stratus.common import exception, rpc
from stratus.conductor import convert
from stratus.conductor.db import hosts, instances, migration_records
from stratus.conductor.db.session import transaction
from stratus.conductor.orchestration import migration_spec
from stratus.conductor.orchestration.base import TaskBase, record_event
from stratus.common.vocabulary import CAS_CONFLICT, MigrationStatus, TaskState
from stratus.common.endpoint import endpoint

LOG = logging.getLogger(__name__)

EVACUATE_EVENT = "conductor_rebuild_server"


class EvacuationTask(TaskBase):
    """evacuate_server and evacuate_on_selection."""

    @endpoint(since="1.3")
    def evacuate_server(self, ctxt, instance_uuid, migration_id, host=None, force=False):
        """Take the accepted migration on (pre-migrating) and find the
        destination: the forced host, or the scheduler's choice, whose
        reply continues in evacuate_on_selection."""
        instance = _start(instance_uuid, migration_id)
        if instance is None:
            return  # a second delivery, or the server was deleted meanwhile
        record_event(ctxt, instance_uuid, EVACUATE_EVENT, start=True)
        spec = _evacuation_spec(instance, host, force)
        if host and force:
            self._claim_forced(ctxt, instance, migration_id, spec, host)
            return
        self.select_then(ctxt, spec, instance_uuid, "evacuate_on_selection",
                         migration_id=migration_id, request_spec=spec)

    @endpoint(since="1.3")
    def evacuate_on_selection(self, ctxt, instance_uuid, migration_id, request_spec, reply):
        """Send the server to the claimed destination, or fail the move."""
        try:
            chosen = rpc.unwrap(reply)[0][0]
        except exception.StratusException as exc:
            _fail(ctxt, instance_uuid, migration_id, exc.message)
            return
        self._send(ctxt, instance_uuid, migration_id, request_spec, chosen.host,
                   chosen.nodename, chosen.compute_node_id)

    def _claim_forced(self, ctxt, instance, migration_id, spec, host):
        try:
            with transaction() as session:
                node = migration_spec.claim_forced(session, instance, host)
        except exception.NoValidHost as exc:
            _fail(ctxt, instance.uuid, migration_id, exc.message)
            return
        self._send(ctxt, instance.uuid, migration_id, spec, node.host,
                   node.hypervisor_hostname, node.id)

    def _send(self, ctxt, instance_uuid, migration_id, spec, host, nodename, node_id):
        """Record the destination on the migration and tell it to spawn the
        server (its claim goes back if the server was deleted meanwhile)."""
        with transaction() as session:
            migration = convert.migration(migration_records.migration_update(
                session, migration_id, {"dest_compute": host, "dest_node": nodename,
                                        "dest_host": host, "dest_node_id": node_id}))
            try:
                instance = convert.instance(instances.instance_get(session, instance_uuid))
            except exception.InstanceNotFound:
                hosts.release(session, instance_uuid, node_id)
                return
        record_event(ctxt, instance_uuid, EVACUATE_EVENT, result="Success")
        self.compute_api.evacuate_instance(ctxt, host, instance, migration, spec.get("image"))


def _start(instance_uuid, migration_id):
    """The Instance, once its accepted migration went pre-migrating; None
    when a first delivery did that, or the server is gone."""
    try:
        with transaction() as session:
            migration_records.migration_update(session, migration_id,
                                               {"status": MigrationStatus.PRE_MIGRATING},
                                               expected_status=MigrationStatus.ACCEPTED)
            return convert.instance(instances.instance_get(session, instance_uuid))
    except (exception.MigrationStatusConflict, exception.InstanceNotFound):
        return None


def _evacuation_spec(instance, host, force):
    """Anywhere but the dead source; a named host only if it passes
    the filters, unless forced."""
    with transaction() as session:
        return migration_spec.request_spec(
            session, instance, image=migration_spec.image_of(session, instance.image_ref),
            away_from=instance.host, host=None if force else host)


def _fail(ctxt, instance_uuid, migration_id, message):
    """As Nova: the migration failed, the server's task cleared, a
    fault and an Error event saying why."""
    LOG.warning("Evacuation of %s failed: %s", instance_uuid, message)
    with transaction() as session:
        migration_records.migration_update(
            session, migration_id, {"status": MigrationStatus.FAILED, "error": message})
        try:
            instances.instance_update(session, instance_uuid, {"task_state": None},
                                      expected_task_state=[TaskState.REBUILDING])
        except CAS_CONFLICT:
            return
        instances.fault_create(session, instance_uuid, 500, message, message)
    record_event(ctxt, instance_uuid, EVACUATE_EVENT, result="Error", traceback=message)
