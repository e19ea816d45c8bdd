"""Instances, their actions and events, and their faults.

Every save of an instance can be a compare-and-swap on task_state (and
vm_state), as Nova's instance.save(expected_task_state=...)."""
import types

from sqlalchemy import JSON, Text, and_, bindparam, cast, func, insert, or_, select, update

from stratus.common import exception
from stratus.conductor.db import (consoles, groups, hosts, instance_ports, migration_records,
                                  paging, quotas, tags)
from stratus.conductor.db.models import (Instance, InstanceAction, InstanceActionEvent,
                                         InstanceFault)
from stratus.common.vocabulary import PowerState, TaskState, UNSET, VmState
from stratus.common.timeutils import parse_isotime, utcnow

_COLUMNS = {c.key for c in Instance.__mapper__.column_attrs} - {"id", "deleted"}
# The hot statements are Core, built once, on the tables: an ORM flush or
# load (and building the expressions) cost more than running them. Each
# attribute's column (`user_metadata` is the column `metadata`).
_COLUMN_OF = {prop.key: prop.columns[0] for prop in Instance.__mapper__.column_attrs}
_INSTANCES = Instance.__table__
_ACTIONS = InstanceAction.__table__
_EVENTS = InstanceActionEvent.__table__


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
    done = session.execute(_INSERT_INSTANCE, {_COLUMN_OF[k].name: v for k, v in values.items()
                                              if k in _COLUMNS})
    # The row as the ORM object after its flush was: what was inserted
    # (the defaults too), None for the rest.
    stored = done.last_inserted_params()
    row = {key: stored.get(column.name) for key, column in _COLUMN_OF.items()}
    row["id"] = done.inserted_primary_key[0]
    return types.SimpleNamespace(**row)


_INSERT_INSTANCE = insert(_INSTANCES)


def instance_get(session, instance_uuid, read_deleted=False):
    query = select(Instance).where(Instance.uuid == instance_uuid)
    if not read_deleted:
        query = query.where(Instance.deleted == 0)
    row = session.scalars(query).first()
    if row is None:
        raise exception.InstanceNotFound(instance_id=instance_uuid)
    return row


# Every column, named as the model's attribute.
_NAMED = tuple(column if column.name == key else column.label(key)
               for key, column in _COLUMN_OF.items())
_ROW = select(*_NAMED).where(_INSTANCES.c.uuid == bindparam("match_uuid"),
                             _INSTANCES.c.deleted == 0)


def instance_row(session, instance_uuid):
    """instance_get's instance as a read-only Core row (attributes named
    as the model's), for the hot paths that only read it."""
    row = session.execute(_ROW, {"match_uuid": instance_uuid}).first()
    if row is None:
        raise exception.InstanceNotFound(instance_id=instance_uuid)
    return row


_ANY_OF = select(_INSTANCES.c.id).where(
    _INSTANCES.c.uuid.in_(bindparam("match_uuids", expanding=True))).limit(1)


def any_recorded(session, instance_uuids):
    """Whether any of these instances has a row (deleted ones too)."""
    return session.execute(_ANY_OF, {"match_uuids": list(instance_uuids)}).first() is not None


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


def _expectation(expected):
    """(shape, values) of an expected value of a compare-and-swap: None
    matches NULL; a value or a list, any of them (None among them: NULL
    too)."""
    if expected is None:
        return "null", None
    expected = list(expected) if isinstance(expected, (list, tuple)) else [expected]
    values = [e for e in expected if e is not None]
    return ("in_or_null" if None in expected else "in"), values


def _clause(column, shape, name):
    if shape == "null":
        return column.is_(None)
    clause = column.in_(bindparam(name, expanding=True))
    return or_(clause, column.is_(None)) if shape == "in_or_null" else clause


# The columns a save may expect values of, and its statements by the
# shapes of those expectations.
_EXPECTED = ("task_state", "vm_state", "host")
_SAVES = {}


