"""Servers on networks, on the real eager stack (conductor, scheduler and
compute on libvirt's test driver): what a boot asks for, the ports it
gets, its addresses, and the ports given back when it is deleted."""
import pytest

from stratus.common.context import get_admin_context
from stratus.conductor.rpcapi import ConductorAPI
from tests.unit.api.conftest import mv
from tests.unit.api.stack import boot, boot_id, flavor_id


def _network(name="private", cidr="10.8.0.0/24", shared=True):
    conductor, admin = ConductorAPI(), get_admin_context()
    net = conductor.net_create(admin, "network", {"name": name, "shared": shared})
    conductor.net_create(admin, "subnet", {"network_id": net["id"], "cidr": cidr})
    return net


def _ports(server_id):
    return ConductorAPI().net_list(get_admin_context(), "port", {"device_id": server_id})


def _server(client, server_id):
    return client.get(f"/v2.1/servers/{server_id}", headers=mv("latest")).get_json()["server"]


@pytest.fixture
def flavor(client, stack):
    return flavor_id(client, "net.tiny")


def test_boot_on_a_network_has_an_address_until_deleted(client, image, compute_host, flavor):
    net = _network()
    server_id = boot_id(client, flavor, image.id, networks=[{"uuid": net["id"]}])
    server = _server(client, server_id)
    assert server["status"] == "ACTIVE", server
    (port,) = _ports(server_id)
    assert port["binding:host_id"] == compute_host and port["device_owner"] == "compute:nova"
    entry = {"version": 4, "addr": "10.8.0.2", "OS-EXT-IPS:type": "fixed",
             "OS-EXT-IPS-MAC:mac_addr": port["mac_address"]}
    assert server["addresses"] == {"private": [entry]}
    ips = client.get(f"/v2.1/servers/{server_id}/ips").get_json()
    assert ips == {"addresses": {"private": [{"version": 4, "addr": "10.8.0.2"}]}}
    assert client.get(f"/v2.1/servers/{server_id}/ips/private").get_json() == \
        {"private": [{"version": 4, "addr": "10.8.0.2"}]}
    assert client.get(f"/v2.1/servers/{server_id}/ips/other").status_code == 404
    assert server["security_groups"] == [{"name": "default"}]
    web = client.post("/v2.1/os-security-groups", headers=mv("2.1"), json={
        "security_group": {"name": "web", "description": "w"}}).get_json()["security_group"]
    assert client.post(f"/v2.1/servers/{server_id}/action",
                       json={"addSecurityGroup": {"name": "web"}}).status_code == 202
    assert _server(client, server_id)["security_groups"] == [{"name": "default"}, {"name": "web"}]
    listed = client.get("/v2.1/servers/detail").get_json()["servers"]
    assert listed[0]["security_groups"] == [{"name": "default"}, {"name": "web"}]
    assert web["name"] == "web"
    in_web = boot_id(client, flavor, image.id, networks=[{"uuid": net["id"]}],
                     security_groups=[{"name": "web"}])
    assert _server(client, in_web)["security_groups"] == [{"name": "web"}]
    in_both = boot_id(client, flavor, image.id, networks=[{"uuid": net["id"]}],
                      security_groups=[{"name": "default"}, {"name": "web"}])
    assert _server(client, in_both)["security_groups"] == [{"name": "default"}, {"name": "web"}]
    unknown = boot(client, flavor, image.id, networks=[{"uuid": net["id"]}],
                   security_groups=[{"name": "nope"}])
    assert unknown.status_code == 400
    assert unknown.get_json()["badRequest"]["message"] == "Security group nope not found."
    by_ip = client.get("/v2.1/servers?ip=10\\.8\\.0\\.2$").get_json()["servers"]
    assert [s["id"] for s in by_ip] == [server_id]
    assert client.get("/v2.1/servers?ip=10.9.").get_json()["servers"] == []
    assert client.get("/v2.1/servers?ip=(").status_code == 400
    assert client.delete(f"/v2.1/servers/{server_id}").status_code == 204
    assert _ports(server_id) == []


