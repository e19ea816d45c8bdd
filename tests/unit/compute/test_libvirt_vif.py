"""The libvirt driver's ports on libvirt's test driver: a NAT network per
cloud network with a fixed DHCP entry per port, a virtio NIC per port in
the domain, and the entries following the guest through destroy, live
migration and resize."""
import xml.etree.ElementTree as ET

import libvirt
import pytest

from stratus.compute.virt.libvirt import LibvirtDriver
from stratus.compute.virt.libvirt import config as vconfig
from stratus.compute.virt.libvirt import vif
from stratus.common.objects import Flavor

NET_ID = "3f2a9c1e-0000-4000-8000-000000000001"


def port(n, network_id=NET_ID, cidr="10.42.0.0/24", mtu=1450):
    prefix = cidr.rsplit(".", 1)[0]
    return {"port_id": f"port-{n}", "mac": f"fa:16:3e:00:00:{n:02x}", "network_id": network_id,
            "network_name": "private", "subnet_id": "subnet-1", "cidr": cidr,
            "gateway": f"{prefix}.1", "ip": f"{prefix}.{n + 4}", "ip_version": 4,
            "dns_nameservers": ["10.42.0.1"], "mtu": mtu}


@pytest.fixture
def driver(settings):
    drv = LibvirtDriver("test:///default", "h")
    drv.init_host("h")
    return drv


def _network(conn, name="stratus-3f2a9c1e"):
    try:
        return ET.fromstring(conn.networkLookupByName(name).XMLDesc(0))
    except libvirt.libvirtError:
        return None


def _hosts(conn, name="stratus-3f2a9c1e"):
    network = _network(conn, name)
    if network is None:
        return []
    return [(h.get("mac"), h.get("ip"), h.get("name")) for h in network.iter("host")]


def _interfaces(drv, uuid):
    xml = ET.fromstring(drv.connection.lookupByUUIDString(uuid).XMLDesc(0))
    return [(i.get("type"), i.find("mac").get("address"), i.find("source").get("network"),
             i.find("model").get("type")) for i in xml.findall("devices/interface")]


def test_spawn_plugs_each_port_into_its_network(driver, make_instance, image, flavor):
    other = "99999999-0000-4000-8000-000000000002"
    instance = make_instance(display_name="Web 1",
                             network_info=[port(1), port(2, other, "10.43.0.0/24", None)])
    driver.spawn(None, instance, image, flavor)
    assert _interfaces(driver, instance.uuid) == [
        ("network", "fa:16:3e:00:00:01", "stratus-3f2a9c1e", "virtio"),
        ("network", "fa:16:3e:00:00:02", "stratus-99999999", "virtio")]
    network = _network(driver.connection)
    assert network.find("bridge").get("name") == "stbr-3f2a9c1e"
    assert network.find("forward").get("mode") == "nat"
    assert network.find("mtu").get("size") == "1450"
    ip = network.find("ip")
    assert (ip.get("address"), ip.get("netmask")) == ("10.42.0.1", "255.255.255.0")
    assert ip.find("dhcp/range") is None  # every address belongs to a port
    assert _hosts(driver.connection) == [("fa:16:3e:00:00:01", "10.42.0.5", "web-1")]
    assert _hosts(driver.connection, "stratus-99999999") == [
        ("fa:16:3e:00:00:02", "10.43.0.6", "web-1")]
    assert _network(driver.connection, "stratus-99999999").find("mtu") is None


def test_destroy_unplugs_and_the_last_port_takes_the_network(driver, make_instance, image,
                                                             flavor):
    first = make_instance(network_info=[port(1)])
    second = make_instance(network_info=[port(2)])
    for instance in (first, second):
        driver.spawn(None, instance, image, flavor)
    # Two servers of one name on one network: one entry keeps the name.
    assert _hosts(driver.connection) == [("fa:16:3e:00:00:01", "10.42.0.5", "vm"),
                                         ("fa:16:3e:00:00:02", "10.42.0.6", None)]
    assert len(driver.connection.listAllNetworks()) == 1
    driver.destroy(None, first)
    assert _hosts(driver.connection) == [("fa:16:3e:00:00:02", "10.42.0.6", None)]
    driver.destroy(None, second)
    assert _network(driver.connection) is None
    driver.destroy(None, second)  # nothing left to unplug: fine


def test_spawn_twice_plugs_once(driver, make_instance, image, flavor):
    instance = make_instance(network_info=[port(1)])
    driver.spawn(None, instance, image, flavor)
    driver.spawn(None, instance, image, flavor)
    assert _hosts(driver.connection) == [("fa:16:3e:00:00:01", "10.42.0.5", "vm")]
    assert len(_interfaces(driver, instance.uuid)) == 1