def _save_statement(shapes, returning):
    """The UPDATE of one instance for these expectations' shapes, built
    once; its SET clause comes from the values it is executed with, and
    (`returning`) it returns the row as saved, as instance_row reads it."""
    statement = _SAVES.get((shapes, returning))
    if statement is None:
        query = update(_INSTANCES).where(_INSTANCES.c.uuid == bindparam("match_uuid"),
                                         _INSTANCES.c.deleted == 0)
        for name, shape in zip(_EXPECTED, shapes):
            if shape is not None:
                query = query.where(_clause(_INSTANCES.c[name], shape, f"expected_{name}"))
        statement = _SAVES[shapes, returning] = (query.returning(*_NAMED) if returning
                                                 else query)
    return statement


def instance_update(session, instance_uuid, values, expected_task_state=UNSET,
                    expected_vm_state=None, expected_host=UNSET):
    """Save `values`; with an expectation, only if the row still matches
    (`expected_host`: only while the instance is on that host). Returns
    the ORM row as saved."""
    instance_save(session, instance_uuid, values, expected_task_state, expected_vm_state,
                  expected_host)
    session.expire_all()
    return instance_get(session, instance_uuid)


def instance_save(session, instance_uuid, values, expected_task_state=UNSET,
                  expected_vm_state=None, expected_host=UNSET, current_host=UNSET):
    """instance_update in Core: the row as saved is a read-only Core row
    (as instance_row's), returned by the UPDATE itself. Core statements
    only: it runs in a core_transaction() too.

    `current_host`: the instance's host as this transaction has just read
    it, when the caller has; a save that moves the instance then does not
    read it again."""
    values = dict(values)
    if "metadata" in values:
        values["user_metadata"] = values.pop("metadata")
    values = _parse_times({k: v for k, v in values.items() if k in _COLUMNS})
    if hasattr(values.get("flavor"), "to_dict"):
        values["flavor"] = values["flavor"].to_dict()
    values["updated_at"] = utcnow()
    session.flush()  # what an ORM-enabled UPDATE did first (autoflush)
    moved_from = _host_if_moving(session, instance_uuid, values, current_host)
    params = {_COLUMN_OF[k].name: v for k, v in values.items()}
    params["match_uuid"] = instance_uuid
    shapes = []
    # No vm_state expected is None (a task_state or host of None is a value).
    for name, expected in zip(_EXPECTED, (
            expected_task_state, UNSET if expected_vm_state is None else expected_vm_state,
            expected_host)):
        shape, wanted = (None, None) if expected == UNSET else _expectation(expected)
        shapes.append(shape)
        if wanted is not None:
            params[f"expected_{name}"] = wanted
    # UPDATE ... RETURNING where the database has it (PostgreSQL, SQLite
    # from 3.35), else the UPDATE and then a read.
    returning = session.get_bind().dialect.update_returning
    done = session.execute(_save_statement(tuple(shapes), returning), params)
    if returning:
        row = done.first()
    else:
        row = instance_row(session, instance_uuid) if done.rowcount == 1 else None
    if row is None:
        _raise_conflict(session, instance_uuid, expected_task_state, expected_vm_state,
                        expected_host)
    if moved_from is not None:
        # Console URLs point at the old host's VNC server: none may stay.
        consoles.destroy_all_by_instance(session, instance_uuid)
    return row


_HOST = select(_INSTANCES.c.host).where(_INSTANCES.c.uuid == bindparam("match_uuid"))


def _host_if_moving(session, instance_uuid, values, current=UNSET):
    """The instance's current host (read unless known) when `values`
    moves it elsewhere."""
    if "host" not in values:
        return None
    if current == UNSET:
        current = session.execute(_HOST, {"match_uuid": instance_uuid}).scalar()
    return current if current and current != values["host"] else None


def _raise_conflict(session, instance_uuid, expected_task_state, expected_vm_state,
                    expected_host=UNSET):
    row = instance_row(session, instance_uuid)  # Core: a core_transaction() has no ORM
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