def test_fixed_ip_and_a_users_port_which_outlives_the_server(client, image, compute_host,
                                                             flavor):
    net = _network()
    server_id = boot_id(client, flavor, image.id,
                        networks=[{"uuid": net["id"], "fixed_ip": "10.8.0.77"}])
    assert _server(client, server_id)["addresses"]["private"][0]["addr"] == "10.8.0.77"
    port = ConductorAPI().net_create(get_admin_context(), "port", {"network_id": net["id"]})
    with_port = boot_id(client, flavor, image.id, networks=[{"port": port["id"]}])
    assert _server(client, with_port)["addresses"]["private"][0]["addr"] == \
        port["fixed_ips"][0]["ip_address"]
    in_use = boot(client, flavor, image.id, networks=[{"port": port["id"]}])
    assert in_use.status_code == 409, in_use.get_json()
    bare = ConductorAPI().net_create(get_admin_context(), "network", {"name": "bare"})
    no_address = ConductorAPI().net_create(get_admin_context(), "port",
                                           {"network_id": bare["id"]})
    refused = boot(client, flavor, image.id, networks=[{"port": no_address["id"]}])
    assert refused.status_code == 400
    assert "requires a FixedIP" in refused.get_json()["badRequest"]["message"]
    client.delete(f"/v2.1/servers/{with_port}")
    kept = ConductorAPI().net_get(get_admin_context(), "port", port["id"])
    assert (kept["device_id"], kept["status"]) == ("", "DOWN")


def test_auto_takes_the_one_network_and_refuses_to_guess(client, image, compute_host, flavor):
    assert _server(client, boot_id(client, flavor, image.id, networks="auto"))["addresses"] == {}
    _network()
    server_id = boot_id(client, flavor, image.id, networks="auto")
    assert list(_server(client, server_id)["addresses"]) == ["private"]
    assert _server(client, boot_id(client, flavor, image.id))["addresses"] == {}  # "none"
    _network("second", "10.9.0.0/24")
    reply = boot(client, flavor, image.id, networks="auto")
    assert reply.status_code == 409
    assert "Multiple possible networks" in reply.get_json()["conflictingRequest"]["message"]


def test_unknown_network_is_400_and_a_full_one_fails_the_build(client, image, compute_host,
                                                               flavor):
    reply = boot(client, flavor, image.id,
                 networks=[{"uuid": "3f2a8e7e-6b43-4bd4-9a4a-1c7f5f0b1a11"}])
    assert reply.status_code == 400
    net = _network(cidr="10.8.0.0/30")  # one address
    first = boot_id(client, flavor, image.id, networks=[{"uuid": net["id"]}])
    assert _server(client, first)["status"] == "ACTIVE"
    second = _server(client, boot_id(client, flavor, image.id, networks=[{"uuid": net["id"]}]))
    assert second["status"] == "ERROR"
    assert "Failed to allocate the network(s)" in second["fault"]["message"]
    assert _ports(second["id"]) == []


def test_tenant_networks_until_2_35(client, stack):
    net = _network(cidr="10.8.0.0/24")
    listed = client.get("/v2.1/os-tenant-networks", headers=mv("2.35")).get_json()
    assert listed == {"networks": [{"id": net["id"], "label": "private", "cidr": "10.8.0.0/24"}]}
    shown = client.get(f"/v2.1/os-tenant-networks/{net['id']}").get_json()
    assert shown["network"]["label"] == "private"
    assert client.get("/v2.1/os-tenant-networks", headers=mv("2.36")).status_code == 404
    assert client.get("/v2.1/os-tenant-networks/nope").status_code == 404
    names = [n["label"] for n in client.get("/v2.1/os-networks").get_json()["networks"]]
    assert names == ["private", "none"]


def test_while_conductors_are_capped_below_the_network_service_boots_get_no_nic(
        client, image, compute_host, flavor, monkeypatch):
    """A rolling upgrade (conductors capped at 1.7): no network is asked
    of them; a boot without networks works, one naming a network is a 400."""
    net = _network()
    monkeypatch.setenv("STRATUS_CONDUCTOR_RPC_VERSION_CAP", "1.7")
    from stratus import config
    config.reset_settings()
    server_id = boot_id(client, flavor, image.id, networks="auto", security_groups=[
        {"name": "default"}])
    assert _server(client, server_id)["addresses"] == {}
    assert boot(client, flavor, image.id, networks=[{"uuid": net["id"]}]).status_code == 400
    names = [n["label"] for n in client.get("/v2.1/os-networks").get_json()["networks"]]
    assert names == ["none"]
