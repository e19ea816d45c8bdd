"""The config drive: an ISO9660 image labelled config-2, read back with
pycdlib, in OpenStack's layout; attached to real guests only."""
import base64
import io
import json
import xml.etree.ElementTree as ET

import pycdlib
import pytest

from stratus.compute import config_drive
from stratus.compute.virt.libvirt import LibvirtDriver
from stratus.compute.virt.libvirt.layout import config_drive_path

KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx0 me@laptop"
SCRIPT = b"#!/bin/sh\necho hello > /tmp/hello\n"
PORT = {"port_id": "6d1c8a4e-2b1f-4c7e-9a55-0123456789ab", "mac": "fa:16:3e:12:34:56",
        "network_id": "3f2a9c1e-0000-4000-8000-000000000001", "network_name": "private",
        "subnet_id": "subnet-1", "cidr": "10.42.0.0/24", "gateway": "10.42.0.1",
        "ip": "10.42.0.5", "ip_version": 4, "dns_nameservers": ["9.9.9.9"], "mtu": 1450}


@pytest.fixture
def instance(make_instance):
    return make_instance(display_name="Web_Server 1", key_name="mykey", key_data=KEY,
                         user_data=base64.b64encode(SCRIPT).decode(), metadata={"role": "web"},
                         availability_zone="nova", launch_index=0, network_info=[PORT])


def _read(path, name):
    iso = pycdlib.PyCdlib()
    iso.open(str(path))
    try:
        out = io.BytesIO()
        iso.get_file_from_iso_fp(out, rr_path=name)
        assert iso.pvd.volume_identifier.decode().strip() == "config-2"
        return out.getvalue()
    finally:
        iso.close()


def test_the_drive_holds_meta_data_user_data_and_network_data(tmp_path, instance):
    path = tmp_path / "disk.config"
    config_drive.build(instance, path)
    meta = json.loads(_read(path, "/openstack/latest/meta_data.json"))
    assert meta["uuid"] == instance.uuid and meta["name"] == "Web_Server 1"
    assert meta["hostname"] == "web-server-1"
    assert meta["public_keys"] == {"mykey": KEY}
    assert meta["keys"] == [{"name": "mykey", "type": "ssh", "data": KEY}]
    assert (meta["meta"], meta["availability_zone"], meta["project_id"]) == \
        ({"role": "web"}, "nova", "p1")
    assert _read(path, "/openstack/latest/user_data") == SCRIPT
    assert _read(path, "/openstack/2012-08-10/user_data") == SCRIPT
    network = json.loads(_read(path, "/openstack/latest/network_data.json"))
    assert network["links"] == [{"id": "tap6d1c8a4e-2b", "vif_id": PORT["port_id"],
                                 "type": "bridge", "mtu": 1450,
                                 "ethernet_mac_address": "fa:16:3e:12:34:56"}]
    assert network["networks"] == [{
        "id": "network0", "type": "ipv4", "link": "tap6d1c8a4e-2b", "ip_address": "10.42.0.5",
        "netmask": "255.255.255.0", "network_id": PORT["network_id"],
        "routes": [{"network": "0.0.0.0", "netmask": "0.0.0.0", "gateway": "10.42.0.1"}],
        "services": [{"type": "dns", "address": "9.9.9.9"}]}]
    assert network["services"] == [{"type": "dns", "address": "9.9.9.9"}]


def test_no_key_and_no_user_data_leave_them_out(tmp_path, make_instance):
    path = tmp_path / "disk.config"
    config_drive.build(make_instance(display_name="!!"), path)
    meta = json.loads(_read(path, "/openstack/latest/meta_data.json"))
    assert "public_keys" not in meta and "keys" not in meta
    assert meta["hostname"].startswith("server-")
    with pytest.raises(pycdlib.pycdlibexception.PyCdlibException):
        _read(path, "/openstack/latest/user_data")


def test_test_driver_guests_get_no_config_drive(settings, instance, image, flavor):
    driver = LibvirtDriver("test:///default", "h")
    driver.spawn(None, instance, image, flavor)
    xml = ET.fromstring(driver.connection.lookupByUUIDString(instance.uuid).XMLDesc(0))
    assert xml.find("devices/disk[@device='cdrom']") is None
    assert not config_drive_path(instance.uuid).exists()


def test_a_compute_worker_loads_pycdlib_at_its_first_config_drive_not_at_start():
    import subprocess
    import sys

    probe = ("import sys; import stratus.cmd.compute; from stratus.common.celeryapp import "
             "load_roles; load_roles('compute'); import stratus.compute.service; "
             "print('pycdlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