_INSERT_ACTION = insert(_ACTIONS)
_INSERT_EVENT = insert(_EVENTS)


def action_start(session, ctxt, instance_uuid, action, started_event=None):
    """Record the request's `action` on the instance; its id. With
    `started_event`, that event of the action is started with it (what
    event_record(start=True) would write: a new action has no events)."""
    # updated_at from the start, as Nova: the 2.58 changes-since filter
    # reads it (and an event's record sets it again).
    now = utcnow()
    action_id = session.execute(_INSERT_ACTION, {
        "instance_uuid": instance_uuid, "request_id": ctxt.request_id, "action": action,
        "project_id": ctxt.project_id, "user_id": ctxt.user_id, "start_time": now,
        "updated_at": now}).inserted_primary_key[0]
    if started_event is not None:
        session.execute(_INSERT_EVENT, {"action_id": action_id, "event": started_event,
                                        "host": None, "start_time": now,
                                        "task_id": ctxt.task_id})
    return action_id


_TOUCH_ACTION = update(_ACTIONS).where(_ACTIONS.c.id == bindparam("match_action"))
_SAVE_EVENT = update(_EVENTS).where(_EVENTS.c.id == bindparam("match_event_id"))


def _open_event_statement(start, on_host):
    """The request's action on the instance, with the newest event of this
    name (on this host, or on none) whose `start` (else finish) side is
    still open, if any: one statement."""
    a, e = _ACTIONS.c, _EVENTS.c
    return select(a.id.label("action_id"), e.id, e.task_id).select_from(
        _ACTIONS.outerjoin(_EVENTS, and_(
            e.action_id == a.id, e.event == bindparam("match_event"),
            e.host == bindparam("match_host") if on_host else e.host.is_(None),
            (e.start_time if start else e.finish_time).is_(None)))).where(
        a.instance_uuid == bindparam("match_uuid"),
        a.request_id == bindparam("match_request")).order_by(e.id.desc()).limit(1)


_OPEN_EVENT = {(start, on_host): _open_event_statement(start, on_host)
               for start in (True, False) for on_host in (True, False)}


def event_record(session, ctxt, instance_uuid, event, start=False, result=None,
                 traceback=None, host=None, task_id=None, details=None, started_at=None,
                 finish=None):
    """Start or finish an event on a host (`start` and `finish`: a whole
    event at once; `finish` is `not start` unless given). Casts may arrive
    out of order, so either side creates the row and the other completes
    it. The event's id, or None when the request started no action on the
    instance.

    `task_id` is the Celery task that ran the event when it is recorded
    through a call (the context's own task id is then the conductor's);
    `started_at`, when the host started it (a start recorded later)."""
    finish = not start if finish is None else finish
    found = session.execute(_OPEN_EVENT[start, host is not None], {
        "match_uuid": instance_uuid, "match_request": ctxt.request_id,
        "match_event": event, "match_host": host}).first()
    if found is None:
        return None
    now = utcnow()
    values = {}
    if start:
        values.update(start_time=parse_isotime(started_at) or now,
                      task_id=task_id or ctxt.task_id)
    if finish:
        values.update(finish_time=now, result=result, traceback=traceback, details=details)
        if not start:
            values["task_id"] = found.task_id or task_id
    # The action first, then its event: the order the ORM's flush wrote them.
    touched = {"match_action": found.action_id, "updated_at": now}
    if result == "Error" and finish:
        touched["message"] = "Error"
    session.execute(_TOUCH_ACTION, touched)
    if found.id is None:
        return session.execute(_INSERT_EVENT, {"action_id": found.action_id, "event": event,
                                               "host": host, **values}).inserted_primary_key[0]
    session.execute(_SAVE_EVENT, {"match_event_id": found.id, **values})
    return found.id


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
    host has not saved since `queued_before` (neither claimed nor
    finished)."""
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
