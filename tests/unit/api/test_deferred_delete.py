"""Deferred delete on the eager stack: with reclaim_instance_interval a
delete soft-deletes (guest off), restore brings the server back,
forceDelete ends it, and the host's periodic task reclaims it after the
interval; without one, restore is a 409."""
import datetime

import pytest

from tests.unit.api import stack
from stratus.common.context import get_admin_context


def _cloud(monkeypatch, tmp_path, interval):
    stack.configure(monkeypatch, tmp_path, STRATUS_RECLAIM_INSTANCE_INTERVAL=str(interval))
    return stack.start_hosts(monkeypatch, {"dd-a": "nova"})


@pytest.fixture
def deferred(db, roles, tmp_path, monkeypatch):
    reporters = _cloud(monkeypatch, tmp_path, 3600)
    yield
    stack.stop_hosts(reporters)


@pytest.fixture
def immediate(db, roles, tmp_path, monkeypatch):
    reporters = _cloud(monkeypatch, tmp_path, 0)
    yield
    stack.stop_hosts(reporters)


def _server(client, count=1):
    flavor, image = stack.flavor_id(client), stack.image_id()
    ids = [stack.boot_id(client, flavor, image) for _ in range(count)]
    return ids[0] if count == 1 else ids


def _guest_state(server_id):
    from stratus.compute import tasks

    manager = tasks.manager_for("dd-a")
    instance = manager.conductor_api.instance_get(get_admin_context(), server_id)
    return manager.driver.get_info(instance)


def test_delete_soft_deletes_and_restore_brings_back(client, deferred):
    from stratus.common.vocabulary import PowerState

    server = _server(client)
    assert client.delete(f"/v2.1/servers/{server}").status_code == 204
    assert stack.states(client, server) == ("SOFT_DELETED", "soft-delete", None)
    assert _guest_state(server) == PowerState.SHUTDOWN
    assert stack.act(client, server, {"restore": None}).status_code == 202
    assert stack.states(client, server) == ("ACTIVE", "active", None)
    assert _guest_state(server) == PowerState.RUNNING


def test_force_delete_ends_a_soft_deleted_server(client, deferred):
    server = _server(client)
    client.delete(f"/v2.1/servers/{server}")
    assert stack.act(client, server, {"forceDelete": None}).status_code == 202
    assert client.get(f"/v2.1/servers/{server}").status_code == 404


def test_reclaim_deletes_only_servers_past_the_interval(client, deferred):
    from stratus.compute import tasks
    from stratus.conductor.rpcapi import ConductorAPI

    old, recent = _server(client, 2)
    for server in (old, recent):
        client.delete(f"/v2.1/servers/{server}")
    long_ago = (datetime.datetime.utcnow() - datetime.timedelta(hours=2)).isoformat()
    ConductorAPI().instance_update(get_admin_context(), old, {"deleted_at": long_ago})
    tasks.manager_for("dd-a").reclaim_queued_deletes()
    assert client.get(f"/v2.1/servers/{old}").status_code == 404
    assert stack.states(client, recent) == ("SOFT_DELETED", "soft-delete", None)


def test_restore_of_a_live_server_is_a_conflict(client, immediate):
    server = _server(client)
    assert stack.act(client, server, {"restore": None}).status_code == 409


def test_without_interval_delete_is_at_once(client, immediate):
    server = _server(client)
    assert client.delete(f"/v2.1/servers/{server}").status_code == 204
    assert client.get(f"/v2.1/servers/{server}").status_code == 404
    assert stack.act(client, "00000000-0000-0000-0000-000000000000",
                     {"forceDelete": None}).status_code == 404
