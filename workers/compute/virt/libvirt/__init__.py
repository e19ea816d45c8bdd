"""The libvirt virt driver (QEMU/KVM hosts, and libvirt's test driver)."""
from workers.compute.virt.libvirt.driver import LibvirtDriver

__all__ = ["LibvirtDriver"]
