"""Where a guest lives on a libvirt host: its domain's name, its instance
directory and the disk in it, and the directory a move keeps aside. One
place, so the driver's modules agree on every path."""
from stratus.config import get_settings

DOMAIN_PREFIX = "instance-"
DISK = "disk"
CONFIG_DRIVE = "disk.config"
RESIZE_SUFFIX = "_resize"


def domain_name(uuid):
    """The libvirt domain name of an instance."""
    return f"{DOMAIN_PREFIX}{uuid}"


def instance_dir(uuid):
    """The directory of an instance's local files (its disk)."""
    return get_settings().instances_path / uuid


def disk_path(uuid):
    """The instance's root disk (a qcow2 overlay on its image) on QEMU hosts."""
    return instance_dir(uuid) / DISK


def resize_dir(uuid):
    """Where the source keeps the instance directory during a resize or
    cold migration, until it is confirmed or reverted."""
    path = instance_dir(uuid)
    return path.with_name(path.name + RESIZE_SUFFIX)


def console_log_path(uuid):
    """Where libvirt writes the guest's serial console output."""
    return instance_dir(uuid) / "console.log"


def config_drive_path(uuid):
    """The instance's config drive (an ISO9660 image) on QEMU hosts."""
    return instance_dir(uuid) / CONFIG_DRIVE
