"""The boot path's Core statements (no ORM) against the ORM reads they
replace: the same rows, values and errors."""
import uuid

import pytest
from sqlalchemy import select

from stratus.common import exception
from stratus.common.vocabulary import TaskState, UNSET, VmState
from stratus.conductor import convert
from stratus.conductor.db import catalog, instances, quotas
from stratus.conductor.db.models import InstanceAction, InstanceActionEvent
from stratus.conductor.db.session import transaction


def _values(**extra):
    return dict({"uuid": str(uuid.uuid4()), "display_name": "vm", "project_id": "p1",
                 "user_id": "u1", "vm_state": VmState.BUILDING,
                 "task_state": TaskState.SCHEDULING, "metadata": {"k": "v"},
                 "flavor": {"id": 1, "flavorid": "1", "name": "tiny", "vcpus": 2,
                             "memory_mb": 64, "root_gb": 1}}, **extra)


def _create(**extra):
    with transaction() as session:
        return instances.instance_create(session, _values(**extra))


def _stored(instance_uuid):
    """The instance as the ORM reads it back."""
    with transaction() as session:
        return convert.instance(instances.instance_get(session, instance_uuid))


def test_a_created_instance_is_what_the_orm_reads_back(db):
    created = _create(host=None, launch_index=2)
    assert created.id and created.deleted == 0
    assert convert.instance(created) == _stored(created.uuid)


def test_the_core_row_is_the_orm_row(db):
    created = _create(host="h1")
    with transaction() as session:
        assert convert.instance(instances.instance_row(session, created.uuid)) == \
            _stored(created.uuid)
        with pytest.raises(exception.InstanceNotFound):
            instances.instance_row(session, str(uuid.uuid4()))


@pytest.mark.parametrize("expectations, matches", [
    ({"expected_task_state": [TaskState.SCHEDULING, None]}, True),
    ({"expected_task_state": [None]}, False),
    ({"expected_task_state": None}, False),
    ({"expected_task_state": TaskState.SCHEDULING, "expected_vm_state": VmState.BUILDING},
     True),
    ({"expected_vm_state": [VmState.ACTIVE, VmState.ERROR]}, False),
    ({"expected_host": None}, True),
    ({"expected_host": "h2"}, False),
])
def test_a_save_swaps_only_when_the_row_matches(db, expectations, matches):
    created = _create()
    with transaction() as session:
        if matches:
            instances.instance_save(session, created.uuid, {"task_state": TaskState.SPAWNING,
                                                            "metadata": {"a": "b"}},
                                    **expectations)
        else:
            with pytest.raises(exception.UnexpectedTaskStateError):
                instances.instance_save(session, created.uuid,
                                        {"task_state": TaskState.SPAWNING}, **expectations)
    saved = _stored(created.uuid)
    assert saved.task_state == (TaskState.SPAWNING if matches else TaskState.SCHEDULING)
    assert saved.metadata == ({"a": "b"} if matches else {"k": "v"})
    assert (saved.updated_at is not None) == matches


def test_a_save_and_an_update_write_the_same(db):
    one, two = _create(), _create()
    values = {"host": "h1", "node": "n1", "system_metadata": {"x": 1}, "metadata": {},
              "launched_at": "2026-01-02T03:04:05"}
    with transaction() as session:
        instances.instance_save(session, one.uuid, values,
                                expected_task_state=[TaskState.SCHEDULING])
        updated = convert.instance(instances.instance_update(
            session, two.uuid, values, expected_task_state=[TaskState.SCHEDULING]))
    saved = _stored(one.uuid)
    different = {"id", "uuid", "created_at", "updated_at"}
    assert {k: v for k, v in saved.to_dict().items() if k not in different} == \
        {k: v for k, v in updated.to_dict().items() if k not in different}


def test_a_deleting_instance_refuses_a_save_as_before(db):
    created = _create(task_state=TaskState.DELETING)
    with transaction() as session, pytest.raises(exception.UnexpectedDeletingTaskStateError):
        instances.instance_save(session, created.uuid, {"vm_state": VmState.ACTIVE},
                                expected_task_state=[TaskState.SPAWNING])


