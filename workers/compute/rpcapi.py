"""Client side of compute: every message goes to one host's queue.

API version history:
    1.0 - build_and_run_instance, terminate_instance.
    1.1 - server life cycle: power and pause/suspend actions, reboot.
    1.2 - consoles: get_vnc_console, validate_console_port.
    1.3 - moves (issue 5): snapshots, shelve, rebuild, resize and cold
          migration, live migration, evacuation.
"""
from config import get_settings
from workers.rpc import RPCClient

RPC_VERSION = "1.3"


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

    # power and pause actions: the API has set the task_state each expects
    def start_instance(self, ctxt, host, instance):
        """Boot the stopped guest (task_state powering-on); ends ACTIVE."""
        self.client.prepare(server=host).cast(ctxt, "start_instance", instance=instance)

    def stop_instance(self, ctxt, host, instance):
        """Shut the guest down (task_state powering-off); ends STOPPED."""
        self.client.prepare(server=host).cast(ctxt, "stop_instance", instance=instance)

    def reboot_instance(self, ctxt, host, instance, reboot_type):
        """Reboot the guest, "SOFT" (task_state rebooting) or "HARD"
        (rebooting_hard); ends ACTIVE."""
        self.client.prepare(server=host).cast(ctxt, "reboot_instance", instance=instance,
                                              reboot_type=reboot_type)

    def pause_instance(self, ctxt, host, instance):
        """Freeze the guest in memory (task_state pausing); ends PAUSED."""
        self.client.prepare(server=host).cast(ctxt, "pause_instance", instance=instance)

    def unpause_instance(self, ctxt, host, instance):
        """Let a paused guest run (task_state unpausing); ends ACTIVE."""
        self.client.prepare(server=host).cast(ctxt, "unpause_instance", instance=instance)

    def suspend_instance(self, ctxt, host, instance):
        """Save the guest's memory to disk (task_state suspending); ends
        SUSPENDED."""
        self.client.prepare(server=host).cast(ctxt, "suspend_instance", instance=instance)

    def resume_instance(self, ctxt, host, instance):
        """Restore a suspended guest (task_state resuming); ends ACTIVE."""
        self.client.prepare(server=host).cast(ctxt, "resume_instance", instance=instance)

    # consoles (1.2): calls, the caller needs the answer
    def get_vnc_console(self, ctxt, host, instance, console_type):
        """Where the guest's VNC server listens, {"host", "port",
        "internal_access_path"}; ConsoleTypeUnavailable when it has none."""
        return self.client.prepare(server=host, version="1.2").call(
            ctxt, "get_vnc_console", instance=instance, console_type=console_type)

    def validate_console_port(self, ctxt, host, instance, port, console_type):
        """Whether `port` is still the guest's console port on `host` (the
        proxy asks before it connects a browser to it)."""
        return self.client.prepare(server=host, version="1.2").call(
            ctxt, "validate_console_port", instance=instance, port=port,
            console_type=console_type)

    # === snapshots, shelve and rebuild (1.3) ===

    # === resize, cold migration and evacuation (1.3) ===

    # === live migration (1.3) ===
