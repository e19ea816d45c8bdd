"""Client side of compute: every message goes to one host's queue.

API version history:
    1.0 - build_and_run_instance, terminate_instance.
    1.1 - server life cycle: power and pause/suspend actions, reboot.
"""
from config import get_settings
from workers.rpc import RPCClient

RPC_VERSION = "1.1"


class ComputeAPI:
    """Casts to the compute worker of one host."""

    def __init__(self):
        self.client = RPCClient("compute", RPC_VERSION,
                                version_cap=get_settings().compute_rpc_version_cap)

    def build_and_run_instance(self, ctxt, host, instance, request_spec, alternates):
        """Spawn the instance on `host`; on failure the host asks the
        conductor to reschedule onto `alternates`."""
        self.client.prepare(server=host).cast(
            ctxt, "build_and_run_instance", instance=instance,
            request_spec=request_spec, alternates=alternates)

    def terminate_instance(self, ctxt, host, instance):
        """Destroy and undefine the domain, then have the conductor
        release the claim and soft-delete the record."""
        self.client.prepare(server=host).cast(ctxt, "terminate_instance", instance=instance)
