"""Resize and cold migration on libvirt (Nova's migrate_disk_and_power_off,
finish_migration, confirm and revert): the source keeps its guest's disk
aside as `<uuid>_resize` until the move is confirmed or reverted, the
destination defines the guest with the new flavor on its own connection.

The test driver and QEMU take the same path: a test guest just has no
disk. Disks are copied through the instances_path, which the hosts of
this cloud share; on storage the destination cannot read, the move fails
with a clear error rather than booting a guest without its disk."""
import shutil
from pathlib import Path

from stratus.common import exception
from stratus.compute.virt.libvirt import config as vconfig
from stratus.compute.virt.libvirt import guest, vif
from stratus.compute.virt.libvirt.host import translate_errors
from stratus.compute.virt.libvirt.layout import (DISK, console_log_path, domain_name, instance_dir,
                                                resize_dir)


def migrate_disk_and_power_off(drv, instance, timeout):
    """Power the guest off (clean shutdown within `timeout`) and move its
    directory aside; returns disk_info {"disk": path or None} for the
    destination. Done twice, the second finds the directory moved already."""
    with translate_errors():
        domain = drv._host.lookup(instance.uuid)
        if domain is not None and domain.isActive():
            guest.power_off(domain, timeout)
    current, kept = instance_dir(instance.uuid), resize_dir(instance.uuid)
    if current.exists() and not kept.exists():
        current.rename(kept)
    disk = kept / DISK
    return {"disk": str(disk) if disk.exists() else None}


def finish_migration(drv, instance, flavor, disk_info, power_on):
    """Define the guest with `flavor` on this host, its disk copied from
    the source's kept one; boot it when `power_on`."""
    disk = _copy_disk(drv, instance.uuid, (disk_info or {}).get("disk"))
    _define_and_boot(drv, instance, flavor, disk, power_on)


def _copy_disk(drv, uuid, source):
    if not source:
        return None
    source = Path(source)
    if not source.is_file():
        raise exception.HypervisorError(reason=(
            f"The disk of instance {uuid} kept at {source} on the source host is not "
            f"readable on {drv.host}: resize and cold migration need an instances_path "
            "shared by the hosts (no disk copy between hosts is configured)"))
    target = instance_dir(uuid) / DISK
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        # A qcow2 overlay keeps pointing at its base image in the shared store.
        shutil.copy2(source, target.with_suffix(".part"))
        target.with_suffix(".part").rename(target)
    return target


def _define_and_boot(drv, instance, flavor, disk, power_on):
    uuid = instance.uuid
    with drv._lock_for(uuid), translate_errors():
        # virtlogd needs the directory for the console log, disk or no disk.
        instance_dir(uuid).mkdir(parents=True, exist_ok=True)
        xml = vconfig.domain_xml(uuid, domain_name(uuid), flavor.memory_mb, flavor.vcpus,
                                 drv.virt_type, (str(disk), "qcow2") if disk else None,
                                 console_log=console_log_path(uuid),
                                 **drv._guest_devices(instance))
        domain = drv._host.lookup(uuid)
        if domain is not None and domain.isActive():
            guest.destroy(domain)  # a redone step: the new definition must apply
        domain = drv.connection.defineXML(xml)
        if power_on and not domain.isActive():
            domain.create()


def confirm_migration(drv, instance, keep_guest=False):
    """On the source: forget the old guest (unless `keep_guest`: on one
    host it is the resized guest itself) and its kept disk. The instance
    directory itself now belongs to the destination (shared storage), so
    only the `_resize` copy is removed."""
    if not keep_guest:
        undefine(drv, instance.uuid)
        vif.unplug_all(drv.connection, instance)
    shutil.rmtree(resize_dir(instance.uuid), ignore_errors=True)


def finish_revert_migration(drv, instance, flavor, power_on):
    """On the source: put the kept directory back, define the guest with
    the old `flavor` again and boot it when `power_on`."""
    current, kept = instance_dir(instance.uuid), resize_dir(instance.uuid)
    if kept.exists():
        # What is left under the plain name is the destination's copy,
        # already given up by the destination.
        shutil.rmtree(current, ignore_errors=True)
        kept.rename(current)
    disk = current / DISK
    _define_and_boot(drv, instance, flavor, disk if disk.exists() else None, power_on)


def undefine(drv, uuid):
    """Stop and undefine this host's guest of `uuid`, leaving its files
    alone: the disk may be the one another host now runs from."""
    with drv._lock_for(uuid), translate_errors():
        domain = drv._host.lookup(uuid)
        if domain is not None:
            guest.remove(domain)
