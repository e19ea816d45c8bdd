"""Booting through the whole distributed stack: API over HTTP, conductor,
scheduler and two compute workers on Redis and PostgreSQL."""
import collections
import concurrent.futures
import tempfile

from tests.functional.cloud import wait_for
from tests.functional.conftest import HOST_SIZE


def _usage(cloud):
    return {host: (vcpus_used, mem_used, disk_used, vcpus)
            for host, vcpus_used, mem_used, disk_used, vcpus in cloud.sql(
                "SELECT host, vcpus_used, memory_mb_used, local_gb_used, vcpus "
                "FROM compute_nodes WHERE deleted = 0")}


def test_twenty_boots_are_active_and_spread(clean, flavor):
    cloud = clean
    ids = [cloud.boot(f"spread-{i}", flavor, cloud.image_id, availability_zone="nova")
           for i in range(20)]
    servers = cloud.wait_final(ids)
    assert collections.Counter(s["status"] for s in servers.values()) == {"ACTIVE": 20}
    hosts = collections.Counter(s["OS-EXT-SRV-ATTR:host"] for s in servers.values())
    assert set(hosts) == {"ft-a", "ft-b"}, hosts
    usage = _usage(cloud)
    assert sum(u[0] for u in usage.values()) == 20       # 20 x 1 vCPU
    assert sum(u[1] for u in usage.values()) == 20 * 64  # 20 x 64 MB
    assert sum(u[2] for u in usage.values()) == 20 * 1   # 20 x 1 GB
    for host, count in hosts.items():
        assert usage[host][0] == count


def test_delete_frees_the_room(clean, flavor):
    cloud = clean
    sid = cloud.boot("short-lived", flavor, cloud.image_id)
    assert cloud.wait_final([sid])[sid]["status"] == "ACTIVE"
    assert sum(u[0] for u in _usage(cloud).values()) == 1
    assert cloud.api("DELETE", f"/servers/{sid}").status_code == 204
    wait_for(lambda: cloud.api("GET", f"/servers/{sid}").status_code == 404, 30)
    assert sum(u[0] for u in _usage(cloud).values()) == 0
    assert cloud.sql("SELECT vm_state, deleted <> 0 FROM instances WHERE uuid = %s", sid) == [
        ("deleted", True)]


def test_full_cloud_gives_error_with_the_reason(clean, make_flavor):
    cloud = clean
    huge = make_flavor("ft.huge", 64, 64, 1)
    sid = cloud.boot("too-big", huge, cloud.image_id)
    server = cloud.wait_final([sid])[sid]
    assert server["status"] == "ERROR"
    message = server["fault"]["message"]
    assert "No valid host" in message and "0 of" in message, message
    assert "CoreFilter removed" in message and "needs 64" in message, message


def test_fifty_concurrent_boots_against_room_for_forty(clean, flavor):
    cloud = clean
    with concurrent.futures.ThreadPoolExecutor(max_workers=25) as pool:
        ids = list(pool.map(lambda i: cloud.boot(f"crowd-{i}", flavor, cloud.image_id,
                                                 availability_zone="nova"), range(50)))
    servers = cloud.wait_final(ids, timeout=180)
    counts = collections.Counter(s["status"] for s in servers.values())
    assert counts == {"ACTIVE": 40, "ERROR": 10}, counts
    for host, (vcpus_used, _, _, vcpus) in _usage(cloud).items():
        assert vcpus_used <= vcpus, host
    assert cloud.sql("SELECT count(*) FROM resource_claims") == [(40,)]


def test_spawn_failure_is_rescheduled_to_the_other_host(clean, flavor):
    cloud = clean
    # Zone `retry` holds a host without the image (preferred: more free RAM)
    # and a healthy one; every boot tried on the first must end on the second.
    empty = tempfile.mkdtemp(prefix="no-images-")
    broken = dict(HOST_SIZE, STRATUS_AVAILABILITY_ZONE="retry", STRATUS_IMAGES_PATH=empty,
                  STRATUS_TEST_HOST_MEMORY_MB="131072")
    cloud.start_compute("ft-broken", env=broken)
    cloud.start_compute("ft-good", env=dict(HOST_SIZE, STRATUS_AVAILABILITY_ZONE="retry"))
    try:
        sid = cloud.boot("rescheduled", flavor, cloud.image_id, availability_zone="retry")
        server = cloud.wait_final([sid])[sid]
        assert server["status"] == "ACTIVE", server
        assert server["OS-EXT-SRV-ATTR:host"] == "ft-good"
        events = dict(cloud.sql(
            "SELECT e.host, e.result FROM instance_actions_events e JOIN instance_actions a "
            "ON a.id = e.action_id WHERE a.instance_uuid = %s "
            "AND e.event = 'compute__do_build_and_run_instance'", sid))
        assert events == {"ft-broken": "Error", "ft-good": "Success"}, events
    finally:
        cloud.delete_all()
        cloud.retire_compute("ft-broken")
        cloud.retire_compute("ft-good")
