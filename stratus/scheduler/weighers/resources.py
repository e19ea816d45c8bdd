"""Weighers on free RAM, vCPUs and disk. With the default multipliers
(1.0) new instances spread to the emptiest hosts; negative multipliers
pack them onto the fullest hosts that still fit."""
from stratus.config import get_settings
from stratus.scheduler.weighers.base import BaseHostWeigher


class RAMWeigher(BaseHostWeigher):
    """Free RAM (MB), times ram_weight_multiplier."""

    def weight_multiplier(self):
        return get_settings().ram_weight_multiplier

    def weigh_object(self, host_state, spec):
        return host_state.free_ram_mb

    def capacity(self, host_state):
        node = host_state.node
        return node.memory_mb * node.ram_allocation_ratio


class CPUWeigher(BaseHostWeigher):
    """Free vCPUs, times cpu_weight_multiplier."""

    def weight_multiplier(self):
        return get_settings().cpu_weight_multiplier

    def weigh_object(self, host_state, spec):
        return host_state.free_vcpus

    def capacity(self, host_state):
        node = host_state.node
        return node.vcpus * node.cpu_allocation_ratio


class DiskWeigher(BaseHostWeigher):
    """Free local disk (GB), times disk_weight_multiplier."""

    def weight_multiplier(self):
        return get_settings().disk_weight_multiplier

    def weigh_object(self, host_state, spec):
        return host_state.free_disk_gb

    def capacity(self, host_state):
        node = host_state.node
        return node.local_gb * node.disk_allocation_ratio
