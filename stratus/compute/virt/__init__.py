"""Virt drivers: the seam between the compute manager and a hypervisor."""
