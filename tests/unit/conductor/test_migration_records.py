"""Migration records and the move commit through the conductor's real
RPC path (eager, SQLite): the status compare-and-swap, one transaction
for instance + migration + claim, console tokens purged on a host change."""
import datetime
import uuid

import pytest

from tests.unit.conductor.test_db import _instance, _node
from stratus.common import exception
from stratus.common.vocabulary import MigrationStatus, TaskState


def _server(host):
    from stratus.conductor.db import instances
    from stratus.conductor.db.session import transaction

    with transaction() as session:
        return instances.instance_create(session, _instance(
            {"host": host, "node": host, "vm_state": "active", "task_state": None})).uuid


def _token(api, ctxt, instance_uuid):
    expires = (datetime.datetime.utcnow() + datetime.timedelta(minutes=5)).isoformat()
    api.console_auth_token_create(ctxt, {
        "token_hash": uuid.uuid4().hex, "instance_uuid": instance_uuid, "host": "127.0.0.1",
        "port": 5900, "console_type": "novnc", "internal_access_path": None,
        "expires": expires})


def _tokens(instance_uuid):
    from sqlalchemy import func, select

    from stratus.conductor.db.models import ConsoleAuthToken
    from stratus.conductor.db.session import transaction

    with transaction() as session:
        return session.scalar(select(func.count(ConsoleAuthToken.id)).where(
            ConsoleAuthToken.instance_uuid == instance_uuid))


def test_migration_status_compare_and_swap(api, ctxt):
    made = api.migration_create(ctxt, {"instance_uuid": "i1", "migration_type": "migration",
                                       "status": MigrationStatus.PRE_MIGRATING})
    assert (made.project_id, made.user_id) == (ctxt.project_id, ctxt.user_id)
    moved = api.migration_update(ctxt, made.uuid, {"status": MigrationStatus.MIGRATING},
                                 expected_status=MigrationStatus.PRE_MIGRATING)
    assert moved.status == MigrationStatus.MIGRATING
    # A second delivery of the same step finds the status moved on.
    with pytest.raises(exception.MigrationStatusConflict):
        api.migration_update(ctxt, made.id, {"status": MigrationStatus.MIGRATING},
                             expected_status=MigrationStatus.PRE_MIGRATING)
    assert api.migration_get_in_progress(ctxt, "i1").id == made.id
    api.migration_update(ctxt, made.id, {"status": MigrationStatus.ERROR, "error": "x" * 300})
    assert api.migration_get_in_progress(ctxt, "i1") is None
    assert len(api.migration_get(ctxt, made.id).error) == 255
    with pytest.raises(exception.MigrationNotFound):
        api.migration_get(ctxt, 4242)


def test_move_commit_moves_host_migration_and_claim_together(api, ctxt):
    source, dest = _node(api, ctxt, "h1"), _node(api, ctxt, "h2")
    server = _server("h1")
    assert api.claim_resources(ctxt, server, source.id, 1, 256, 1)
    assert api.claim_resources(ctxt, server, dest.id, 1, 256, 1)
    migration = api.migration_create(ctxt, {"instance_uuid": server,
                                            "migration_type": "live-migration",
                                            "status": MigrationStatus.POST_MIGRATING})
    _token(api, ctxt, server)
    moved = api.instance_move_commit(
        ctxt, server, {"host": "h2", "node": "h2", "task_state": None}, migration.id,
        {"status": MigrationStatus.COMPLETED}, release_node_id=source.id,
        expected_task_state=[None])
    assert (moved.host, api.migration_get(ctxt, migration.id).status) == ("h2", "completed")
    assert api.compute_node_get(ctxt, source.id).memory_mb_used == 0
    assert api.compute_node_get(ctxt, dest.id).memory_mb_used == 256
    assert _tokens(server) == 0


def test_a_failed_move_commit_changes_nothing(api, ctxt):
    source = _node(api, ctxt, "h1")
    server = _server("h1")
    api.claim_resources(ctxt, server, source.id, 1, 256, 1)
    migration = api.migration_create(ctxt, {"instance_uuid": server, "migration_type": "resize",
                                            "status": MigrationStatus.POST_MIGRATING})
    _token(api, ctxt, server)
    with pytest.raises(exception.UnexpectedTaskStateError):
        api.instance_move_commit(ctxt, server, {"host": "h2"}, migration.id,
                                 {"status": MigrationStatus.FINISHED},
                                 release_node_id=source.id,
                                 expected_task_state=TaskState.RESIZE_FINISH)
    assert api.instance_get(ctxt, server).host == "h1"
    assert api.migration_get(ctxt, migration.id).status == MigrationStatus.POST_MIGRATING
    assert api.compute_node_get(ctxt, source.id).memory_mb_used == 256
    assert _tokens(server) == 1


def test_tokens_stay_while_the_host_stays(api, ctxt):
    server = _server("h1")
    _token(api, ctxt, server)
    api.instance_update(ctxt, server, {"host": "h1", "power_state": 1})
    assert _tokens(server) == 1


def test_image_update_and_delete(api, ctxt):
    image = api.image_create(ctxt, {"name": "snap", "status": "queued"})
    saved = api.image_update(ctxt, image.id, {"status": "active", "size": 42, "file": "x.qcow2"})
    assert (saved.status, saved.size, saved.file) == ("active", 42, "x.qcow2")
    api.image_delete(ctxt, image.id)
    api.image_delete(ctxt, image.id)  # already gone: not an error
    with pytest.raises(exception.ImageNotFound):
        api.image_get(ctxt, image.id)


def _claims_by_consumer():
    from sqlalchemy import select

    from stratus.conductor.db.models import ResourceClaim
    from stratus.conductor.db.session import transaction

    with transaction() as session:
        return sorted(session.execute(select(ResourceClaim.instance_uuid,
                                             ResourceClaim.compute_node_id)).all())


@pytest.mark.parametrize("outcome", ["release", "restore"])
def test_a_resize_source_room_held_by_its_migration(api, ctxt, outcome):
    """The source's room goes to the migration at the start; a confirm
    releases it, a revert gives it back to the server (dropping the
    server's claim on that node first: a same-host resize's new size).
    Settled once: a second settle changes nothing."""
    from stratus.conductor.db import migration_records
    from stratus.conductor.db.session import transaction

    node = _node(api, ctxt, "h1")
    server = _server("h1")
    assert api.claim_resources(ctxt, server, node.id, 1, 256, 1)
    migration = api.migration_create(ctxt, {"instance_uuid": server, "migration_type": "resize",
                                            "status": MigrationStatus.PRE_MIGRATING,
                                            "source_node_id": node.id})
    with transaction() as session:
        row = migration_records.migration_get(session, migration.id)
        migration_records.hold_source_claim(session, row)
    assert api.claim_resources(ctxt, server, node.id, 2, 512, 1)  # the new size, same node
    assert _claims_by_consumer() == sorted([(migration.uuid, node.id), (server, node.id)])
    for _ in range(2):
        api.instance_move_commit(ctxt, server, {}, migration.id, {}, source_claim=outcome)
    used = api.compute_node_get(ctxt, node.id)
    if outcome == "release":
        assert (_claims_by_consumer(), used.memory_mb_used) == ([(server, node.id)], 512)
    else:
        assert (_claims_by_consumer(), used.memory_mb_used) == ([(server, node.id)], 256)
