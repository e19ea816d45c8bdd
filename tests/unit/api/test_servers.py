"""Servers against the in-memory fake conductor and compute."""
import dataclasses
import hashlib

import pytest

from tests.unit.api.conftest import mv

IMAGE = "11111111-1111-1111-1111-111111111111"


@pytest.fixture
def cloud(fake):
    fake.add_flavor("1", "m1.tiny", vcpus=1, memory_mb=512, root_gb=1)
    fake.add_image(IMAGE)
    fake.add_host("host1")
    return fake


def boot(client, **server):
    body = {"server": {"name": "vm", "flavorRef": "1", "imageRef": IMAGE, **server}}
    return client.post("/v2.1/servers", json=body, headers=mv("latest"))


def test_create_returns_202_with_location_and_password(client, cloud):
    reply = boot(client, networks="auto", metadata={"k": "v"})
    assert reply.status_code == 202
    server = reply.get_json()["server"]
    assert set(server) == {"id", "links", "adminPass", "OS-DCF:diskConfig", "security_groups"}
    assert reply.headers["Location"] == f"http://localhost/v2.1/servers/{server['id']}"
    ctxt, values, spec = cloud.created[0]
    assert values["uuid"] == server["id"] and values["display_name"] == "vm"
    assert (values["project_id"], values["user_id"]) == ("default", "admin")
    assert (values["vm_state"], values["task_state"]) == ("building", "scheduling")
    assert values["flavor"].flavorid == "1" and values["image_ref"] == IMAGE
    assert (values["vcpus"], values["memory_mb"], values["root_gb"]) == (1, 512, 1)
    assert values["metadata"] == {"k": "v"}
    assert spec["flavor"].flavorid == "1" and spec["image"].id == IMAGE
    assert spec["num_instances"] == 1 and spec["force_hosts"] == spec["ignore_hosts"] == []
    assert (spec["project_id"], spec["user_id"]) == ("default", "admin")
    assert ctxt.project_id == "default" and ctxt.request_id.startswith("req-")


def test_flavor_and_image_by_link(client, cloud):
    reply = boot(client, flavorRef="http://x/v2.1/flavors/1",
                 imageRef=f"http://x/image/v2/images/{IMAGE}")
    assert reply.status_code == 202


@pytest.mark.parametrize("server, message", [
    ({"flavorRef": "99"}, "Flavor 99 could not be found."),
    ({"flavorRef": 99}, "Flavor 99 could not be found."),
    ({"imageRef": "22222222-2222-2222-2222-222222222222"}, "could not be found"),
    ({"imageRef": ""}, "Missing imageRef attribute"),
    ({"min_count": 3, "max_count": 2}, "min_count must be <= max_count"),
    ({"availability_zone": "nowhere"}, "availability zone is not available"),
    ({"description": "x"}, None),
])
def test_create_rejects_bad_references(client, cloud, server, message):
    headers = mv("2.1") if "description" in server else mv("latest")
    body = {"server": {"name": "vm", "flavorRef": "1", "imageRef": IMAGE, **server}}
    reply = client.post("/v2.1/servers", json=body, headers=headers)
    assert reply.status_code == 400, reply.get_json()
    if message:
        assert message in reply.get_json()["badRequest"]["message"]
    assert cloud.created == []


def test_boot_from_mapping_with_string_boot_index(client, cloud):
    bdm = [{"source_type": "image", "uuid": IMAGE, "destination_type": "local",
            "boot_index": "0"}]
    reply = boot(client, imageRef="", block_device_mapping_v2=bdm, networks="none")
    assert reply.status_code == 202
    assert cloud.created[0][1]["image_ref"] == IMAGE


def test_multiple_create_names_and_reservation(client, cloud):
    reply = boot(client, min_count=2, max_count="3", return_reservation_id=True)
    assert reply.status_code == 202
    reservation = reply.get_json()["reservation_id"]
    names = [values["display_name"] for _, values, _ in cloud.created]
    assert names == ["vm-1", "vm-2", "vm-3"]
    assert {values["reservation_id"] for _, values, _ in cloud.created} == {reservation}
    assert [values["launch_index"] for _, values, _ in cloud.created] == [0, 1, 2]


def test_forced_host_zone(client, cloud):
    assert boot(client, availability_zone="nova:host1").status_code == 202
    spec = cloud.created[0][2]
    assert (spec["availability_zone"], spec["force_hosts"]) == ("nova", ["host1"])


def test_show_by_name_is_404(client, cloud):
    cloud.add_instance(display_name="web")
    reply = client.get("/v2.1/servers/web")
    assert reply.status_code == 404 and "itemNotFound" in reply.get_json()


