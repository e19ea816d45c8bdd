"""/os-migrations and /servers/{id}/migrations on the real eager stack:
records made through the conductor, listed, filtered, paged and shown as
Nova shows them at each microversion."""
import pytest

from tests.unit.api.conftest import act_as, mv
from tests.unit.api.stack import boot_id, flavor_id
from stratus.conductor.rpcapi import ConductorAPI
from stratus.common.context import get_admin_context
from stratus.common.vocabulary import MigrationStatus, MigrationType


@pytest.fixture
def server(client, image, compute_host):
    return boot_id(client, flavor_id(client), image.id)


def _record(instance_uuid, migration_type, status, source="src", dest="dst", **extra):
    conductor, ctxt = ConductorAPI(), get_admin_context()
    made = conductor.migration_create(ctxt, dict({
        "instance_uuid": instance_uuid, "migration_type": migration_type,
        "status": MigrationStatus.ACCEPTED, "source_compute": source, "source_node": source,
        "dest_compute": dest, "dest_node": dest, "dest_host": "127.0.0.1"}, **extra))
    if status != MigrationStatus.ACCEPTED:
        made = conductor.migration_update(ctxt, made.id, {"status": status})
    return made


def _list(client, version="latest", **params):
    return client.get("/v2.1/os-migrations", query_string=params, headers=mv(version))


def test_listing_shows_every_move_newest_first_with_nova_fields(client):
    old = _record("i-1", MigrationType.RESIZE, MigrationStatus.CONFIRMED)
    new = _record("i-2", MigrationType.LIVE_MIGRATION, MigrationStatus.MIGRATING)
    body = _list(client, "2.80").get_json()
    assert [m["id"] for m in body["migrations"]] == [new.id, old.id]
    live, resize = body["migrations"]
    assert (resize["migration_type"], resize["status"], resize["source_compute"],
            resize["dest_compute"], resize["uuid"]) == ("resize", "confirmed", "src", "dst",
                                                        old.uuid)
    assert "links" not in resize
    # An in-progress live migration links to itself under its server (2.23).
    assert live["links"][0]["href"].endswith(f"/servers/i-2/migrations/{new.id}")
    assert {"user_id", "project_id", "old_instance_type_id", "new_instance_type_id",
            "created_at", "updated_at", "dest_host", "source_node"} <= set(live)


def test_older_microversions_hide_newer_fields(client):
    _record("i-1", MigrationType.LIVE_MIGRATION, MigrationStatus.MIGRATING)
    [plain] = _list(client, "2.1").get_json()["migrations"]
    assert not {"migration_type", "links", "uuid", "user_id"} & set(plain)
    [v259] = _list(client, "2.59").get_json()["migrations"]
    assert "uuid" in v259 and "user_id" not in v259


def test_filters(client):
    _record("i-1", MigrationType.RESIZE, MigrationStatus.FINISHED, source="a", dest="b")
    _record("i-2", MigrationType.LIVE_MIGRATION, MigrationStatus.ERROR, source="b", dest="c")
    _record("i-3", MigrationType.EVACUATION, MigrationStatus.DONE, source="c", dest="a")

    def ids(**params):
        return sorted(m["instance_uuid"] for m in _list(client, **params).get_json()["migrations"])

    assert ids(host="a") == ["i-1", "i-3"]
    assert ids(source_compute="b") == ["i-2"]
    assert ids(status="error") == ["i-2"]
    assert ids(migration_type="evacuation") == ["i-3"]
    assert ids(instance_uuid="i-1") == ["i-1"]


def test_paging_from_2_59(client):
    made = [_record(f"i-{n}", MigrationType.MIGRATION, MigrationStatus.CONFIRMED) for n in range(3)]
    first = _list(client, "2.59", limit=2).get_json()
    assert [m["uuid"] for m in first["migrations"]] == [made[2].uuid, made[1].uuid]
    [link] = first["migrations_links"]
    assert f"marker={made[1].uuid}" in link["href"]
    rest = _list(client, "2.59", limit=2, marker=made[1].uuid).get_json()
    assert [m["uuid"] for m in rest["migrations"]] == [made[0].uuid]
    assert "migrations_links" not in rest
    missing = _list(client, "2.59", marker="no-such-marker")
    assert missing.status_code == 400, missing.get_json()


