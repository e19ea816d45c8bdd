"""os-migrateLive in the distributed cloud, between the test-driver hosts
ft-a and ft-b (separate compute processes, so the domain really travels
in the messages): the server ends ACTIVE on the other host, its
migration completed, room held on the new node only."""
from tests.functional.cloud import wait_for


def test_live_migration_with_host_null_moves_to_the_other_host(clean, flavor):
    cloud = clean
    sid = cloud.boot("lm-test", flavor, cloud.image_id)
    source = cloud.wait_final([sid])[sid]["OS-EXT-SRV-ATTR:host"]
    dest = {"ft-a": "ft-b", "ft-b": "ft-a"}[source]
    reply = cloud.api("POST", f"/servers/{sid}/action",
                      json={"os-migrateLive": {"host": None, "block_migration": "auto"}},
                      headers={"OpenStack-API-Version": "compute 2.30"})
    assert reply.status_code == 202, reply.text
    server = cloud.wait_status(sid, "ACTIVE")
    assert (server["status"], server["OS-EXT-SRV-ATTR:host"]) == ("ACTIVE", dest), server
    assert server["OS-EXT-STS:power_state"] == 1
    assert list(cloud.claims(sid)) == [dest]
    [migration] = cloud.sql("SELECT status, migration_type, source_compute, dest_compute "
                            "FROM migrations WHERE instance_uuid = %s", sid)
    assert migration == ("completed", "live-migration", source, dest)
    # The new host answers for the guest: a stop goes there and works.
    assert cloud.api("POST", f"/servers/{sid}/action", json={"os-stop": None}).status_code == 202
    wait_for(lambda: cloud.server(sid)["status"] == "SHUTOFF", 30, 0.2, f"{sid} stopped")
