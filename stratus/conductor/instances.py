"""The conductor's endpoints for instances and what hangs off them: their
faults, metadata, and the instance actions with their events. One short
transaction per call, wire objects out."""
from stratus.common import exception
from stratus.conductor import convert
from stratus.conductor.db import actions, instances, tags as db_tags
from stratus.conductor.db.session import core_transaction, transaction
from stratus.common.timeutils import parse_isotime
from stratus.common.endpoint import endpoint
from stratus.common.vocabulary import TaskState, UNSET, VmState


class Instances:
    """Instances, their faults and metadata, instance actions and events."""

    @endpoint(since="1.0")
    def instance_get(self, ctxt, instance_uuid, read_deleted=False):
        with transaction() as session:
            row = instances.instance_get(session, instance_uuid, read_deleted=read_deleted)
            return convert.instance(row, instances.latest_faults(session, [row.uuid]).get(row.uuid))

    @endpoint(since="1.0")
    def instance_get_all(self, ctxt, filters, limit=None, marker=None):
        with transaction() as session:
            return _page(session, filters, limit, marker)[1]

    @endpoint(since="1.11")
    def instance_get_all_with_tags(self, ctxt, filters, limit=None, marker=None):
        """instance_get_all's page and the tags of its servers, read in
        one transaction: {"instances": [...], "tags": {uuid: [tag, ...]}}."""
        with transaction() as session:
            rows, page = _page(session, filters, limit, marker)
            uuids = [row.uuid for row in rows]
            return {"instances": page, "tags": db_tags.by_instances(session, uuids) if uuids else {}}

    @endpoint(since="1.0", updated="1.14")
    def instance_update(self, ctxt, instance_uuid, values, expected_task_state=UNSET,
                        expected_vm_state=None, event=None, action=None, expected_host=None):
        """Save `values` (a compare-and-swap on the expected states, and on
        the host with `expected_host`), and in the same transaction start an
        `action` and record an `event`."""
        # Core statements only (a boot's final save comes through here).
        if expected_host is None:
            expected_host = _build_claimant(values, expected_vm_state, event)
        with core_transaction() as session:
            row = instances.instance_save(
                session, instance_uuid, values, expected_task_state, expected_vm_state,
                expected_host=expected_host)
            if action:
                instances.action_start(session, ctxt, instance_uuid, action)
            if event:
                _record_event(session, ctxt, instance_uuid, event)
            return convert.instance(row)

    @endpoint(since="1.0")
    def instance_destroy(self, ctxt, instance_uuid):
        with transaction() as session:
            return convert.instance(instances.instance_destroy(session, instance_uuid))

    @endpoint(since="1.0")
    def instance_fault_create(self, ctxt, instance_uuid, code, message, details=None, host=None):
        with transaction() as session:
            return convert.fault(instances.fault_create(session, instance_uuid, code, message,
                                                        details, host))

    @endpoint(since="1.1")
    def instance_metadata_update(self, ctxt, instance_uuid, updates, replace=False, remove=()):
        with transaction() as session:
            return instances.metadata_update(session, instance_uuid, updates, replace, remove)

    # instance actions and their events
    @endpoint(since="1.0")
    def action_event_start(self, ctxt, instance_uuid, event, host=None, task_id=None):
        with transaction() as session:
            instances.event_record(session, ctxt, instance_uuid, event, start=True, host=host,
                                   task_id=task_id)

    @endpoint(since="1.0")
    def action_event_finish(self, ctxt, instance_uuid, event, result, traceback=None, host=None,
                            task_id=None):
        with transaction() as session:
            instances.event_record(session, ctxt, instance_uuid, event, result=result,
                                   traceback=traceback, host=host, task_id=task_id)

    @endpoint(since="1.1")
    def action_get_all(self, ctxt, instance_uuid, limit=None, marker=None, changes_since=None,
                       changes_before=None):
        with transaction() as session:
            rows = actions.action_get_all(session, instance_uuid, limit, marker,
                                          parse_isotime(changes_since),
                                          parse_isotime(changes_before))
            return [convert.action(row) for row in rows]

    @endpoint(since="1.1")
    def action_get(self, ctxt, instance_uuid, request_id):
        with transaction() as session:
            row = actions.action_get(session, instance_uuid, request_id)
            if row is None:
                raise exception.InstanceActionNotFound(request_id=request_id)
            return convert.action(row, actions.events_get(session, row.id))

    # server tags (1.5): each call checks the server exists (not deleted)
    @endpoint(since="1.5")
    def instance_tags_get(self, ctxt, instance_uuid):
        with transaction() as session:
            instances.instance_get(session, instance_uuid)
            return db_tags.get(session, instance_uuid)

    @endpoint(since="1.5")
    def instance_tags_get_by_instances(self, ctxt, instance_uuids):
        with transaction() as session:
            return db_tags.by_instances(session, instance_uuids)

    @endpoint(since="1.5")
    def instance_tag_add(self, ctxt, instance_uuid, tag):
        with transaction() as session:
            instances.instance_get(session, instance_uuid)
            return db_tags.add(session, instance_uuid, tag)

    @endpoint(since="1.5")
    def instance_tags_set(self, ctxt, instance_uuid, tags):
        with transaction() as session:
            instances.instance_get(session, instance_uuid)
            return db_tags.replace(session, instance_uuid, tags)

    @endpoint(since="1.5")
    def instance_tag_delete(self, ctxt, instance_uuid, tag):
        with transaction() as session:
            instances.instance_get(session, instance_uuid)
            db_tags.remove(session, instance_uuid, tag)

    @endpoint(since="1.5")
    def instance_tags_delete_all(self, ctxt, instance_uuid):
        with transaction() as session:
            instances.instance_get(session, instance_uuid)
            db_tags.delete_all(session, instance_uuid)


def _build_claimant(values, expected_vm_state, event):
    """The host taking a build to spawning (build_and_run_instance's
    claim; a host names itself in its event), or UNSET for any other save.

    A build is claimed only by the host it is on: the reaper moves a build
    queued on a dead host to an alternate, and the dead host, back with
    the old message still in its queue, must then lose its claim. Decided
    here, for every sender, so that hosts of any release keep the rule."""
    if (values.get("task_state") == TaskState.SPAWNING and expected_vm_state == VmState.BUILDING
            and (event or {}).get("host")):
        return event["host"]
    return UNSET


def _record_event(session, ctxt, instance_uuid, event):
    """An event dict of instance_update: {"event", "host", "task_id"}, with
    "result" (and "traceback", "details") to finish it; "start" with a
    result records a whole event at once, and "started_at" (1.14, ISO
    time) is when the host started it."""
    finish = "result" in event
    start = event.get("start", not finish)
    if start or finish:
        instances.event_record(session, ctxt, instance_uuid, event["event"], start=start,
                               finish=finish, result=event.get("result"),
                               traceback=event.get("traceback"), host=event.get("host"),
                               task_id=event.get("task_id"), details=event.get("details"),
                               started_at=event.get("started_at"))


def _page(session, filters, limit, marker):
    """(a page of instance rows, their wire form)."""
    rows = instances.instance_rows_get_all(session, convert.INSTANCE_LIST_COLUMNS,
                                           filters, limit, marker)
    failed = [row.uuid for row in rows if row.vm_state == VmState.ERROR]
    faults = instances.latest_faults(session, failed) if failed else {}
    return rows, convert.instances_encoded(rows, faults)
