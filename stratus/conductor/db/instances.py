"""Instances, their actions and events, and their faults.

Every save of an instance can be a compare-and-swap on task_state (and
vm_state), as Nova's instance.save(expected_task_state=...)."""
from sqlalchemy import JSON, Text, and_, cast, func, or_, select, update

from stratus.common import exception
from stratus.conductor.db import (consoles, groups, hosts, instance_ports, migration_records,
                                  paging, quotas, tags)
from stratus.conductor.db.models import (Instance, InstanceAction, InstanceActionEvent,
                                         InstanceFault)
from stratus.common.vocabulary import PowerState, TaskState, UNSET, VmState
from stratus.common.timeutils import parse_isotime, utcnow

_COLUMNS = {c.key for c in Instance.__mapper__.column_attrs} - {"id", "deleted"}


_DATETIMES = ("launched_at", "terminated_at", "deleted_at", "created_at", "updated_at")


def _parse_times(values):
    """ISO strings from the wire become naive UTC datetimes."""
    for key in _DATETIMES:
        if isinstance(values.get(key), str):
            values[key] = parse_isotime(values[key])
    return values


def instance_create(session, values):
    values = _parse_times(dict(values))
    if hasattr(values.get("flavor"), "to_dict"):
        values["flavor"] = values["flavor"].to_dict()
    values["user_metadata"] = values.pop("metadata", None) or {}
    row = Instance(**{k: v for k, v in values.items() if k in _COLUMNS})
    session.add(row)
    session.flush()
    return row


def instance_get(session, instance_uuid, read_deleted=False):
    query = select(Instance).where(Instance.uuid == instance_uuid)
    if not read_deleted:
        query = query.where(Instance.deleted == 0)
    row = session.scalars(query).first()
    if row is None:
        raise exception.InstanceNotFound(instance_id=instance_uuid)
    return row


def instance_get_all(session, filters, limit=None, marker=None):
    return list(session.scalars(_page(session, select(Instance), filters, limit, marker)))


def instance_rows_get_all(session, columns, filters, limit=None, marker=None):
    """instance_get_all's page as plain rows of `columns` (names of
    Instance attributes), in that order, a JSON column as its text: no
    ORM objects and no JSON decoding by the driver, which took most of a
    1,000-server list's time in the conductor (the caller decodes)."""
    query = select(*(_as_text(getattr(Instance, name)) for name in columns))
    return session.execute(_page(session, query, filters, limit, marker)).all()


def _as_text(column):
    return cast(column, Text) if isinstance(column.type, JSON) else column


def _page(session, query, filters, limit, marker):
    query = query.order_by(Instance.created_at.desc(), Instance.id.desc())
    if not filters.get("deleted"):
        query = query.where(Instance.deleted == 0)
    for key in ("project_id", "host", "vm_state", "task_state", "user_id", "uuid",
                "reservation_id"):
        if key in filters and filters[key] is not None:
            wanted = filters[key]
            column = getattr(Instance, key)
            query = query.where(column.in_(wanted) if isinstance(wanted, list) else column == wanted)
    if filters.get("name"):
        query = query.where(Instance.display_name.contains(filters["name"]))
    if filters.get("image"):
        query = query.where(Instance.image_ref == filters["image"])
    if filters.get("flavor"):
        query = query.where(Instance.flavor["flavorid"].as_string() == str(filters["flavor"]))
    changed = func.coalesce(Instance.updated_at, Instance.created_at)
    if filters.get("changes_since"):
        query = query.where(changed >= parse_isotime(filters["changes_since"]))
    if filters.get("changes_before"):
        query = query.where(changed <= parse_isotime(filters["changes_before"]))
    query = tags.filtered(query, filters)
    if marker:
        after = session.scalars(select(Instance).where(Instance.uuid == marker)).first()
        if after is None:
            raise exception.Invalid(f"marker [{marker}] not found")
        query = paging.after_marker(query, Instance, after)
    if limit is not None:
        query = query.limit(int(limit))
    return query


