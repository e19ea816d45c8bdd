"""The API on the real eager stack: conductor, scheduler and compute (on
libvirt's test driver) all run in this process against the test SQLite."""
from tests.unit.api.conftest import mv
from tests.unit.api.stack import boot_id, flavor_id


def test_flavor_round_trip(client, stack):
    flavor = flavor_id(client, "e2e.tiny")
    assert client.get(f"/v2.1/flavors/{flavor}").get_json()["flavor"]["name"] == "e2e.tiny"
    names = [f["name"] for f in client.get("/v2.1/flavors/detail?is_public=None")
             .get_json()["flavors"]]
    assert names == ["e2e.tiny"]
    assert client.post("/v2.1/flavors", json={"flavor": {
        "name": "e2e.tiny", "ram": 64, "vcpus": 1, "disk": 1}}).status_code == 409
    assert client.delete(f"/v2.1/flavors/{flavor}").status_code == 202
    assert client.get(f"/v2.1/flavors/{flavor}").status_code == 404


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
    server_id = boot_id(client, flavor_id(client, "e2e.tiny"), image.id)
    server = client.get(f"/v2.1/servers/{server_id}", headers=mv("latest")).get_json()["server"]
    assert server["status"] == "ERROR"
    assert "No valid host" in server["fault"]["message"]
    assert client.delete(f"/v2.1/servers/{server_id}").status_code == 204
    assert client.get(f"/v2.1/servers/{server_id}").status_code == 404


def test_boot_list_and_delete_on_a_host(client, image, compute_host):
    server_id = boot_id(client, flavor_id(client, "e2e.tiny"), image.id)
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


def _conductor_calls(monkeypatch):
    """The conductor methods called (not cast) from now on."""
    from stratus.common.rpc import RPCClient

    called, call = [], RPCClient.call

    def recording(self, ctxt, method, **kwargs):
        if self.role == "conductor":
            called.append(method)
        return call(self, ctxt, method, **kwargs)

    monkeypatch.setattr(RPCClient, "call", recording)
    return called


def test_a_boot_has_the_conductor_read_its_flavor_and_image_as_it_records_it(
        client, image, monkeypatch):
    flavor = flavor_id(client, "e2e.tiny")
    called = _conductor_calls(monkeypatch)
    boot_id(client, flavor, image.id)
    assert called.count("create_instances_by_ref") == 1
    assert not {"flavor_and_image_get", "flavor_get", "image_get", "create_instances"} & set(called)


def test_conductors_capped_at_1_11_are_asked_for_the_flavor_and_image_in_one_call(
        client, image, monkeypatch):
    from stratus import config

    flavor = flavor_id(client, "e2e.tiny")
    monkeypatch.setenv("STRATUS_CONDUCTOR_RPC_VERSION_CAP", "1.11")
    config.reset_settings()
    called = _conductor_calls(monkeypatch)
    boot_id(client, flavor, image.id)
    assert called.count("flavor_and_image_get") == 1
    assert called.index("flavor_and_image_get") < called.index("create_instances")
    assert "create_instances_by_ref" not in called


def test_conductors_capped_below_1_9_are_asked_for_the_flavor_then_the_image(
        client, image, monkeypatch):
    from stratus import config

    flavor = flavor_id(client, "e2e.tiny")
    monkeypatch.setenv("STRATUS_CONDUCTOR_RPC_VERSION_CAP", "1.8")
    config.reset_settings()
    called = _conductor_calls(monkeypatch)
    boot_id(client, flavor, image.id)
    assert "flavor_and_image_get" not in called
    assert called.index("flavor_get") < called.index("image_get")