def test_unknown_parameters_are_a_400_from_2_59_only(client):
    assert _list(client, "2.58", bogus="1").status_code == 200
    reply = _list(client, "2.59", bogus="1")
    assert reply.status_code == 400
    assert "bogus" in reply.get_json()["badRequest"]["message"]
    assert _list(client, "2.79", user_id="u").status_code == 400
    assert _list(client, "2.80", user_id="u").status_code == 200


def test_only_admins_list_migrations(client, monkeypatch):
    act_as(monkeypatch, "someone", "default", ["member"])
    reply = _list(client)
    assert reply.status_code == 403
    assert "forbidden" in reply.get_json()


def test_a_server_shows_its_live_migration_in_progress_only(client, server):
    done = _record(server, MigrationType.LIVE_MIGRATION, MigrationStatus.COMPLETED)
    running = _record(server, MigrationType.LIVE_MIGRATION, MigrationStatus.MIGRATING,
                      memory_total=1024, memory_processed=512, memory_remaining=512)
    listed = client.get(f"/v2.1/servers/{server}/migrations", headers=mv("2.80")).get_json()
    [shown] = listed["migrations"]
    assert (shown["id"], shown["server_uuid"], shown["status"]) == (running.id, server,
                                                                    "migrating")
    assert (shown["memory_total_bytes"], shown["memory_processed_bytes"],
            shown["memory_remaining_bytes"]) == (1024, 512, 512)
    assert shown["uuid"] == running.uuid and "project_id" in shown
    one = client.get(f"/v2.1/servers/{server}/migrations/{running.id}", headers=mv("2.23"))
    assert one.status_code == 200 and one.get_json()["migration"]["id"] == running.id
    gone = client.get(f"/v2.1/servers/{server}/migrations/{done.id}", headers=mv("2.23"))
    assert gone.status_code == 404
    assert "In-progress live migration" in gone.get_json()["itemNotFound"]["message"]


def test_server_migrations_errors(client, server):
    other = _record("another-server", MigrationType.LIVE_MIGRATION, MigrationStatus.MIGRATING)
    assert client.get(f"/v2.1/servers/{server}/migrations",
                      headers=mv("2.22")).status_code == 404
    reply = client.get(f"/v2.1/servers/{server}/migrations/{other.id}", headers=mv("2.23"))
    assert reply.status_code == 404
    assert client.get(f"/v2.1/servers/{server}/migrations/99999",
                      headers=mv("2.23")).status_code == 404
    assert client.get(f"/v2.1/servers/{server}/migrations/abc",
                      headers=mv("2.23")).status_code == 400
    missing = "00000000-0000-0000-0000-000000000000"
    assert client.get(f"/v2.1/servers/{missing}/migrations",
                      headers=mv("2.23")).status_code == 404


def test_a_second_move_of_a_server_in_progress_is_refused(db, roles):
    from stratus.common import exception

    _record("i-1", MigrationType.RESIZE, MigrationStatus.FINISHED)
    with pytest.raises(exception.MigrationInProgress):
        _record("i-1", MigrationType.MIGRATION, MigrationStatus.ACCEPTED)
    _record("i-2", MigrationType.RESIZE, MigrationStatus.CONFIRMED)
    _record("i-2", MigrationType.MIGRATION, MigrationStatus.ACCEPTED)  # the first one is over


def test_changes_since_and_before(client):
    made = _record("i-1", MigrationType.RESIZE, MigrationStatus.CONFIRMED)
    updated = made.updated_at
    assert [m["id"] for m in _list(client, "2.59", **{"changes-since": updated})
            .get_json()["migrations"]] == [made.id]
    assert _list(client, "2.59", **{"changes-since": "2999-01-01T00:00:00"}) \
        .get_json()["migrations"] == []
    # Before 2.59 the parameter is not Nova's yet: ignored.
    assert len(_list(client, "2.58", **{"changes-since": "2999-01-01T00:00:00"})
               .get_json()["migrations"]) == 1
    assert _list(client, "2.59", **{"changes-since": "yesterday"}).status_code == 400
    assert _list(client, "2.65", **{"changes-before": updated}).status_code == 400
    window = _list(client, "2.66", **{"changes-since": "2999-01-01T00:00:00",
                                      "changes-before": "2000-01-01T00:00:00"})
    assert window.status_code == 400
    assert "changes-since must be less" in window.get_json()["badRequest"]["message"]
