"""The libvirt virt driver (QEMU/KVM hosts, and libvirt's test driver)."""
from stratus.compute.virt.libvirt.driver import LibvirtDriver

__all__ = ["LibvirtDriver"]