def test_show_active_server(client, cloud):
    instance = cloud.add_instance(display_name="web", host="host1", node="host1",
                                  flavor=cloud.flavors["1"], image_ref=IMAGE, power_state=1,
                                  launched_at="2026-01-02T03:04:05.000001")
    server = client.get(f"/v2.1/servers/{instance.uuid}",
                        headers=mv("latest")).get_json()["server"]
    assert (server["status"], server["progress"], server["name"]) == ("ACTIVE", 100, "web")
    assert server["hostId"] == hashlib.sha224(b"defaulthost1").hexdigest()
    assert server["image"]["id"] == IMAGE and server["addresses"] == {}
    assert server["flavor"] == {"vcpus": 1, "ram": 512, "disk": 1, "ephemeral": 0, "swap": 0,
                                "original_name": "m1.tiny", "extra_specs": {}}
    assert server["created"] == "2026-01-02T03:04:05Z"
    assert server["OS-EXT-SRV-ATTR:host"] == "host1"
    assert server["OS-EXT-SRV-ATTR:instance_name"] == "instance-00000001"
    assert server["OS-EXT-STS:power_state"] == 1 and server["host_status"] == "UP"
    assert server["OS-EXT-AZ:availability_zone"] == "nova"
    assert server["tags"] == [] and server["locked"] is False and server["description"] is None
    assert server["accessIPv4"] == "" and server["os-extended-volumes:volumes_attached"] == []


def test_old_microversion_flavor_link_and_no_image(client, cloud):
    instance = cloud.add_instance(flavor=cloud.flavors["1"], image_ref="", vm_state="building")
    server = client.get(f"/v2.1/servers/{instance.uuid}").get_json()["server"]
    assert server["image"] == "" and server["status"] == "BUILD" and server["progress"] == 0
    assert server["flavor"]["id"] == "1" and "links" in server["flavor"]
    assert "tags" not in server and "description" not in server


def test_error_server_shows_its_fault(client, cloud):
    fault = {"code": 500, "message": "No valid host was found.", "details": "trace",
             "created": "2026-01-02T03:04:05"}
    instance = cloud.add_instance(vm_state="error", fault=fault)
    server = client.get(f"/v2.1/servers/{instance.uuid}").get_json()["server"]
    assert server["status"] == "ERROR"
    assert server["fault"] == {"code": 500, "message": "No valid host was found.",
                               "details": "trace", "created": "2026-01-02T03:04:05Z"}


@pytest.mark.parametrize("vm_state, task_state, status", [
    ("active", "deleting", "ACTIVE"), ("active", "rebooting", "REBOOT"),
    ("stopped", None, "SHUTOFF"), ("paused", None, "PAUSED"),
    ("suspended", None, "SUSPENDED"), ("deleted", None, "DELETED"), ("weird", None, "UNKNOWN"),
])
def test_status_from_state(vm_state, task_state, status):
    from stratus.api.views.server_status import status_from_state

    assert status_from_state(vm_state, task_state) == status


def test_list_and_filters(client, cloud):
    cloud.add_instance(display_name="web-1")
    cloud.add_instance(display_name="db", vm_state="error")
    cloud.add_instance(display_name="other", project_id="someone-else")
    listed = client.get("/v2.1/servers?deleted=False").get_json()["servers"]
    assert sorted(s["name"] for s in listed) == ["db", "web-1"]
    assert set(listed[0]) == {"id", "name", "links"}
    detail = client.get("/v2.1/servers/detail?status=ERROR").get_json()["servers"]
    assert [s["name"] for s in detail] == ["db"]
    assert client.get("/v2.1/servers?status=NOPE").get_json()["servers"] == []
    everyone = client.get("/v2.1/servers?all_tenants=1").get_json()["servers"]
    assert len(everyone) == 3
    assert [s["name"] for s in client.get("/v2.1/servers?name=web").get_json()["servers"]] \
        == ["web-1"]
    assert [s["name"] for s in client.get("/v2.1/servers?name=%5Eweb-1%24")
            .get_json()["servers"]] == ["web-1"]
    assert client.get("/v2.1/servers?name=(").status_code == 400


def test_list_paging(client, cloud):
    first = cloud.add_instance(display_name="a")
    cloud.add_instance(display_name="b")
    page = client.get("/v2.1/servers/detail?limit=1").get_json()
    assert [s["id"] for s in page["servers"]] == [first.uuid]
    assert page["servers_links"][0]["rel"] == "next"
    assert f"marker={first.uuid}" in page["servers_links"][0]["href"]
    assert "/v2.1/servers/detail?" in page["servers_links"][0]["href"]
    rest = client.get(f"/v2.1/servers?limit=1&marker={first.uuid}").get_json()
    assert [s["name"] for s in rest["servers"]] == ["b"]
    bad = client.get("/v2.1/servers?marker=nope")
    assert bad.status_code == 400 and "marker" in bad.get_json()["badRequest"]["message"]


