"""Scheduler fixtures: hand-built compute nodes, a fake conductor that
claims honestly, and settings overrides."""
import dataclasses

import pytest

from stratus.config import reset_settings
from stratus.common.objects import ComputeNode, Flavor
from stratus.scheduler.host_state import HostState
from stratus.scheduler.spec import RequestSpec


def make_node(id, host=None, vcpus=8, memory_mb=8192, local_gb=100, **kwargs):
    host = host or f"node{id}"
    return ComputeNode(id=id, host=host, hypervisor_hostname=f"{host}.local",
                       hypervisor_type="QEMU", hypervisor_version=1, vcpus=vcpus,
                       memory_mb=memory_mb, local_gb=local_gb, **kwargs)


def make_host(id, **kwargs):
    return HostState(make_node(id, **kwargs))


def make_flavor(vcpus=1, memory_mb=1024, root_gb=10, ephemeral_gb=0, swap=0):
    return Flavor(id=1, flavorid="f1", name="m1.test", vcpus=vcpus, memory_mb=memory_mb,
                  root_gb=root_gb, ephemeral_gb=ephemeral_gb, swap=swap)


def make_request(flavor=None, **kwargs):
    """A request_spec dict as the conductor sends it."""
    spec = {"flavor": flavor or make_flavor(), "image": None, "availability_zone": None,
            "project_id": "p1", "user_id": "u1", "ignore_hosts": [], "force_hosts": [],
            "num_instances": 1}
    spec.update(kwargs)
    return spec


def make_spec(flavor=None, **kwargs):
    return RequestSpec.from_dict(make_request(flavor, **kwargs))


_STATE_COLUMNS = ("id", "host", "hypervisor_hostname", "hypervisor_type", "hypervisor_version",
                  "vcpus", "memory_mb", "local_gb", "vcpus_used", "memory_mb_used",
                  "local_gb_used", "running_vms", "cpu_allocation_ratio",
                  "ram_allocation_ratio", "disk_allocation_ratio")


class FakeConductor:
    """compute_node_get_all / claim_resources / release_resources over an
    in-memory table, with the conductor's fit arithmetic: a claim that does
    not fit returns False. `after_read` runs once after the nodes are read,
    to play a concurrent scheduler."""

    def __init__(self, nodes):
        self.nodes = {node.id: node for node in nodes}
        self.claims = {}
        self.reads = 0
        self.claim_attempts = []
        self.after_read = None

    def compute_node_get_all(self, ctxt):
        self.reads += 1
        # A copy, as over RPC: the scheduler's bookkeeping must not leak back.
        copies = [dataclasses.replace(node) for node in self.nodes.values()]
        if self.after_read:
            self.after_read(self)
            self.after_read = None
        return copies

    def can_send_version(self, version):
        return True

    def compute_node_states(self, ctxt, since=None):
        """compute_node_get_all's nodes as the 1.10 compact read sends them,
        every node each time (a full answer); node i's service is i."""
        nodes = self.compute_node_get_all(ctxt)
        return {"now": "", "full": True, "columns": list(_STATE_COLUMNS) + ["service_id"],
                "nodes": [[getattr(n, c) for c in _STATE_COLUMNS] + [n.id] for n in nodes],
                "gone": [], "zones": [[n.id, n.availability_zone] for n in nodes],
                "unavailable": [[n.id, n.service_up, n.service_disabled] for n in nodes
                                if not n.service_up or n.service_disabled],
                "aggregates": {"zones": {}, "metadata": {n.host: n.aggregate_metadata
                                                         for n in nodes}}}

    def take(self, node_id, vcpus=0, memory_mb=0, disk_gb=0):
        node = self.nodes[node_id]
        node.vcpus_used += vcpus
        node.memory_mb_used += memory_mb
        node.local_gb_used += disk_gb

    def claim_resources(self, ctxt, instance_uuid, compute_node_id, vcpus, memory_mb, disk_gb):
        self.claim_attempts.append((instance_uuid, compute_node_id))
        n = self.nodes[compute_node_id]
        fits = (n.vcpus_used + vcpus <= n.vcpus * n.cpu_allocation_ratio
                and n.memory_mb_used + memory_mb <= n.memory_mb * n.ram_allocation_ratio
                and n.local_gb_used + disk_gb <= n.local_gb * n.disk_allocation_ratio)
        if fits:
            self.take(compute_node_id, vcpus, memory_mb, disk_gb)
            self.claims[(instance_uuid, compute_node_id)] = (vcpus, memory_mb, disk_gb)
        return fits

    def release_resources(self, ctxt, instance_uuid, compute_node_id=None):
        for key in [k for k in self.claims if k[0] == instance_uuid
                    and compute_node_id in (None, k[1])]:
            vcpus, memory_mb, disk_gb = self.claims.pop(key)
            self.take(key[1], -vcpus, -memory_mb, -disk_gb)


@pytest.fixture
def settings(monkeypatch):
    """settings(max_attempts=2, ram_weight_multiplier=-1) for one test."""
    def override(**values):
        for name, value in values.items():
            monkeypatch.setenv(f"STRATUS_{name.upper()}", str(value))
        reset_settings()

    yield override
    # monkeypatch restores the environment after this; the cache is empty
    # by then, so the next reader sees the restored values.
    reset_settings()