def test_any_recorded_sees_deleted_instances_too(db):
    created = _create()
    with transaction() as session:
        assert not instances.any_recorded(session, [str(uuid.uuid4())])
        instances.instance_soft_delete(session, created.uuid)
        assert instances.any_recorded(session, [str(uuid.uuid4()), created.uuid])


def _action_and_events(instance_uuid):
    with transaction() as session:
        action = session.scalars(select(InstanceAction).where(
            InstanceAction.instance_uuid == instance_uuid)).one()
        events = session.scalars(select(InstanceActionEvent).order_by(
            InstanceActionEvent.id)).all()
        return action, events


def test_an_event_is_created_then_completed_and_touches_its_action(db, ctxt):
    created = _create()
    with transaction() as session:
        assert instances.event_record(session, ctxt, created.uuid, "e", start=True) is None
        assert instances.action_start(session, ctxt, created.uuid, "create")
    action, _ = _action_and_events(created.uuid)
    assert action.created_at and action.updated_at == action.start_time
    with transaction() as session:
        first = instances.event_record(session, ctxt, created.uuid, "e", start=True, host="h",
                                       task_id="t1")
        assert instances.event_record(session, ctxt, created.uuid, "e", result="Error",
                                      traceback="tb", host="h", details="d",
                                      task_id="t2") == first
    action, events = _action_and_events(created.uuid)
    (event,) = events
    assert (event.host, event.result, event.traceback, event.details, event.task_id) == \
        ("h", "Error", "tb", "d", "t1")
    assert event.created_at and event.updated_at and event.start_time and event.finish_time
    assert action.message == "Error" and action.updated_at == event.finish_time


def test_an_event_finished_first_is_started_later_in_its_row(db, ctxt):
    created = _create()
    with transaction() as session:
        instances.action_start(session, ctxt, created.uuid, "create")
        instances.event_record(session, ctxt, created.uuid, "e", result="Success",
                               task_id="t2")
        instances.event_record(session, ctxt, created.uuid, "e", start=True)
    action, events = _action_and_events(created.uuid)
    (event,) = events
    assert (event.host, event.result, event.task_id) == (None, "Success", ctxt.task_id)
    assert event.start_time and event.finish_time and action.message is None


def test_the_core_flavor_and_image_are_the_orm_ones(db):
    with transaction() as session:
        catalog.flavor_create(session, {"flavorid": "pub", "name": "pub", "vcpus": 1,
                                        "memory_mb": 1, "root_gb": 0,
                                        "extra_specs": {"a": "b"}})
        catalog.flavor_create(session, {"flavorid": "priv", "name": "priv", "vcpus": 1,
                                        "memory_mb": 1, "root_gb": 0, "is_public": False})
        catalog.flavor_access_add(session, "priv", "p1")
        image = catalog.image_create(session, {"name": "i", "properties": {"p": 1}})
    with transaction() as session:
        for flavorid, project in (("pub", None), ("pub", "p2"), ("priv", "p1"), ("priv", None)):
            assert convert.flavor(catalog.flavor_row(session, flavorid, project)) == \
                convert.flavor(catalog.flavor_get(session, flavorid, project))
        for getter in (catalog.flavor_row, catalog.flavor_get):
            with pytest.raises(exception.FlavorNotFound):
                getter(session, "priv", "p2")
        assert convert.image(catalog.image_row(session, image.id)) == \
            convert.image(catalog.image_get(session, image.id))
        with pytest.raises(exception.ImageNotFound):
            catalog.image_row(session, str(uuid.uuid4()))


@pytest.mark.parametrize("metadata, count", [({}, 3), ({"a": 1, "b": 2}, None)])
def test_a_boots_checks_are_the_separate_checks(db, metadata, count):
    _create(vcpus=2)
    with transaction() as session:
        quotas.update_limits(session, "p1", {"metadata_items": 1, "cores": 8})
        outcomes = []
        for check in (_separately, quotas.check_boot):
            try:
                outcomes.append(check(session, "p1", metadata, 2, 0, 1, 5, user_id="u1"))
            except exception.StratusException as exc:
                outcomes.append((type(exc), exc.message))
    assert outcomes[0] == outcomes[1]
    if count is not None:
        assert outcomes[0] == count


def _separately(session, project_id, metadata, *args, **kwargs):
    quotas.check_metadata(session, project_id, metadata)
    return quotas.check_instances(session, project_id, *args, **kwargs)


