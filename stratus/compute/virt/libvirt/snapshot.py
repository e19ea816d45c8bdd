"""Standalone images of a guest's disk (Nova's libvirt snapshot, cold
and live in one): the instance's qcow2 overlay is flattened with its
backing image into one qcow2 file that boots by itself."""
import shutil
import xml.etree.ElementTree as ET

import libvirt

from stratus.common import exception
from stratus.compute.virt.libvirt import guest, qemu_img

SNAPSHOT_FORMAT = "qcow2"


def capture(domain, disk, base, target):
    """Write the guest's disk to `target` and return its disk format.

    `disk` is the overlay under instances_path (None for libvirt's test
    driver, whose guests have no disk); `base` the image file the guest
    was booted from."""
    if disk is not None and disk.exists():
        _flatten_quiesced(domain, disk, target)
        return SNAPSHOT_FORMAT
    return _test_driver_copy(domain, base, target)


def _flatten_quiesced(domain, disk, target):
    # A running guest is paused while its disk is read rather than
    # managed-saved as Nova's cold snapshot: a pause keeps the guest's
    # memory, its console and its VNC port, and is as consistent for the
    # disk (nothing writes to it). It runs again as soon as the copy is
    # done, even when the copy fails.
    paused_here = guest.is_running(domain)
    if paused_here:
        domain.suspend()
    try:
        qemu_img.flatten(disk, target, target_format=SNAPSHOT_FORMAT)
    finally:
        if paused_here and guest.is_paused(domain):
            domain.resume()


def _test_driver_copy(domain, base, target):
    # libvirt's test driver guests have no disk to read (see
    # LibvirtDriver._define), but the driver does implement domain
    # snapshots: the snapshot goes through libvirt's API, so a domain
    # libvirt cannot snapshot fails here as it would on QEMU, and the image
    # file is a copy of the file the guest booted from, which is what its
    # disk would hold. The snapshot's metadata is dropped at once: the
    # image is the snapshot, libvirt need not keep one.
    xml = ET.tostring(ET.Element("domainsnapshot"), encoding="unicode")
    snap = domain.snapshotCreateXML(xml, libvirt.VIR_DOMAIN_SNAPSHOT_CREATE_ATOMIC)
    snap.delete(0)
    if base is None:
        raise exception.HypervisorError(reason="the instance's image file is gone")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(base, target)
    return None  # the base image's own format
