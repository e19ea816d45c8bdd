"""os-services on the distributed stack: a disabled compute service gets
no new instance, a forced-down one shows down. The scheduler keeps host
states for STRATUS_SCHEDULER_HOST_STATE_TTL (0.5 s): the only delay
before an update counts."""
import collections
import time

from tests.functional.cloud import wait_for

V253 = {"OpenStack-API-Version": "compute 2.53"}
CACHE_TTL = 0.5


def _service(cloud, host):
    services = cloud.api("GET", "/os-services", headers=V253).json()["services"]
    return next(s for s in services if s["host"] == host and s["binary"] == "nova-compute")


def _update(cloud, service_id, body):
    reply = cloud.api("PUT", f"/os-services/{service_id}", json=body, headers=V253)
    assert reply.status_code == 200, reply.text
    return reply.json()["service"]


def _boot_hosts(cloud, flavor, count):
    ids = [cloud.boot(f"svc-{i}", flavor, cloud.image_id) for i in range(count)]
    servers = cloud.wait_final(ids)
    return collections.Counter((s["status"], s["OS-EXT-SRV-ATTR:host"]) for s in servers.values())


def test_disabled_host_gets_no_instance(clean, flavor):
    cloud = clean
    service_id = _service(cloud, "ft-b")["id"]
    try:
        shown = _update(cloud, service_id, {"status": "disabled", "disabled_reason": "ft maint"})
        assert (shown["status"], shown["disabled_reason"]) == ("disabled", "ft maint")
        assert _service(cloud, "ft-b")["disabled_reason"] == "ft maint"
        time.sleep(CACHE_TTL + 0.5)
        assert _boot_hosts(cloud, flavor, 4) == {("ACTIVE", "ft-a"): 4}
    finally:
        _update(cloud, service_id, {"status": "enabled"})
    assert _service(cloud, "ft-b")["status"] == "enabled"


def test_forced_down_host_is_down(clean, flavor):
    cloud = clean
    service_id = _service(cloud, "ft-b")["id"]
    try:
        assert _update(cloud, service_id, {"forced_down": True})["state"] == "down"
        assert "ft-b" not in cloud.up_hosts()
        time.sleep(CACHE_TTL + 0.5)
        assert _boot_hosts(cloud, flavor, 2) == {("ACTIVE", "ft-a"): 2}
    finally:
        _update(cloud, service_id, {"forced_down": False})
    wait_for(lambda: "ft-b" in cloud.up_hosts(), 15, what="ft-b up again")
