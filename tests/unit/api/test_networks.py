"""With no network in the cloud: os-networks holds only `none`, and creating a
server accepts only requests for no NIC (what `openstack server create
--network none` posts after looking `none` up included)."""
import pytest

from tests.unit.api.conftest import act_as, mv
from tests.unit.api.test_servers import IMAGE, boot

NONE = {"id": "none", "label": "none", "cidr": None, "netmask": None, "gateway": None,
        "broadcast": None, "dns1": None, "dns2": None, "cidr_v6": None, "gateway_v6": None,
        "netmask_v6": None}


@pytest.fixture
def cloud(fake):
    fake.add_flavor("1", "m1.tiny", vcpus=1, memory_mb=512, root_gb=1)
    fake.add_image(IMAGE)
    fake.add_host("host1")
    return fake


def test_the_only_network_is_none(client, fake, monkeypatch):
    act_as(monkeypatch, "auditor", "p1", ["reader"])
    assert client.get("/v2.1/os-networks").get_json() == {"networks": [NONE]}
    # OSC's lookup of `--network none`, at the microversion it sends.
    reply = client.get("/v2.1/os-networks/none", headers=mv("2.1"))
    assert reply.status_code == 200 and reply.get_json() == {"network": NONE}


@pytest.mark.parametrize("name", ["auto", "private", "3f2a8e7e-6b43-4bd4-9a4a-1c7f5f0b1a11"])
def test_any_other_network_is_not_found(client, fake, name):
    reply = client.get(f"/v2.1/os-networks/{name}")
    assert reply.status_code == 404
    assert reply.get_json()["itemNotFound"]["message"] == "Network not found"


@pytest.mark.parametrize("networks", ["none", "auto", [], [{"uuid": "none"}],
                                      [{"uuid": "none", "tag": "x"}]])
def test_requests_for_no_nic_boot(client, cloud, networks):
    assert boot(client, networks=networks).status_code == 202
    assert len(cloud.created) == 1


@pytest.mark.parametrize("networks, message", [
    ([{"uuid": "3f2a8e7e-6b43-4bd4-9a4a-1c7f5f0b1a11"}],
     "Network 3f2a8e7e-6b43-4bd4-9a4a-1c7f5f0b1a11 could not be found."),
    ([{"uuid": "private"}], "Bad networks format: network uuid is not in proper format (private)"),
    ([{"port": "3f2a8e7e-6b43-4bd4-9a4a-1c7f5f0b1a11"}],
     "Port id 3f2a8e7e-6b43-4bd4-9a4a-1c7f5f0b1a11 could not be found."),
    ([{"fixed_ip": "10.0.0.5"}], "Bad network format: missing 'uuid'"),
    ([{"uuid": "none", "fixed_ip": "10.0.0.5"}], "network none has no addresses"),
    ([{"uuid": "none"}, {"uuid": "private"}], "not in proper format (private)"),
])
def test_other_networks_are_a_400_and_nothing_is_created(client, cloud, networks, message):
    reply = boot(client, networks=networks)
    assert reply.status_code == 400
    assert message in reply.get_json()["badRequest"]["message"]
    assert cloud.created == []
