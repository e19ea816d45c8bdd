"""The compute manager: one hypervisor's side of the instance life cycle.

The manager knows nothing about Celery: it is handed a virt driver and
the conductor's rpcapi clients, and persists only through the conductor.
Its endpoints (the names of the stratus.compute.rpcapi methods) are
those of its operation objects, one per concern."""
from stratus.common.context import get_admin_context
from stratus.compute.build import Build
from stratus.compute.build_marks import BuildMarks
from stratus.compute.console_output import ConsoleOutput
from stratus.compute.consoles import Consoles
from stratus.compute.diagnostics import Diagnostics
from stratus.compute.evacuation import Evacuation
from stratus.compute.failures import Failures
from stratus.compute.live_migration import LiveMigration
from stratus.compute.power import Power
from stratus.compute.recovery import Recovery
from stratus.compute.resize import Resize
from stratus.compute.saves import RetryingConductor
from stratus.compute.rpcapi import ComputeAPI
from stratus.compute.shelve import Shelve
from stratus.compute.snapshot import Snapshot
from stratus.conductor import rpcapi as conductor_rpcapi
from stratus.config import get_settings
from stratus.common.vocabulary import ServiceBinary

BINARY = ServiceBinary.COMPUTE


class ComputeManager:
    """Runs instances on one host through a virt driver.

    Each concern is an operation object built with the manager; the
    manager keeps the service's life (start, heartbeat, resources,
    periodic work)."""

    operations = (Build, Power, Resize, Evacuation, Snapshot, Shelve, LiveMigration, Consoles,
                  Diagnostics, ConsoleOutput, Recovery)

    def __init__(self, host, driver, conductor_api=None, compute_task_api=None,
                 compute_rpc=None):
        self.host = host
        self.driver = driver
        self.conductor_api = RetryingConductor(conductor_api or conductor_rpcapi.ConductorAPI())
        self.compute_task_api = compute_task_api or conductor_rpcapi.ComputeTaskAPI()
        # The other compute hosts (a migration hands over from host to host).
        self.compute_rpc = compute_rpc or ComputeAPI()
        self.failures = Failures(host, self.conductor_api)
        self.build_marks = BuildMarks(host)
        self.builds = Build(self)
        self.power = Power(self)
        self.resizes = Resize(self)
        self.evacuations = Evacuation(self)
        self.snapshots = Snapshot(self)
        self.shelves = Shelve(self)
        self.live_migrations = LiveMigration(self)
        self.consoles = Consoles(self)
        self.diagnostics = Diagnostics(self)
        self.console_output = ConsoleOutput(self)
        self.recovery = Recovery(self)

    def init_host(self):
        """Prepare the hypervisor, recover what a crash interrupted, then
        register the service and its node. Runs before the worker consumes
        its queue, so a message left there meets recovered instances."""
        ctxt = get_admin_context()
        self.driver.init_host(self.host)
        self.recovery.init_instances(ctxt)
        self.report_state(ctxt)
        self.update_available_resource(ctxt)

    def report_state(self, ctxt=None):
        """Heartbeat: the service is up while this keeps being called."""
        self.conductor_api.service_update(
            ctxt or get_admin_context(), self.host, BINARY, f"compute.{self.host}",
            availability_zone=get_settings().availability_zone)

    def update_available_resource(self, ctxt=None):
        """Report each node's totals with this host's overcommit settings."""
        ctxt = ctxt or get_admin_context()
        for nodename in self.driver.get_available_nodes():
            resources = self.driver.get_available_resource(nodename)
            resources.update(_allocation_settings())
            self.conductor_api.compute_node_update(ctxt, self.host, nodename, resources)

    def sync_power_states(self, ctxt=None):
        """Periodic: record libvirt's power state of this host's instances."""
        self.recovery.sync_power_states(ctxt or get_admin_context())

    def offload_shelved_instances(self, ctxt=None):
        """Periodic: offload the servers shelved longer than
        shelved_offload_time."""
        self.shelves.offload_shelved_instances(ctxt)

    def reclaim_queued_deletes(self, ctxt=None):
        """Periodic: delete servers soft-deleted longer than reclaim_instance_interval."""
        self.power.reclaim_queued_deletes(ctxt)


def _allocation_settings():
    settings = get_settings()
    return {"cpu_allocation_ratio": settings.cpu_allocation_ratio,
            "ram_allocation_ratio": settings.ram_allocation_ratio,
            "disk_allocation_ratio": settings.disk_allocation_ratio,
            "reserved_host_memory_mb": settings.reserved_host_memory_mb,
            "reserved_host_disk_mb": settings.reserved_host_disk_mb}
