"""Choosing where a server goes is for admins, as Nova's default policy:
the legacy "zone:host", "zone::node", "zone:host:node" availability zones
(os_compute_api:servers:create:forced_host) and 2.74's host and
hypervisor_hostname (compute:servers:create:requested_destination). A
member gets a 403 and nothing is recorded; an admin gets the host."""
import pytest

from tests.unit.api.conftest import act_as, mv

IMAGE = "11111111-1111-1111-1111-111111111111"
FORCED = "os_compute_api:servers:create:forced_host"
REQUESTED = "compute:servers:create:requested_destination"


@pytest.fixture
def cloud(fake):
    fake.add_flavor("1", "m1.tiny", vcpus=1, memory_mb=512, root_gb=1)
    fake.add_image(IMAGE)
    fake.add_host("host1")
    fake.add_host("host2")
    return fake


def boot(client, version="latest", **server):
    body = {"server": {"name": "vm", "flavorRef": "1", "imageRef": IMAGE,
                       "networks": "none", **server}}
    return client.post("/v2.1/servers", json=body, headers=mv(version))


@pytest.mark.parametrize("server, rule", [
    ({"availability_zone": "nova:host1"}, FORCED),
    ({"availability_zone": "nova::host1"}, FORCED),
    ({"availability_zone": "nova:host1:host1"}, FORCED),
    ({"availability_zone": ":host1"}, FORCED),
    ({"host": "host1"}, REQUESTED),
    ({"hypervisor_hostname": "host1"}, REQUESTED),
    ({"host": "host1", "hypervisor_hostname": "host1"}, REQUESTED),
])
def test_a_member_may_not_choose_the_host(client, cloud, monkeypatch, server, rule):
    act_as(monkeypatch, "u-member", "default", ["member"])
    reply = boot(client, **server)
    assert reply.status_code == 403, reply.get_json()
    assert reply.get_json()["forbidden"]["message"] == \
        f"Policy doesn't allow {rule} to be performed."
    assert cloud.created == []


def test_the_policy_answers_before_the_body_is_looked_up(client, cloud, monkeypatch):
    act_as(monkeypatch, "u-member", "default", ["member"])
    assert boot(client, flavorRef="99", availability_zone="nova::host1").status_code == 403


def test_a_member_may_still_choose_a_zone(client, cloud, monkeypatch):
    act_as(monkeypatch, "u-member", "default", ["member"])
    assert boot(client, availability_zone="nova").status_code == 202
    assert boot(client, availability_zone="nova:").status_code == 202
    assert [spec["force_hosts"] for _c, _v, spec in cloud.created] == [[], []]


@pytest.mark.parametrize("server, hosts", [
    ({"availability_zone": "nova:host2"}, ["host2"]),
    ({"availability_zone": "nova::host2"}, ["host2"]),
    ({"availability_zone": "nova:host2:host2"}, ["host2"]),
    ({"host": "host2"}, ["host2"]),
    ({"hypervisor_hostname": "host2"}, ["host2"]),
    ({"host": "host2", "hypervisor_hostname": "host2"}, ["host2"]),
])
def test_an_admin_chooses_the_host(client, cloud, server, hosts):
    reply = boot(client, **server)
    assert reply.status_code == 202, reply.get_json()
    assert cloud.created[0][2]["force_hosts"] == hosts


@pytest.mark.parametrize("server, message", [
    ({"availability_zone": "nova:a:b:c"}, "Unable to parse availability_zone"),
    ({"availability_zone": "nova::nonode"}, "Compute host nonode could not be found."),
    ({"availability_zone": "nova:host1:host2"}, "Compute host host1 could not be found."),
    ({"availability_zone": "nova:host1", "host": "host1"}, "mutually exclusive"),
])
def test_an_admins_bad_destination_is_a_400(client, cloud, server, message):
    reply = boot(client, **server)
    assert reply.status_code == 400
    assert message in reply.get_json()["badRequest"]["message"]
    assert cloud.created == []


def test_host_fields_need_2_74(client, cloud):
    assert boot(client, "2.73", host="host1").status_code == 400
