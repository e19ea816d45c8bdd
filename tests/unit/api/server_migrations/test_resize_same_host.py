"""A resize on one host (Nova's allow_resize_to_same_host, what the
all-in-one needs): the room of the old size is held by the migration
(as Nova's migration-held allocation) while the server claims its new
size on the same node; confirm gives back the old, revert the new. A
cold migration still needs another host."""
import pytest

from tests.unit.api.server_migrations import two_hosts as rs
from tests.unit.api.stack import act, boot_id, configure, image_id, start_hosts, stop_hosts

HOST = "solo"


@pytest.fixture
def hosts(db, roles, tmp_path, monkeypatch):
    """One compute host only, resizes allowed onto it."""
    configure(monkeypatch, tmp_path, STRATUS_ALLOW_RESIZE_TO_SAME_HOST="1")
    reporters = start_hosts(monkeypatch, {HOST: "nova"})
    yield
    stop_hosts(reporters)


@pytest.fixture
def server(client, flavors):
    server_id = boot_id(client, flavors["small"], image_id())
    assert rs.show(client, server_id)["OS-EXT-SRV-ATTR:host"] == HOST
    return server_id


def _used():
    from stratus.conductor.rpcapi import ConductorAPI
    from stratus.common.context import get_admin_context

    [node] = ConductorAPI().compute_node_get_all(get_admin_context())
    return node.vcpus_used, node.memory_mb_used


def _resized(client, server, flavors):
    assert act(client, server, {"resize": {"flavorRef": flavors["big"]}}).status_code == 202
    assert rs.where(client, server) == (HOST, "VERIFY_RESIZE", None, "mv.big")
    # Both sizes held on the one node: the new by the server, the old by
    # its migration.
    assert rs.claim_rows(server) == [(HOST, 1, 64), (HOST, 2, 128)]
    assert _used() == (3, 192)
    return rs.last_migration(server)


def test_resize_and_confirm_on_one_host(client, server, flavors):
    migration = _resized(client, server, flavors)
    assert (migration.source_compute, migration.dest_compute) == (HOST, HOST)
    assert rs.domain(HOST, server).info()[1] == 128 * 1024  # the new flavor's RAM, KiB
    assert act(client, server, {"confirmResize": None}).status_code == 204
    assert rs.where(client, server) == (HOST, "ACTIVE", None, "mv.big")
    assert rs.claim_rows(server) == [(HOST, 2, 128)]
    assert _used() == (2, 128)
    # The resized guest stays: confirm removed only the old size's leftovers.
    assert rs.domain(HOST, server).info()[1] == 128 * 1024
    assert rs.last_migration(server).status == "confirmed"


def test_resize_and_revert_on_one_host(client, server, flavors):
    _resized(client, server, flavors)
    assert act(client, server, {"revertResize": None}).status_code == 202
    assert rs.where(client, server) == (HOST, "ACTIVE", None, "mv.small")
    assert rs.claim_rows(server) == [(HOST, 1, 64)]
    assert _used() == (1, 64)
    assert rs.domain(HOST, server).info()[1] == 64 * 1024
    assert rs.last_migration(server).status == "reverted"


def test_a_delete_in_verify_resize_gives_back_both_sizes(client, server, flavors):
    _resized(client, server, flavors)
    assert client.delete(f"/v2.1/servers/{server}").status_code == 204
    assert rs.claim_rows(server) == []
    assert _used() == (0, 0)


def test_a_cold_migration_still_needs_another_host(client, server):
    reply = act(client, server, {"migrate": None})
    assert reply.status_code == 400, reply.get_json()
    assert "No valid host was found" in reply.get_json()["badRequest"]["message"]
    assert rs.claim_rows(server) == [(HOST, 1, 64)]
    assert rs.where(client, server)[1:3] == ("ACTIVE", None)