def _matches(column, expected):
    if expected is None:
        return column.is_(None)
    expected = list(expected) if isinstance(expected, (list, tuple)) else [expected]
    values = [e for e in expected if e is not None]
    clause = column.in_(values)
    return or_(clause, column.is_(None)) if None in expected else clause


def instance_update(session, instance_uuid, values, expected_task_state=UNSET,
                    expected_vm_state=None, expected_host=UNSET):
    """Save `values`; with an expectation, only if the row still matches
    (`expected_host`: only while the instance is on that host)."""
    values = dict(values)
    if "metadata" in values:
        values["user_metadata"] = values.pop("metadata")
    values = _parse_times({k: v for k, v in values.items() if k in _COLUMNS})
    if hasattr(values.get("flavor"), "to_dict"):
        values["flavor"] = values["flavor"].to_dict()
    values["updated_at"] = utcnow()
    moved_from = _host_if_moving(session, instance_uuid, values)
    query = update(Instance).where(Instance.uuid == instance_uuid, Instance.deleted == 0)
    if expected_task_state != UNSET:
        query = query.where(_matches(Instance.task_state, expected_task_state))
    if expected_vm_state is not None:
        query = query.where(_matches(Instance.vm_state, expected_vm_state))
    if expected_host != UNSET:
        query = query.where(_matches(Instance.host, expected_host))
    done = session.execute(query.values(**values).execution_options(synchronize_session=False))
    if done.rowcount != 1:
        _raise_conflict(session, instance_uuid, expected_task_state, expected_vm_state,
                        expected_host)
    if moved_from is not None:
        # Console URLs point at the old host's VNC server: none may stay.
        consoles.destroy_all_by_instance(session, instance_uuid)
    session.expire_all()
    return instance_get(session, instance_uuid)


def _host_if_moving(session, instance_uuid, values):
    """The instance's current host when `values` moves it elsewhere."""
    if "host" not in values:
        return None
    current = session.scalar(select(Instance.host).where(Instance.uuid == instance_uuid))
    return current if current and current != values["host"] else None


def _raise_conflict(session, instance_uuid, expected_task_state, expected_vm_state,
                    expected_host=UNSET):
    row = instance_get(session, instance_uuid)
    if expected_task_state != UNSET and row.task_state == TaskState.DELETING:
        raise exception.UnexpectedDeletingTaskStateError(
            instance_uuid=instance_uuid, expected=expected_task_state, actual=row.task_state)
    if expected_host != UNSET and row.host != expected_host:
        raise exception.UnexpectedTaskStateError(instance_uuid=instance_uuid,
                                                 expected=f"host {expected_host}",
                                                 actual=f"host {row.host}")
    actual = row.task_state if expected_task_state != UNSET else row.vm_state
    expected = expected_task_state if expected_task_state != UNSET else expected_vm_state
    raise exception.UnexpectedTaskStateError(instance_uuid=instance_uuid, expected=expected,
                                             actual=actual)


def instance_soft_delete(session, instance_uuid):
    row = instance_get(session, instance_uuid)
    now = utcnow()
    row.vm_state, row.task_state, row.power_state = VmState.DELETED, None, PowerState.NOSTATE
    row.deleted, row.deleted_at, row.terminated_at = row.id, now, now
    session.flush()
    return row


def instance_destroy(session, instance_uuid):
    """Everything a delete does to the records: the claims given back, the
    server groups left, the console tokens and tags forgotten, the row
    soft-deleted, its ports given back."""
    hosts.release(session, instance_uuid)
    for migration_uuid in migration_records.migration_uuids(session, instance_uuid):
        hosts.release(session, migration_uuid)  # a resize's source room
    groups.remove_member(session, instance_uuid)
    consoles.destroy_all_by_instance(session, instance_uuid)
    tags.delete_all(session, instance_uuid)
    instance_ports.release(session, instance_get(session, instance_uuid))
    return instance_soft_delete(session, instance_uuid)


def latest_faults(session, instance_uuids):
    rows = session.scalars(select(InstanceFault).where(
        InstanceFault.instance_uuid.in_(list(instance_uuids))).order_by(InstanceFault.id))
    return {row.instance_uuid: row for row in rows}


