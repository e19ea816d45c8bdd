"""RAM, vCPU and disk filters: does one more instance fit, with the
host's allocation ratio (overcommit) applied."""
from stratus.scheduler.filters.base import BaseHostFilter


class _ResourceFilter(BaseHostFilter):
    """A filter on one free amount of the host against one need of the spec."""

    unit = ""

    def free(self, host_state):
        raise NotImplementedError

    def needed(self, spec):
        raise NotImplementedError

    def host_passes(self, host_state, spec):
        return self.needed(spec) <= self.free(host_state)

    def explain(self, removed, spec):
        # Overcommitted hosts can show negative room; "0 free" reads better.
        most = max(0, int(max(self.free(h) for h in removed)))
        return f"needs {self.needed(spec)} {self.unit}, most free {most} {self.unit}"


class RamFilter(_ResourceFilter):
    """Free RAM = memory_mb * ram_allocation_ratio - memory_mb_used."""

    unit = "MB"

    def free(self, host_state):
        return host_state.free_ram_mb

    def needed(self, spec):
        return spec.resources.memory_mb


class CoreFilter(_ResourceFilter):
    """Free vCPUs = vcpus * cpu_allocation_ratio - vcpus_used."""

    unit = "vCPUs"

    def free(self, host_state):
        return host_state.free_vcpus

    def needed(self, spec):
        return spec.resources.vcpus


class DiskFilter(_ResourceFilter):
    """Free disk = local_gb * disk_allocation_ratio - local_gb_used (root,
    ephemeral and swap all live on the host's local disk)."""

    unit = "GB"

    def free(self, host_state):
        return host_state.free_disk_gb

    def needed(self, spec):
        return spec.resources.disk_gb
