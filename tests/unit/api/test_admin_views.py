"""Hypervisors, services and images against the in-memory fake."""
from tests.unit.api.conftest import FakeComputeAPI, mv

IMAGE = "11111111-1111-1111-1111-111111111111"


def test_hypervisor_list_and_detail_before_2_88(client, fake):
    fake.add_host("host1")
    fake.add_host("host2", up=False, disabled=True)
    listed = client.get("/v2.1/os-hypervisors").get_json()["hypervisors"]
    assert listed == [{"id": 1, "hypervisor_hostname": "host1", "state": "up",
                       "status": "enabled"},
                      {"id": 2, "hypervisor_hostname": "host2", "state": "down",
                       "status": "enabled"}]
    detail = client.get("/v2.1/os-hypervisors/detail", headers=mv("2.87")).get_json()
    first = detail["hypervisors"][0]
    assert (first["vcpus"], first["memory_mb"], first["free_ram_mb"]) == (16, 32768, 32768)
    assert first["service"] == {"host": "host1", "id": fake.services[0].uuid,
                                "disabled_reason": None}
    assert first["id"] == fake.nodes[0].uuid and first["cpu_info"] == {}
    old = client.get("/v2.1/os-hypervisors/detail", headers=mv("2.27")).get_json()
    assert old["hypervisors"][0]["service"]["id"] == 1 and old["hypervisors"][0]["cpu_info"] == ""
    assert first["hypervisor_type"] == "QEMU" and first["running_vms"] == 0


def test_hypervisors_from_2_88_use_uuids_and_drop_usage(client, fake):
    fake.add_host("host1")
    detail = client.get("/v2.1/os-hypervisors/detail", headers=mv("2.88")).get_json()
    first = detail["hypervisors"][0]
    assert first["id"] == fake.nodes[0].uuid and "vcpus" not in first
    assert first["service"]["id"] == fake.services[0].uuid
    assert first["uptime"] == FakeComputeAPI.UPTIME
    fake.add_host("host2", up=False)  # a down host is not asked: no uptime
    listed = client.get("/v2.1/os-hypervisors/detail", headers=mv("2.88")).get_json()
    assert [h["uptime"] for h in listed["hypervisors"]] == [FakeComputeAPI.UPTIME, None]
    shown = client.get(f"/v2.1/os-hypervisors/{first['id']}", headers=mv("2.88")).get_json()
    assert shown["hypervisor"]["hypervisor_hostname"] == "host1"
    assert client.get("/v2.1/os-hypervisors/nope", headers=mv("2.88")).status_code == 404


def test_hypervisor_with_servers_and_pattern(client, fake):
    fake.add_host("host1")
    fake.add_host("other")
    instance = fake.add_instance(host="host1", node="host1", display_name="vm")
    reply = client.get("/v2.1/os-hypervisors?with_servers=true&hypervisor_hostname_pattern=host",
                       headers=mv("2.53")).get_json()
    assert [h["hypervisor_hostname"] for h in reply["hypervisors"]] == ["host1"]
    assert reply["hypervisors"][0]["servers"] == [{"name": "vm", "uuid": instance.uuid}]


def test_services(client, fake):
    fake.add_host("host1")
    services = client.get("/v2.1/os-services", headers=mv("2.69")).get_json()["services"]
    assert services[0]["binary"] == "nova-compute" and services[0]["zone"] == "nova"
    assert (services[0]["status"], services[0]["state"]) == ("enabled", "up")
    assert services[0]["forced_down"] is False
    assert services[0]["updated_at"] == "2026-01-02T03:04:05.678901"
    assert services[0]["id"] == fake.services[0].uuid
    assert "forced_down" not in client.get("/v2.1/os-services").get_json()["services"][0]
    assert client.get("/v2.1/os-services?host=none").get_json()["services"] == []


def test_glance_images(client, fake):
    fake.add_image(IMAGE, "cirros", size=16)
    fake.add_image("22222222-2222-2222-2222-222222222222", "fedora")
    assert client.get("/image").status_code == 300
    listed = client.get("/image/v2/images?name=cirros").get_json()
    assert [i["name"] for i in listed["images"]] == ["cirros"]
    image = client.get(f"/v2/images/{IMAGE}").get_json()
    assert {"id", "name", "status", "disk_format", "container_format", "size", "visibility",
            "min_disk", "min_ram"} <= set(image)
    assert image["self"] == f"/v2/images/{IMAGE}" and image["protected"] is False
    assert image["created_at"] == "2026-01-02T03:04:05Z"
    both = client.get(f"/v2/images?id=in:{IMAGE},22222222-2222-2222-2222-222222222222")
    assert len(both.get_json()["images"]) == 2
    assert client.get("/v2/images/nope").status_code == 404


def test_nova_image_proxy_until_2_35(client, fake):
    fake.add_image(IMAGE, "cirros")
    images = client.get("/v2.1/images/detail").get_json()["images"]
    assert images[0]["status"] == "ACTIVE" and images[0]["minRam"] == 0
    assert client.get(f"/v2.1/images/{IMAGE}").get_json()["image"]["name"] == "cirros"
    assert client.get("/v2.1/images", headers=mv("2.36")).status_code == 404