def fault_create(session, instance_uuid, code, message, details=None, host=None):
    row = InstanceFault(instance_uuid=instance_uuid, code=code, message=str(message)[:255],
                        details=details, host=host)
    session.add(row)
    session.flush()
    return row


def action_start(session, ctxt, instance_uuid, action):
    # updated_at from the start, as Nova: the 2.58 changes-since filter
    # reads it.
    now = utcnow()
    row = InstanceAction(instance_uuid=instance_uuid, request_id=ctxt.request_id,
                         action=action, project_id=ctxt.project_id, user_id=ctxt.user_id,
                         start_time=now, updated_at=now)
    session.add(row)
    session.flush()
    return row


def _action(session, instance_uuid, request_id):
    return session.scalars(select(InstanceAction).where(
        InstanceAction.instance_uuid == instance_uuid,
        InstanceAction.request_id == request_id)).first()


def event_record(session, ctxt, instance_uuid, event, start=False, result=None,
                 traceback=None, host=None, task_id=None, details=None):
    """Start or finish an event on a host. Casts may arrive out of order, so
    either side creates the row and the other completes it.

    `task_id` is the Celery task that ran the event when it is recorded
    through a call (the context's own task id is then the conductor's)."""
    action = _action(session, instance_uuid, ctxt.request_id)
    if action is None:
        return None
    open_side = InstanceActionEvent.start_time if start else InstanceActionEvent.finish_time
    row = session.scalars(select(InstanceActionEvent).where(
        InstanceActionEvent.action_id == action.id, InstanceActionEvent.event == event,
        InstanceActionEvent.host.is_(None) if host is None else InstanceActionEvent.host == host,
        open_side.is_(None)).order_by(InstanceActionEvent.id.desc())).first()
    if row is None:
        row = InstanceActionEvent(action_id=action.id, event=event, host=host)
        session.add(row)
    now = utcnow()
    if start:
        row.start_time, row.task_id = now, task_id or ctxt.task_id
    else:
        row.finish_time, row.result, row.traceback = now, result, traceback
        row.details, row.task_id = details, row.task_id or task_id
        if result == "Error":
            action.message = "Error"
    action.updated_at = now
    session.flush()
    return row


def instances_stuck(session, built_before=None, moved_before=None):
    """(builds started before `built_before`, instances of any other
    vm_state whose task_state has not moved since `moved_before`)."""
    live = select(Instance).where(Instance.deleted == 0)
    builds, others = [], []
    if built_before is not None:
        builds = list(session.scalars(live.where(Instance.vm_state == VmState.BUILDING,
                                                 Instance.created_at < built_before)))
    if moved_before is not None:
        others = list(session.scalars(live.where(
            Instance.vm_state != VmState.BUILDING, Instance.task_state.is_not(None),
            or_(Instance.updated_at < moved_before,
                and_(Instance.updated_at.is_(None), Instance.created_at < moved_before)))))
    return builds, others


def builds_queued_before(session, queued_before):
    """Builds sent to a host (task_state scheduling, a host set) that the
    host has not claimed since `queued_before`."""
    return list(session.scalars(select(Instance).where(
        Instance.deleted == 0, Instance.vm_state == VmState.BUILDING,
        Instance.task_state == TaskState.SCHEDULING, Instance.host.is_not(None),
        Instance.updated_at < queued_before)))


def metadata_update(session, instance_uuid, updates, replace=False, remove=()):
    """Merge `updates` into the instance's metadata (or replace it whole),
    drop the keys in `remove`, and return the new metadata.

    The row is locked first, so that two requests adding different keys at
    once both keep theirs; metadata that is set (not only trimmed) must fit
    the project's metadata_items limit."""
    row = session.scalars(select(Instance).where(
        Instance.uuid == instance_uuid, Instance.deleted == 0).with_for_update()).first()
    if row is None:
        raise exception.InstanceNotFound(instance_id=instance_uuid)
    metadata = {} if replace else dict(row.user_metadata or {})
    metadata.update(updates)
    for key in remove:
        metadata.pop(key, None)
    if updates:
        quotas.check_metadata(session, row.project_id, metadata)
    row.user_metadata = metadata
    session.flush()
    return metadata
