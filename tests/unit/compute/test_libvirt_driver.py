"""What is particular to the libvirt driver: the test host's size, the
domain XML, the qcow2 overlay of real hypervisors, error mapping."""
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest

from stratus.common import exception
from stratus.compute.virt.libvirt import LibvirtDriver
from stratus.compute.virt.libvirt import config as vconfig
from stratus.compute.virt.libvirt import driver as libvirt_driver
from stratus.compute.virt.libvirt import qemu_img
from stratus.compute.virt.libvirt.host import node_file_path


def test_test_host_capacity_matches_settings(override):
    settings = override(STRATUS_TEST_HOST_VCPUS=24, STRATUS_TEST_HOST_MEMORY_MB=49152,
                        STRATUS_TEST_HOST_DISK_GB=250)
    driver = LibvirtDriver("test:///default", "big")
    driver.init_host("big")
    assert driver.connection.getInfo()[1:3] == [49152, 24]
    resources = driver.get_available_resource("big")
    assert (resources["vcpus"], resources["memory_mb"], resources["local_gb"]) == (24, 49152, 250)
    assert driver.get_available_nodes() == ["big"]
    assert node_file_path("big") == settings.state_dir / "libvirt-test" / "big.xml"
    assert node_file_path("big").is_file()


def test_test_domain_xml(settings, make_instance, image, flavor):
    driver = LibvirtDriver("test:///default", "h")
    instance = make_instance()
    driver.spawn(None, instance, image, flavor)
    root = ET.fromstring(driver.connection.lookupByUUIDString(instance.uuid).XMLDesc())
    assert root.get("type") == "test"
    assert root.findtext("name") == f"instance-{instance.uuid}"
    assert root.findtext("uuid") == instance.uuid
    assert int(root.findtext("memory")) == 512 * 1024
    assert root.findtext("vcpu") == "1"


def test_spawn_twice_defines_once(settings, make_instance, image, flavor, monkeypatch):
    driver = LibvirtDriver("test:///default", "h")
    conn = driver.connection
    defined = []
    real_define = conn.defineXML
    monkeypatch.setattr(conn, "defineXML", lambda xml: defined.append(xml) or real_define(xml))
    instance = make_instance()
    driver.spawn(None, instance, image, flavor)
    driver.spawn(None, instance, image, flavor)
    assert len(defined) == 1


def test_libvirt_errors_are_hypervisor_errors(settings, tmp_path):
    driver = LibvirtDriver(f"test://{tmp_path}/no-such-node.xml", "h")
    with pytest.raises(exception.HypervisorError):
        driver.init_host("h")


def test_real_domain_xml_has_disk_and_vnc():
    xml = vconfig.domain_xml("u-1", "instance-u-1", 256, 2, "kvm", ("/i/u-1/disk", "qcow2"))
    root = ET.fromstring(xml)
    assert root.get("type") == "kvm"
    assert root.find("memory").attrib == {"unit": "MiB"} and root.findtext("memory") == "256"
    assert root.find("os/boot").get("dev") == "hd"
    disk = root.find("devices/disk")
    assert disk.find("driver").get("type") == "qcow2"
    assert disk.find("source").get("file") == "/i/u-1/disk"
    graphics = root.find("devices/graphics")
    assert (graphics.get("type"), graphics.get("listen"), graphics.get("autoport")) == \
        ("vnc", "127.0.0.1", "yes")
    assert root.find("devices/serial") is None  # no log path asked for


def test_real_domain_xml_logs_the_serial_console():
    xml = vconfig.domain_xml("u-1", "instance-u-1", 256, 2, "qemu", console_log="/i/u-1/log")
    serial = ET.fromstring(xml).find("devices/serial")
    assert serial.get("type") == "pty" and serial.find("log").get("file") == "/i/u-1/log"
    test_xml = vconfig.domain_xml("u-1", "instance-u-1", 256, 2, "test", console_log="/x")
    assert ET.fromstring(test_xml).find("devices/serial") is None


@pytest.mark.parametrize("kvm, expected", [(True, "kvm"), (False, "qemu")])
def test_virt_type_follows_dev_kvm(monkeypatch, kvm, expected):
    monkeypatch.setattr(libvirt_driver.os.path, "exists", lambda path: kvm)
    assert LibvirtDriver("qemu:///system", "h").virt_type == expected


def test_virt_type_setting_wins(override):
    override(STRATUS_LIBVIRT_VIRT_TYPE="qemu")
    assert LibvirtDriver("qemu:///system", "h").virt_type == "qemu"


@pytest.mark.skipif(shutil.which("qemu-img") is None, reason="qemu-img not installed")
def test_create_overlay_backs_onto_the_image(tmp_path):
    base = tmp_path / "base.qcow2"
    subprocess.run(["qemu-img", "create", "-f", "qcow2", str(base), "16M"], check=True,
                   capture_output=True)
    disk = tmp_path / "instances" / "u-1" / "disk"
    qemu_img.create_overlay(base, "qcow2", disk)
    info = subprocess.run(["qemu-img", "info", "--output=json", str(disk)], check=True,
                          capture_output=True, text=True).stdout
    assert '"backing-filename": "%s"' % base in info
    qemu_img.create_overlay(base, "qcow2", disk)  # already there: kept


def test_create_overlay_failure_is_hypervisor_error(tmp_path):
    with pytest.raises(exception.HypervisorError):
        qemu_img.create_overlay(tmp_path / "missing.qcow2", "qcow2",
                                      tmp_path / "u" / "disk")
