"""The conductor's two managers, each a composition of operation objects
whose endpoints are its own (stratus.common.endpoint): ConductorManager
holds the database endpoints, one class per aggregate; ComputeTaskManager
holds the long orchestrations, one task class per operation."""
from stratus.conductor.aggregates import Aggregates
from stratus.conductor.catalog import Catalog
from stratus.conductor.certificates import Certificates
from stratus.conductor.consoles import ConsoleAuthTokens
from stratus.conductor.hosts import Hosts
from stratus.conductor.identity import Identity
from stratus.conductor.instances import Instances
from stratus.conductor.keypairs import KeyPairs
from stratus.conductor.migrations import Migrations
from stratus.conductor.networks import Networking
from stratus.conductor.orchestration.build import BuildTask
from stratus.conductor.orchestration.evacuate import EvacuationTask
from stratus.conductor.orchestration.live_migrate import LiveMigrationTask
from stratus.conductor.orchestration.migrate import MigrationTask
from stratus.conductor.orchestration.rebuild import RebuildTask, UnshelveTask
from stratus.conductor.quotas import Quotas
from stratus.conductor.server_groups import ServerGroups


class ConductorManager:
    """Database work for the roles that may not touch the database: each
    endpoint opens one short transaction and returns wire objects (never
    rows)."""

    operations = (Hosts, Catalog, Instances, KeyPairs, Quotas, ServerGroups,
                  ConsoleAuthTokens, Certificates, Identity, Migrations, Aggregates, Networking)

    def __init__(self):
        self.hosts = Hosts()
        self.catalog = Catalog()
        self.instances = Instances()
        self.keypairs = KeyPairs()
        self.quotas = Quotas()
        self.server_groups = ServerGroups()
        self.console_auth_tokens = ConsoleAuthTokens()
        self.certificates = Certificates()
        self.identity = Identity()
        self.migrations = Migrations()
        self.aggregates = Aggregates()
        self.networking = Networking()


class ComputeTaskManager:
    """Long orchestrations (Nova's ComputeTaskManager), one task object per
    operation, each given the clients of the scheduler, the compute hosts
    and this conductor (for continuations).

    Database work happens in short transactions; every message to another
    role is sent after its commit."""

    operations = (BuildTask, MigrationTask, LiveMigrationTask, EvacuationTask, UnshelveTask,
                  RebuildTask)

    def __init__(self, scheduler_api=None, compute_api=None, compute_task_api=None):
        from stratus.compute.rpcapi import ComputeAPI
        from stratus.conductor.rpcapi import ComputeTaskAPI
        from stratus.scheduler.rpcapi import SchedulerAPI

        self.scheduler_api = scheduler_api or SchedulerAPI()
        self.compute_api = compute_api or ComputeAPI()
        self.compute_task_api = compute_task_api or ComputeTaskAPI()
        clients = (self.scheduler_api, self.compute_api, self.compute_task_api)
        self.build = BuildTask(*clients)
        self.migration = MigrationTask(*clients)
        self.live_migration = LiveMigrationTask(*clients)
        self.evacuation = EvacuationTask(*clients)
        self.unshelve = UnshelveTask(*clients)
        self.rebuild = RebuildTask(*clients)
