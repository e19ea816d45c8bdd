"""evacuate on the distributed stack: refused while the server's host is
up; from a host of its own (ft-e, in a zone no other test boots into)
that is stopped and forced down, onto ft-a; then ft-e starts again and
its recovery completes the evacuation."""
import pytest

from tests.functional.cloud import wait_for
from tests.functional.conftest import HOST_SIZE

V229 = {"OpenStack-API-Version": "compute 2.29"}
V253 = {"OpenStack-API-Version": "compute 2.53"}
ZONE = "ft-evacuate"
HOST_ENV = dict(HOST_SIZE, STRATUS_AVAILABILITY_ZONE=ZONE)


@pytest.fixture
def evacuee_host(cloud):
    cloud.start_compute("ft-e", env=HOST_ENV)
    yield "ft-e"
    _force_down(cloud, "ft-e", False)
    cloud.retire_compute("ft-e")


def _service_id(cloud, host):
    services = cloud.api("GET", "/os-services", headers=V253).json()["services"]
    return next(s["id"] for s in services if s["host"] == host)


def _force_down(cloud, host, down=True):
    reply = cloud.api("PUT", f"/os-services/{_service_id(cloud, host)}",
                      json={"forced_down": down}, headers=V253)
    assert reply.status_code == 200, reply.text


def _evacuate(cloud, server_id, body):
    return cloud.api("POST", f"/servers/{server_id}/action", json={"evacuate": body},
                     headers=V229)


def _migration(cloud, server_id):
    return cloud.sql("SELECT status, source_compute, dest_compute FROM migrations "
                     "WHERE instance_uuid = %s AND migration_type = 'evacuation'", server_id)


def test_refused_while_the_host_is_up(clean, flavor):
    cloud = clean
    server_id = cloud.boot("ft-evac-up", flavor, cloud.image_id)
    host = cloud.wait_final([server_id])[server_id]["OS-EXT-SRV-ATTR:host"]
    reply = _evacuate(cloud, server_id, {})
    assert reply.status_code == 409, reply.text
    assert reply.json()["conflictingRequest"]["message"] == (
        f"Compute service of {host} is still in use.")


def test_evacuate_a_stopped_host_and_bring_it_back(clean, flavor, evacuee_host):
    cloud = clean
    server_id = cloud.boot("ft-evac", flavor, cloud.image_id, availability_zone=ZONE)
    server = cloud.wait_final([server_id])[server_id]
    assert (server["status"], server["OS-EXT-SRV-ATTR:host"]) == ("ACTIVE", "ft-e")
    cloud.stop("compute-ft-e")
    _force_down(cloud, "ft-e")
    # The server's zone has no other host: the operator names one and forces it.
    reply = _evacuate(cloud, server_id, {"host": "ft-a", "force": True})
    assert (reply.status_code, reply.text) == (200, "")

    def moved():
        shown = cloud.server(server_id)
        return shown if shown["OS-EXT-STS:task_state"] is None else None

    server = wait_for(moved, 30, 0.2, "the evacuation")
    assert (server["status"], server["OS-EXT-SRV-ATTR:host"]) == ("ACTIVE", "ft-a")
    assert list(cloud.claims(server_id)) == ["ft-a"]
    assert _migration(cloud, server_id) == [("done", "ft-e", "ft-a")]
    # ft-e starts again: its recovery removes what it had of the server.
    _force_down(cloud, "ft-e", False)
    cloud.start_compute("ft-e", env=HOST_ENV)
    # Up at once (its last heartbeat is recent): wait for its recovery.
    wait_for(lambda: _migration(cloud, server_id) == [("completed", "ft-e", "ft-a")], 30, 0.2,
             "the evacuation completed by ft-e")
    assert cloud.server(server_id)["OS-EXT-SRV-ATTR:host"] == "ft-a"
