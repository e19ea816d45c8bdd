"""resize, confirmResize, revertResize and migrate on the distributed
stack (hosts ft-a and ft-b on libvirt's test driver): the server ends on
the right host with the right flavor, and the claims read from the
database are on both hosts while it waits in VERIFY_RESIZE, on one after."""
import pytest

from tests.functional.cloud import wait_for

V256 = {"OpenStack-API-Version": "compute 2.56"}


@pytest.fixture(scope="module")
def big(make_flavor):
    return make_flavor("ft.resize.big", 2, 128, 1)


def _where(cloud, server):
    """(host, flavor id): the flavor's id is shown before 2.47 only."""
    return server["OS-EXT-SRV-ATTR:host"], cloud.server(server["id"])["flavor"]["id"]


def _booted(cloud, flavor):
    server_id = cloud.boot("ft-resize", flavor, cloud.image_id)
    server = cloud.wait_final([server_id])[server_id]
    assert server["status"] == "ACTIVE"
    host = server["OS-EXT-SRV-ATTR:host"]
    return server_id, host, {"ft-a": "ft-b", "ft-b": "ft-a"}[host]


def test_resize_and_confirm(clean, flavor, big):
    cloud = clean
    server_id, source, dest = _booted(cloud, flavor)
    reply = cloud.action(server_id, {"resize": {"flavorRef": big}})
    assert reply.status_code == 202, reply.text
    server = cloud.wait_status(server_id, "VERIFY_RESIZE")
    assert _where(cloud, server) == (dest, big)
    assert cloud.claims(server_id) == {source: (1, 64), dest: (2, 128)}
    reply = cloud.action(server_id, {"confirmResize": None})
    assert reply.status_code == 204, reply.text
    server = cloud.wait_status(server_id, "ACTIVE")
    assert _where(cloud, server) == (dest, big)
    wait_for(lambda: cloud.claims(server_id) == {dest: (2, 128)}, 10, 0.2, "one claim")
    status = cloud.sql("SELECT migration_type, status FROM migrations "
                       "WHERE instance_uuid = %s", server_id)
    assert status == [("resize", "confirmed")]


def test_resize_and_revert(clean, flavor, big):
    cloud = clean
    server_id, source, dest = _booted(cloud, flavor)
    assert cloud.action(server_id, {"resize": {"flavorRef": big}}).status_code == 202
    cloud.wait_status(server_id, "VERIFY_RESIZE")
    reply = cloud.action(server_id, {"revertResize": None})
    assert reply.status_code == 202, reply.text
    server = cloud.wait_status(server_id, "ACTIVE")
    assert _where(cloud, server) == (source, flavor)
    assert cloud.claims(server_id) == {source: (1, 64)}


def test_migrate_to_the_other_host(clean, flavor):
    cloud = clean
    server_id, source, dest = _booted(cloud, flavor)
    same = cloud.action(server_id, {"migrate": {"host": source}}, "2.56")
    assert same.status_code == 400, same.text
    reply = cloud.action(server_id, {"migrate": {"host": dest}}, "2.56")
    assert reply.status_code == 202, reply.text
    server = cloud.wait_status(server_id, "VERIFY_RESIZE")
    assert _where(cloud, server) == (dest, flavor)
    assert cloud.claims(server_id) == {source: (1, 64), dest: (1, 64)}
    assert cloud.action(server_id, {"confirmResize": None}).status_code == 204
    cloud.wait_status(server_id, "ACTIVE")
    wait_for(lambda: cloud.claims(server_id) == {dest: (1, 64)}, 10, 0.2, "one claim")


def test_delete_while_waiting_for_confirmation(clean, flavor, big):
    cloud = clean
    server_id, _source, _dest = _booted(cloud, flavor)
    assert cloud.action(server_id, {"resize": {"flavorRef": big}}).status_code == 202
    cloud.wait_status(server_id, "VERIFY_RESIZE")
    assert cloud.api("DELETE", f"/servers/{server_id}").status_code == 204
    wait_for(lambda: cloud.server(server_id) is None, 30, 0.2, "the delete")
    # The source confirms on the way out (as Nova): no claim, no migration left open.
    wait_for(lambda: cloud.sql("SELECT status FROM migrations WHERE instance_uuid = %s",
                               server_id) == [("confirmed",)], 10, 0.2, "the confirm")
    assert cloud.claims(server_id) == {}