def test_unset_expectations_are_no_expectation(db):
    created = _create()
    with transaction() as session:
        instances.instance_save(session, created.uuid, {"vm_state": VmState.ACTIVE},
                                expected_task_state=UNSET, expected_host=UNSET)
    assert _stored(created.uuid).vm_state == VmState.ACTIVE


def test_a_save_returns_the_row_as_saved(db):
    created = _create()
    with transaction() as session:
        row = instances.instance_save(session, created.uuid, {"host": "h1", "metadata": {}},
                                      expected_task_state=[TaskState.SCHEDULING])
        assert convert.instance(row) == convert.instance(instances.instance_row(
            session, created.uuid))
    assert convert.instance(row) == _stored(created.uuid)


def _events(ctxt, instance_uuid, together):
    with transaction() as session:
        if together:
            instances.action_start(session, ctxt, instance_uuid, "create", started_event="e")
        else:
            instances.action_start(session, ctxt, instance_uuid, "create")
            instances.event_record(session, ctxt, instance_uuid, "e", start=True)
    action, events = _action_and_events(instance_uuid)
    return ([(a.action, a.request_id, a.message, a.finish_time) for a in [action]],
            [(e.event, e.host, e.task_id, e.result, e.finish_time, e.updated_at,
              e.start_time is not None, e.created_at is not None) for e in events])


def test_an_action_started_with_its_event_is_the_two_recorded_apart(db, ctxt):
    one, two = _create(), _create()
    together = _events(ctxt, one.uuid, together=True)
    with transaction() as session:
        session.execute(InstanceActionEvent.__table__.delete())
    assert together == _events(ctxt, two.uuid, together=False)


def test_a_users_own_limits_are_checked_as_apart(db):
    _create(vcpus=2)
    with transaction() as session:
        quotas.update_limits(session, "p1", {"cores": 8})
        quotas.update_limits(session, "p1", {"cores": 4}, user_id="u1")
        assert quotas.limits(session, "p1", "u1")["cores"] == 4
        assert quotas.limits(session, "p1")["cores"] == 8
        outcomes = []
        for check in (_separately, quotas.check_boot):
            try:
                outcomes.append(check(session, "p1", {}, 2, 0, 1, 3, user_id="u1"))
            except exception.StratusException as exc:
                outcomes.append((type(exc), exc.message))
    assert outcomes[0] == outcomes[1] == 1


def test_a_save_without_returning_reads_the_same_row(db, monkeypatch):
    """An SQLite before 3.35 has no UPDATE ... RETURNING: the row is read
    after the UPDATE instead, and the same."""
    from stratus.conductor.db.session import get_engine

    rows = []
    for returning in (True, False):
        monkeypatch.setattr(get_engine().dialect, "update_returning", returning)
        created = _create()
        with transaction() as session:
            rows.append(convert.instance(instances.instance_save(
                session, created.uuid, {"host": "h1", "metadata": {"a": "b"}},
                expected_task_state=[TaskState.SCHEDULING])))
            with pytest.raises(exception.UnexpectedTaskStateError):
                instances.instance_save(session, created.uuid, {"host": "h2"},
                                        expected_task_state=[TaskState.SPAWNING])
        assert rows[-1] == _stored(created.uuid)
    different = {"id", "uuid", "created_at", "updated_at"}
    assert [{k: v for k, v in r.to_dict().items() if k not in different} for r in rows[:1]] == \
        [{k: v for k, v in r.to_dict().items() if k not in different} for r in rows[1:]]


def _token(session, instance_uuid, token_hash):
    from stratus.conductor.db import consoles

    consoles.token_create(session, {
        "token_hash": token_hash, "console_type": "novnc", "host": "h1", "port": 5900,
        "instance_uuid": instance_uuid, "expires": "2099-01-01T00:00:00"})


def _tokens(session, instance_uuid):
    from stratus.conductor.db.models import ConsoleAuthToken

    return session.scalars(select(ConsoleAuthToken.token_hash).where(
        ConsoleAuthToken.instance_uuid == instance_uuid)).all()


