"""A compute host's periodic work: heartbeat every report_interval,
resources every few heartbeats, and the power-state sync every
sync_power_state_interval."""
from stratus.config import get_settings
from stratus.common.periodic import PeriodicTasks, rounds_for

# Resources change rarely (a host is resized, a disk grows); heartbeats
# matter every interval because they decide whether the host is up.
RESOURCE_EVERY = 6


class PeriodicReporter(PeriodicTasks):
    """The periodic thread of one compute host's `manager`."""

    def __init__(self, manager, interval=None, resource_every=RESOURCE_EVERY, sync_every=None):
        settings = get_settings()
        interval = interval or settings.report_interval
        sync_every = sync_every or rounds_for(settings.sync_power_state_interval, interval)
        super().__init__(f"compute-periodic-{manager.host}", interval, [
            (manager.report_state, 1),
            (manager.update_available_resource, resource_every),
            (manager.sync_power_states, sync_every),
            # shelved servers older than shelved_offload_time
            (manager.offload_shelved_instances, sync_every),
            # soft-deleted servers older than reclaim_instance_interval
            (manager.reclaim_queued_deletes, sync_every)])
        self.manager = manager
