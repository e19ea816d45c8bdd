"""A real QEMU guest on a Stratus network: the network and subnet made
through the Neutron-shaped API, a server booted on it with a key pair and
user data, its address read from the API, and the guest reached from this
host at that address: the user data (from the config drive) started a web
server in the guest that serves a page and the public key the config drive
delivered. The compute host plugs the guest into a libvirt NAT network
whose DHCP gives the port's address.

Software emulation (STRATUS_LIBVIRT_VIRT_TYPE=qemu), as test_guest_image."""
import base64
import random
import subprocess
import time
import uuid

import pytest
import requests

from tests.functional.cloud import wait_for

libvirt = pytest.importorskip("libvirt")

USER_DATA = """#!/bin/sh
mkdir -p /www
echo "stratus-net-ok {marker}" > /www/index.html
cp /root/.ssh/authorized_keys /www/key
httpd -p 8000 -h /www
"""
PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFt+Wjz0gRd3W8v5eF0F2i2hLtLz9sXb0QvBQmGQmJ8m ft"


def _neutron(cloud, method, path, **kwargs):
    cloud.api("GET", "/flavors")  # the admin's token, once
    reply = cloud.http.request(method, f"{cloud.url}/network/v2.0{path}", timeout=60, **kwargs)
    assert reply.status_code < 300, reply.text
    return reply.json() if reply.content else None


@pytest.fixture
def network(clean):
    cidr = f"10.{random.randint(100, 250)}.{random.randint(0, 255)}.0/24"
    net = _neutron(clean, "POST", "/networks", json={"network": {"name": "ft-guest-net"}})
    _neutron(clean, "POST", "/subnets", json={"subnet": {
        "network_id": net["network"]["id"], "cidr": cidr, "ip_version": 4}})
    yield net["network"]
    clean.delete_all()
    _neutron(clean, "DELETE", f"/networks/{net['network']['id']}")


def test_a_real_guest_gets_its_address_key_and_user_data(clean, qemu, make_flavor, guest_image,
                                                         network):
    cloud, marker = clean, uuid.uuid4().hex
    image = cloud.import_file(guest_image, "ft-net-guest")
    flavor = make_flavor("ft.netguest", 1, 256, 1)
    key = cloud.api("POST", "/os-keypairs", json={"keypair": {"name": f"ft-{marker[:6]}",
                                                              "public_key": PUBLIC_KEY}})
    assert key.status_code == 200, key.text
    cloud.start_compute("ft-net", env={"STRATUS_LIBVIRT_URI": "qemu:///system",
                                       "STRATUS_LIBVIRT_VIRT_TYPE": "qemu",
                                       "STRATUS_AVAILABILITY_ZONE": "netguest"}, timeout=90)
    try:
        user_data = base64.b64encode(USER_DATA.format(marker=marker).encode()).decode()
        sid = cloud.boot("net-guest", flavor, image, availability_zone="netguest",
                         networks=[{"uuid": network["id"]}], key_name=f"ft-{marker[:6]}",
                         user_data=user_data)
        started = time.monotonic()
        server = cloud.wait_final([sid], timeout=120)[sid]
        assert server["status"] == "ACTIVE", server
        (address,) = server["addresses"]["ft-guest-net"]
        ip = address["addr"]
        assert cloud.api("GET", f"/servers/{sid}/ips").json()["addresses"] == {
            "ft-guest-net": [{"version": 4, "addr": ip}]}

        def page():
            try:
                return requests.get(f"http://{ip}:8000/", timeout=3).text
            except requests.RequestException:
                return None

        wait_for(lambda: page() is not None, 300, 2,
                 f"the guest's web server at {ip}:8000 (started by its user data)")
        print(f"\nguest {ip}: ACTIVE and its web server answering {time.monotonic() - started:.1f} s "
              "after the boot request")
        assert page().strip() == f"stratus-net-ok {marker}"
        assert requests.get(f"http://{ip}:8000/key", timeout=5).text.strip() == PUBLIC_KEY
        assert subprocess.run(["ping", "-c", "1", "-W", "3", ip],
                              capture_output=True).returncode == 0
    finally:
        cloud.delete_all()
        cloud.retire_compute("ft-net")