def test_plug_replaces_an_entry_left_by_a_gone_port(driver, make_instance):
    gone = make_instance(network_info=[port(1)])
    vif.plug(driver.connection, gone, gone.network_info[0])
    reused = dict(port(2), ip="10.42.0.5")  # the gone port's address, another MAC
    vif.plug(driver.connection, make_instance(display_name="new"), reused)
    assert _hosts(driver.connection) == [("fa:16:3e:00:00:02", "10.42.0.5", "new")]


def test_a_network_created_meanwhile_is_used(driver, make_instance, monkeypatch):
    # Another process's spawn creates it between our lookup and our create.
    conn, vif_ = driver.connection, port(1)
    real_lookup, calls = vif._lookup, []

    def lookup(conn_, name):
        calls.append(name)
        if len(calls) == 1:
            conn.networkCreateXML(vif.network_xml(vif_, [("fa:16:3e:00:00:09", "10.42.0.9",
                                                          None)]))
            return None
        return real_lookup(conn_, name)

    monkeypatch.setattr(vif, "_lookup", lookup)
    vif.plug(conn, make_instance(), vif_)
    assert [h[0] for h in _hosts(conn)] == ["fa:16:3e:00:00:09", "fa:16:3e:00:00:01"]


def test_live_migration_plugs_the_destination_and_unplugs_the_source(
        settings, make_instance, image, flavor):
    source, dest = LibvirtDriver("test:///default", "src"), LibvirtDriver("test:///default", "dst")
    instance = make_instance(network_info=[port(1)])
    source.spawn(None, instance, image, flavor)
    data = source.check_can_live_migrate_source(
        None, instance, source.check_can_live_migrate_destination(None, instance, None))
    dest.pre_live_migration(None, instance, image, data)
    assert _hosts(dest.connection) == [("fa:16:3e:00:00:01", "10.42.0.5", "vm")]
    dest.live_migration(None, instance, data, lambda _progress: None)
    dest.post_live_migration_at_destination(None, instance, data)
    source.post_live_migration(None, instance, data)
    assert _interfaces(dest, instance.uuid)[0][1] == "fa:16:3e:00:00:01"
    assert _network(source.connection) is None


def test_resize_plugs_the_destination_and_confirm_unplugs_the_source(
        settings, make_instance, image, flavor):
    source, dest = LibvirtDriver("test:///default", "src"), LibvirtDriver("test:///default", "dst")
    instance = make_instance(network_info=[port(1)])
    source.spawn(None, instance, image, flavor)
    disk_info = source.migrate_disk_and_power_off(None, instance, 0)
    big = Flavor(id=2, flavorid="2", name="m1.big", vcpus=2, memory_mb=1024, root_gb=1)
    dest.finish_migration(None, instance, big, disk_info, power_on=True)
    assert _interfaces(dest, instance.uuid)[0][1:3] == ("fa:16:3e:00:00:01", "stratus-3f2a9c1e")
    assert _hosts(dest.connection) == [("fa:16:3e:00:00:01", "10.42.0.5", "vm")]
    source.confirm_migration(None, instance)
    assert _network(source.connection) is None


def test_real_domain_xml_has_the_nics_and_the_config_drive():
    xml = vconfig.domain_xml("u-1", "instance-u-1", 256, 1, "qemu",
                             interfaces=[("fa:16:3e:00:00:01", "stratus-3f2a9c1e")],
                             config_drive="/i/u-1/disk.config")
    devices = ET.fromstring(xml).find("devices")
    cdrom = devices.find("disk[@device='cdrom']")
    assert cdrom.find("source").get("file") == "/i/u-1/disk.config"
    assert cdrom.find("driver").get("type") == "raw"
    assert cdrom.find("target").attrib == {"dev": "hdd", "bus": "ide"}
    assert cdrom.find("readonly") is not None
    nic = devices.find("interface")
    assert nic.find("source").get("network") == "stratus-3f2a9c1e"
    assert nic.find("model").get("type") == "virtio"


def test_an_entry_whose_port_is_on_the_bridge_under_another_daemon_stays(
        driver, make_instance, monkeypatch):
    # Two daemons of one machine share the bridge: after a live migration
    # between them the guest's tap (its MAC with FE first) is still there.
    instance = make_instance(network_info=[port(1)])
    vif.plug(driver.connection, instance, instance.network_info[0])
    monkeypatch.setattr(vif, "_bridge_ports", lambda _vif: {"fe:16:3e:00:00:01"})
    vif.unplug(driver.connection, instance.network_info[0])
    assert _hosts(driver.connection) == [("fa:16:3e:00:00:01", "10.42.0.5", "vm")]
    monkeypatch.setattr(vif, "_bridge_ports", lambda _vif: {"fe:16:3e:00:00:07"})
    vif.unplug(driver.connection, instance.network_info[0])
    # Its entry goes; the network stays for the other daemon's guest.
    assert _network(driver.connection) is not None and _hosts(driver.connection) == []