def test_delete_on_a_live_host_casts_terminate(client, cloud):
    instance = cloud.add_instance(host="host1", task_state=None)
    assert client.delete(f"/v2.1/servers/{instance.uuid}").status_code == 204
    assert cloud.updates == [(instance.uuid, {"task_state": "deleting"}, [None])]
    assert cloud.terminated == [("host1", instance.uuid)] and cloud.destroyed == []


@pytest.mark.parametrize("host", [None, "host-that-is-down"])
def test_delete_without_a_live_host_is_local(client, cloud, host):
    cloud.add_host("host-that-is-down", up=False)
    instance = cloud.add_instance(host=host, vm_state="building", task_state="scheduling")
    assert client.delete(f"/v2.1/servers/{instance.uuid}").status_code == 204
    assert cloud.destroyed == [instance.uuid] and cloud.terminated == []
    assert client.get(f"/v2.1/servers/{instance.uuid}").status_code == 404


def test_delete_races_are_conflicts(client, cloud, monkeypatch):
    from stratus.common import exception

    instance = cloud.add_instance(host="host1", task_state="spawning")

    def racing(self, ctxt, uuid, values, expected_task_state="__unset__", **kw):
        raise exception.UnexpectedTaskStateError(instance_uuid=uuid, expected="spawning",
                                                 actual="rebooting")

    monkeypatch.setattr(type(cloud_conductor()), "instance_update", racing)
    assert client.delete(f"/v2.1/servers/{instance.uuid}").status_code == 409


def cloud_conductor():
    from stratus.conductor import rpcapi

    return rpcapi.ConductorAPI()


def test_delete_unknown_is_404(client, cloud):
    assert client.delete("/v2.1/servers/00000000-0000-0000-0000-00000000dead").status_code == 404


def test_update_renames(client, cloud):
    instance = cloud.add_instance(display_name="old")
    reply = client.put(f"/v2.1/servers/{instance.uuid}", json={"server": {"name": "new"}})
    assert reply.status_code == 200 and reply.get_json()["server"]["name"] == "new"
    assert cloud.updates[-1] == (instance.uuid, {"display_name": "new"}, "__unset__")
    bad = client.put(f"/v2.1/servers/{instance.uuid}", json={"server": {"name": ""}})
    assert bad.status_code == 400
    old_mv = client.put(f"/v2.1/servers/{instance.uuid}", json={"server": {"description": "d"}})
    assert old_mv.status_code == 400


_LONG_ONLY = {"OS-EXT-STS:vm_state", "OS-EXT-AZ:availability_zone", "key_name",
              "security_groups", "OS-SRV-USG:launched_at", "OS-EXT-SRV-ATTR:host"}


@pytest.mark.parametrize("version, long", [("2.1", False), ("2.74", False), ("2.75", True)])
def test_update_answers_the_short_view_before_2_75(client, cloud, version, long):
    instance = cloud.add_instance(display_name="old")
    reply = client.put(f"/v2.1/servers/{instance.uuid}", json={"server": {"name": "new"}},
                       headers=mv(version))
    body = reply.get_json()["server"]
    assert _LONG_ONLY <= set(body) if long else not _LONG_ONLY & set(body), sorted(body)
    assert {"id", "name", "status", "flavor", "image", "OS-DCF:diskConfig"} <= set(body)


def test_oversized_body_is_413(client, cloud):
    reply = boot(client, user_data="QUFB" * 40000)
    assert reply.status_code == 413 and "overLimit" in reply.get_json()


def test_known_zones_are_cached_and_a_new_zone_is_checked_afresh(client, cloud, monkeypatch):
    from tests.unit.api.conftest import FakeConductorAPI

    reads = []
    original = FakeConductorAPI.compute_node_get_all
    monkeypatch.setattr(FakeConductorAPI, "compute_node_get_all",
                        lambda self, ctxt: reads.append(1) or original(self, ctxt))
    assert boot(client, availability_zone="nova").status_code == 202
    assert boot(client, availability_zone="nova").status_code == 202
    assert len(reads) == 1
    cloud.nodes.append(dataclasses.replace(cloud.nodes[0], id=99, availability_zone="new-zone"))
    assert boot(client, availability_zone="new-zone").status_code == 202
    assert boot(client, availability_zone="nowhere").status_code == 400
    assert len(reads) == 3
