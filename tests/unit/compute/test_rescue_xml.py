"""The libvirt rescue on libvirt's test driver with a QEMU-shaped guest
definition: the rescue disk (a real qcow2 overlay made by qemu-img) boots
first and the guest's own disk second; unrescue restores the definition
exactly and removes what rescue made."""
import shutil
import subprocess
import uuid as uuidlib
import xml.etree.ElementTree as ET

import libvirt
import pytest

from stratus.compute.virt.libvirt import config as vconfig
from stratus.compute.virt.libvirt import rescue
from stratus.compute.virt.libvirt.layout import instance_dir


def _disks(domain):
    xml = ET.fromstring(domain.XMLDesc(0))
    return [(d.find("target").get("dev"), d.find("source").get("file"))
            for d in xml.findall("devices/disk")]


@pytest.mark.skipif(shutil.which("qemu-img") is None, reason="qemu-img not installed")
def test_rescue_boots_the_rescue_disk_first_and_unrescue_restores(settings, tmp_path):
    base = tmp_path / "rescue-image.qcow2"
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", str(base), "16M"], check=True)
    conn = libvirt.open("test:///default")
    uuid = str(uuidlib.uuid4())
    own = str(tmp_path / "own-disk.qcow2")
    xml = vconfig.domain_xml(uuid, f"guest-{uuid[:8]}", 64, 1, "test", (own, "qcow2"))
    domain = conn.defineXML(xml)
    domain.create()
    original = domain.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)

    rescue.rescue(conn, domain, uuid, base, "qcow2")
    rescued = conn.lookupByUUIDString(uuid)
    assert rescued.isActive()
    rescue_disk = str(instance_dir(uuid) / rescue.RESCUE_DISK)
    assert _disks(rescued) == [("vda", rescue_disk), ("vdb", own)]
    info = subprocess.run(["qemu-img", "info", rescue_disk], capture_output=True, text=True,
                          check=True).stdout
    assert str(base) in info  # an overlay on the rescue image, not a copy

    rescue.unrescue(conn, rescued, uuid)
    restored = conn.lookupByUUIDString(uuid)
    assert restored.isActive()
    assert restored.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE) == original
    assert list(instance_dir(uuid).iterdir()) == []
    restored.destroy()
    restored.undefine()


def test_rescue_keeps_the_nics_and_the_config_drive(settings):
    conn = libvirt.open("test:///default")
    uuid = str(uuidlib.uuid4())
    network = conn.networkCreateXML(
        "<network><name>stratus-rescue1</name><ip address='10.42.0.1' netmask='255.255.255.0'/>"
        "</network>")
    xml = vconfig.domain_xml(uuid, f"guest-{uuid[:8]}", 64, 1, "test", ("/own", "qcow2"),
                             interfaces=[("fa:16:3e:00:00:01", "stratus-rescue1")],
                             config_drive="/i/disk.config")
    conn.defineXML(xml).create()
    rescue.rescue(conn, conn.lookupByUUIDString(uuid), uuid, None, "qcow2")
    rescued = conn.lookupByUUIDString(uuid)
    assert _disks(rescued) == [("vdb", "/own"), ("hdd", "/i/disk.config")]
    nics = ET.fromstring(rescued.XMLDesc(0)).findall("devices/interface/mac")
    assert [m.get("address") for m in nics] == ["fa:16:3e:00:00:01"]
    rescued.destroy()
    rescued.undefine()
    network.destroy()
