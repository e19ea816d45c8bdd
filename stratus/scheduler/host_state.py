"""What the scheduler knows of each host during one request.

HostState wraps a ComputeNode wire object; the request's own claims are
consumed into it so that the next instance of the same request sees them.
The free amounts use the same arithmetic as the conductor's atomic claim
(total times allocation ratio, less usage; the conductor has already
taken the reserved room out of the totals it sends), so a host the
filters admit is a host the claim would take, races aside."""
import dataclasses
import math


@dataclasses.dataclass(frozen=True)
class Resources:
    """What one instance takes from a host."""

    vcpus: int
    memory_mb: int
    disk_gb: int

    @classmethod
    def from_flavor(cls, flavor):
        # Swap is in MB on the flavor but lives on the host's local disk.
        disk_gb = flavor.root_gb + flavor.ephemeral_gb + math.ceil(flavor.swap / 1024)
        return cls(vcpus=flavor.vcpus, memory_mb=flavor.memory_mb, disk_gb=disk_gb)


class HostState:
    """One compute node as seen by the filters and weighers."""

    def __init__(self, node):
        self.node = node

    def __repr__(self):
        return f"HostState({self.host}/{self.nodename} #{self.id})"

    @property
    def id(self):
        return self.node.id

    @property
    def host(self):
        return self.node.host

    @property
    def nodename(self):
        return self.node.hypervisor_hostname

    @property
    def availability_zone(self):
        return self.node.availability_zone

    @property
    def aggregate_metadata(self):
        """{key: [values]} of the host's aggregates' metadata."""
        return self.node.aggregate_metadata or {}

    @property
    def service_up(self):
        return self.node.service_up

    @property
    def service_disabled(self):
        return self.node.service_disabled

    @property
    def free_vcpus(self):
        node = self.node
        return node.vcpus * node.cpu_allocation_ratio - node.vcpus_used

    @property
    def free_ram_mb(self):
        node = self.node
        return node.memory_mb * node.ram_allocation_ratio - node.memory_mb_used

    @property
    def free_disk_gb(self):
        node = self.node
        return node.local_gb * node.disk_allocation_ratio - node.local_gb_used

    def consume(self, resources):
        """Account for a claim this request just made on the host."""
        self.node.vcpus_used += resources.vcpus
        self.node.memory_mb_used += resources.memory_mb
        self.node.local_gb_used += resources.disk_gb
        self.node.running_vms += 1
