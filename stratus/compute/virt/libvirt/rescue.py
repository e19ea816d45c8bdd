"""Rescue, as Nova's libvirt driver does it: the guest's definition is
kept aside (unrescue.xml in the instance's directory), the guest boots
from a fresh disk of the rescue image with its own disk attached second
(vdb), and unrescue puts the kept definition back and boots it."""
import xml.etree.ElementTree as ET

import libvirt

from stratus.compute.virt.libvirt import guest, qemu_img
from stratus.compute.virt.libvirt.layout import instance_dir

UNRESCUE_XML = "unrescue.xml"
RESCUE_DISK = "disk.rescue"


def rescue(connection, domain, instance_uuid, image_path, disk_format):
    """Boot `domain` from a new disk of the image at `image_path` (None on
    libvirt's test driver, whose guests have no disk files)."""
    directory = instance_dir(instance_uuid)
    directory.mkdir(parents=True, exist_ok=True)
    kept = directory / UNRESCUE_XML
    if not kept.exists():  # a second rescue attempt keeps the first's original
        # The definition, not the running state (a live console port
        # written back would pin it).
        kept.write_text(domain.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE))
    xml = ET.fromstring(kept.read_text())
    devices = xml.find("devices")
    for target in devices.findall("disk[@device='disk']/target"):
        target.set("dev", "vdb")  # the guest's own disk, second
    if image_path is not None:
        rescue_disk = directory / RESCUE_DISK
        rescue_disk.unlink(missing_ok=True)
        qemu_img.create_overlay(image_path, disk_format, rescue_disk)
        disk = ET.Element("disk", type="file", device="disk")
        ET.SubElement(disk, "driver", name="qemu", type="qcow2")
        ET.SubElement(disk, "source", file=str(rescue_disk))
        ET.SubElement(disk, "target", dev="vda", bus="virtio")
        devices.insert(0, disk)
    if domain.isActive():
        domain.destroy()
    connection.defineXML(ET.tostring(xml, encoding="unicode")).create()


def unrescue(connection, domain, instance_uuid):
    """Back to the kept definition, booted; the rescue disk is removed."""
    directory = instance_dir(instance_uuid)
    kept = directory / UNRESCUE_XML
    if domain.isActive():
        domain.destroy()
    if kept.exists():
        connection.defineXML(kept.read_text())
    guest.boot(connection.lookupByUUIDString(instance_uuid))
    kept.unlink(missing_ok=True)
    (directory / RESCUE_DISK).unlink(missing_ok=True)
