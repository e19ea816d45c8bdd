"""The API on the real eager stack: conductor, scheduler and compute (on
libvirt's test driver) all run in this process against the test SQLite."""
import pytest

import config
from tests.unit.api.conftest import mv
from workers.context import get_admin_context


@pytest.fixture
def stack(db, roles, tmp_path, monkeypatch):
    """Fresh settings with an image store holding one image file."""
    monkeypatch.setenv("STRATUS_IMAGES_PATH", str(tmp_path / "images"))
    monkeypatch.setenv("STRATUS_INSTANCES_PATH", str(tmp_path / "instances"))
    config.reset_settings()
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "cirros.qcow2").write_bytes(b"not really qcow2")
    yield
    monkeypatch.undo()
    config.reset_settings()


@pytest.fixture
def image(stack):
    from workers.conductor.rpcapi import ConductorAPI

    return ConductorAPI().image_create(get_admin_context(), {
        "name": "cirros", "file": "cirros.qcow2", "size": 16})


@pytest.fixture
def compute_host(stack):
    service = pytest.importorskip("workers.compute.service",
                                  reason="the compute helper start_compute is not there yet")
    reporters = service.start_compute(["e2e-host"], "test:///default", periodic=False)
    yield "e2e-host"
    service.stop_compute(reporters)


def _flavor(client):
    body = {"flavor": {"name": "e2e.tiny", "ram": 64, "vcpus": 1, "disk": 1, "id": None}}
    reply = client.post("/v2.1/flavors", json=body)
    assert reply.status_code == 200, reply.get_json()
    return reply.get_json()["flavor"]["id"]


def _boot(client, flavor_id, image_id, **extra):
    body = {"server": {"name": "e2e", "flavorRef": flavor_id, "imageRef": image_id,
                       "networks": "none", **extra}}
    reply = client.post("/v2.1/servers", json=body, headers=mv("latest"))
    assert reply.status_code == 202, reply.get_json()
    return reply.get_json()["server"]["id"]


def test_flavor_round_trip(client, stack):
    flavor_id = _flavor(client)
    assert client.get(f"/v2.1/flavors/{flavor_id}").get_json()["flavor"]["name"] == "e2e.tiny"
    names = [f["name"] for f in client.get("/v2.1/flavors/detail?is_public=None")
             .get_json()["flavors"]]
    assert names == ["e2e.tiny"]
    assert client.post("/v2.1/flavors", json={"flavor": {
        "name": "e2e.tiny", "ram": 64, "vcpus": 1, "disk": 1}}).status_code == 409
    assert client.delete(f"/v2.1/flavors/{flavor_id}").status_code == 202
    assert client.get(f"/v2.1/flavors/{flavor_id}").status_code == 404


def test_images_glance_shape(client, image):
    listed = client.get("/image/v2/images?name=cirros").get_json()
    assert [i["id"] for i in listed["images"]] == [image.id]
    assert listed["first"] == "/v2/images" and listed["schema"] == "/v2/schemas/images"
    assert client.get(f"/v2/images?id=in:{image.id},other").get_json()["images"][0]["id"] \
        == image.id
    shown = client.get(f"/v2/images/{image.id}").get_json()
    assert (shown["id"], shown["name"], shown["status"]) == (image.id, "cirros", "active")
    assert client.get("/v2/images/nope").status_code == 404


def test_boot_without_a_host_ends_in_error(client, image):
    server_id = _boot(client, _flavor(client), image.id)
    server = client.get(f"/v2.1/servers/{server_id}", headers=mv("latest")).get_json()["server"]
    assert server["status"] == "ERROR"
    assert "No valid host" in server["fault"]["message"]
    assert client.delete(f"/v2.1/servers/{server_id}").status_code == 204
    assert client.get(f"/v2.1/servers/{server_id}").status_code == 404


def test_boot_list_and_delete_on_a_host(client, image, compute_host):
    server_id = _boot(client, _flavor(client), image.id)
    server = client.get(f"/v2.1/servers/{server_id}", headers=mv("latest")).get_json()["server"]
    assert server["status"] == "ACTIVE", server
    assert server["OS-EXT-SRV-ATTR:host"] == compute_host
    assert server["flavor"]["original_name"] == "e2e.tiny"
    assert server["image"]["id"] == image.id
    listed = client.get("/v2.1/servers/detail?deleted=False").get_json()["servers"]
    assert [s["id"] for s in listed] == [server_id]
    hypervisors = client.get("/v2.1/os-hypervisors/detail", headers=mv("2.88")).get_json()
    assert [h["hypervisor_hostname"] for h in hypervisors["hypervisors"]] == [compute_host]
    assert hypervisors["hypervisors"][0]["state"] == "up"
    services = client.get("/v2.1/os-services").get_json()["services"]
    assert any(s["host"] == compute_host and s["state"] == "up" for s in services)
    assert client.delete(f"/v2.1/servers/{server_id}").status_code == 204
    assert client.get(f"/v2.1/servers/{server_id}").status_code == 404
    assert client.get("/v2.1/servers").get_json()["servers"] == []