def _statements(engine):
    """The SQL that `engine` runs meanwhile (a list, filled as it runs)."""
    from sqlalchemy import event

    seen = []

    def record(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    return seen, lambda: event.remove(engine, "before_cursor_execute", record)


@pytest.mark.parametrize("new_host, tokens_left", [("h2", 0), ("h1", 1)])
def test_a_save_told_the_current_host_reads_it_no_more_and_does_the_same(db, new_host,
                                                                         tokens_left):
    from stratus.conductor.db.session import get_engine

    results = []
    for known in (UNSET, "h1"):
        created = _create(host="h1")
        with transaction() as session:
            _token(session, created.uuid, f"{created.uuid}-t")
        seen, stop = _statements(get_engine())
        try:
            with transaction() as session:
                row = instances.instance_save(session, created.uuid, {"host": new_host},
                                              expected_task_state=[TaskState.SCHEDULING],
                                              current_host=known)
        finally:
            stop()
        with transaction() as session:
            assert len(_tokens(session, created.uuid)) == tokens_left
        reads = [s for s in seen if " ".join(s.split()).startswith("SELECT instances.host FROM")]
        assert len(reads) == (1 if known == UNSET else 0)
        results.append({k: v for k, v in convert.instance(row).to_dict().items()
                        if k not in ("id", "uuid", "created_at", "updated_at")})
    assert results[0] == results[1]


def test_a_core_transaction_saves_as_a_session_does(db, ctxt):
    """instance_update's Core statements on a Connection: the same row,
    action and event, the same conflicts, and a rollback on error."""
    from stratus.conductor.db.session import core_transaction

    rows = []
    for opener in (transaction, core_transaction):
        created = _create(host="h1")
        with transaction() as session:
            _token(session, created.uuid, f"{created.uuid}-t")
        with opener() as session:
            row = instances.instance_save(session, created.uuid,
                                          {"task_state": TaskState.SPAWNING, "host": "h2"},
                                          expected_task_state=[TaskState.SCHEDULING])
            instances.action_start(session, ctxt, created.uuid, "create")
            instances.event_record(session, ctxt, created.uuid, "spawn", start=True)
            rows.append(convert.instance(row))
        assert rows[-1] == _stored(created.uuid)
        with transaction() as session:
            assert _tokens(session, created.uuid) == []
        action, events = _action_and_events(created.uuid)
        assert [(e.event, e.finish_time) for e in events if e.action_id == action.id] == \
            [("spawn", None)]
        with pytest.raises(exception.UnexpectedTaskStateError) as caught:
            with opener() as session:
                instances.instance_save(session, created.uuid, {"task_state": None},
                                        expected_task_state=[TaskState.SCHEDULING])
        assert "spawning" in caught.value.message
        with pytest.raises(RuntimeError):
            with opener() as session:
                instances.instance_save(session, created.uuid, {"task_state": None})
                raise RuntimeError("rolled back")
        assert _stored(created.uuid).task_state == TaskState.SPAWNING
    different = {"id", "uuid", "created_at", "updated_at", "launched_at"}
    assert [{k: v for k, v in r.to_dict().items() if k not in different} for r in rows[:1]] == \
        [{k: v for k, v in r.to_dict().items() if k not in different} for r in rows[1:]]


def test_a_core_transaction_has_no_orm(db):
    from stratus.conductor.db.session import core_transaction

    with core_transaction() as session, pytest.raises(AttributeError):
        session.scalars(select(InstanceAction))


def test_a_boot_recorded_on_a_connection_is_read_back_on_a_second_delivery(db, ctxt):
    """_record in a core_transaction: the project's lock row made on first
    use, the instances and their actions recorded; a second delivery
    records nothing and answers what the first one did."""
    from stratus.conductor.db.models import ProjectLock
    from stratus.conductor.orchestration import build

    values = [_values(), _values()]
    first, spec = build._record(ctxt, values, {}, 1)
    again, spec_again = build._record(ctxt, values, {}, 1)
    assert spec == {} and spec_again is None  # None: recorded before
    assert sorted(i.uuid for i in again) == sorted(i.uuid for i in first)
    for instance in again:
        assert instance == _stored(instance.uuid)
    with transaction() as session:
        assert session.scalars(select(ProjectLock.generation)).all() == [1]  # once
        assert len(session.scalars(select(InstanceAction)).all()) == 2
