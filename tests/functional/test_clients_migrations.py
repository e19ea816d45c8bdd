"""The real clients migrate and copy servers: python-openstackclient
live-migrates, resizes and confirms, snapshots and boots the snapshot,
shelves and unshelves, and lists the migrations; novaclient and
openstacksdk list them too. Each flow checks what the client printed and
what the API then holds."""
import pytest

from tests.functional.clients import created_server, osc, osc_json, run, unique_name

LATEST = {"OpenStack-API-Version": "compute latest"}


@pytest.fixture(scope="module")
def mover(cloud, env, names):
    """One server the flows of this file move, in file order."""
    yield from created_server(cloud, env, names, "mover")


def _host(cloud, server_id):
    server = cloud.api("GET", f"/servers/{server_id}", headers=LATEST).json()["server"]
    return server["OS-EXT-SRV-ATTR:host"], server


def test_openstack_live_migrates_and_lists_the_migration(cloud, env, mover):
    before, _ = _host(cloud, mover["id"])
    osc(env, "server", "migrate", "--live-migration", mover["id"], "--wait")
    after, server = _host(cloud, mover["id"])
    assert after in ("ft-a", "ft-b") and after != before
    assert (server["status"], server["OS-EXT-STS:task_state"]) == ("ACTIVE", None)
    listed = osc_json(env, "server", "migration", "list", "--server", mover["id"])
    [row] = [m for m in listed if m.get("Type", m.get("Migration Type")) == "live-migration"]
    assert (row["Source Compute"], row["Dest Compute"], row["Status"]) == (
        before, after, "completed")


def test_openstack_resizes_and_confirms(cloud, env, mover, make_flavor):
    bigger = make_flavor(unique_name("flavor"), 2, 128, 1)
    before, _ = _host(cloud, mover["id"])
    osc(env, "server", "resize", "--flavor", bigger, mover["id"], "--wait")
    after, server = _host(cloud, mover["id"])
    assert server["status"] == "VERIFY_RESIZE" and after != before
    osc(env, "server", "resize", "confirm", mover["id"])
    server = cloud.api("GET", f"/servers/{mover['id']}", headers=LATEST).json()["server"]
    assert server["status"] == "ACTIVE" and server["flavor"]["vcpus"] == 2
    claims = cloud.sql("SELECT count(*) FROM resource_claims WHERE instance_uuid = %s",
                       mover["id"])
    assert claims == [(1,)]


def test_openstack_snapshots_and_boots_the_snapshot(cloud, env, mover, names):
    snap_name = unique_name("snap")
    image = osc_json(env, "server", "image", "create", "--name", snap_name, mover["id"],
                     "--wait")
    assert image["name"] == snap_name
    shown = cloud.api("GET", f"/images/{image['id']}").json()["image"]
    assert shown["status"] == "ACTIVE"
    booted = osc_json(env, "server", "create",
                      "--flavor", names[0], "--image", snap_name,
                      unique_name("from-snap"), "--wait")
    assert booted["status"] == "ACTIVE"
    osc(env, "server", "delete", booted["id"], "--wait")


def test_openstack_shelves_and_unshelves(cloud, env, mover):
    osc(env, "server", "shelve", mover["id"], "--wait")
    host, server = _host(cloud, mover["id"])
    assert server["status"] == "SHELVED_OFFLOADED" and host is None
    assert cloud.sql("SELECT count(*) FROM resource_claims WHERE instance_uuid = %s",
                     mover["id"]) == [(0,)]
    osc(env, "server", "unshelve", mover["id"], "--wait")
    host, server = _host(cloud, mover["id"])
    assert server["status"] == "ACTIVE" and host in ("ft-a", "ft-b")


def test_novaclient_and_sdk_list_migrations(cloud, env, mover):
    listed = run(env, "nova", "migration-list", "--instance-uuid", mover["id"]).stdout
    assert "live-migration" in listed and "completed" in listed
    script = ("import openstack, sys; conn = openstack.connect(); "
              "print(sorted({m.migration_type for m in conn.compute.migrations("
              f"instance_uuid='{mover['id']}')}}))")
    out = run(env, "python", "-c", script).stdout
    assert "live-migration" in out and "resize" in out
