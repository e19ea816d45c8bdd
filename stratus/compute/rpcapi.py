"""Client side of compute: every message goes to one host's queue.

Each method sends the version that brought it, so a cloud capped at an
older version (STRATUS_COMPUTE_RPC_VERSION_CAP, during a rolling
upgrade) still reaches older hosts with everything they serve, and a
method above the cap raises VersionCapExceeded without sending.

API version history:
    1.0 - build_and_run_instance, terminate_instance.
    1.1 - power and pause actions: start_instance, stop_instance,
          reboot_instance, pause_instance, unpause_instance,
          suspend_instance, resume_instance.
    1.2 - consoles: get_vnc_console, validate_console_port.
    1.3 - moving servers: snapshot_instance; shelve_instance,
          shelve_offload_instance, unshelve_instance; rebuild_instance;
          resize and cold migration (resize_instance, finish_resize,
          confirm_resize, revert_resize, finish_revert_resize);
          evacuate_instance; live migration
          (check_can_live_migrate_destination, check_can_live_migrate_source,
          pre_live_migration, live_migration,
          post_live_migration_at_destination,
          rollback_live_migration_at_destination).
    1.4 - diagnostics: get_instance_diagnostics, get_host_uptime; rescue:
          rescue_instance, unrescue_instance; get_console_output;
          backup_instance (createBackup, with rotation); soft_delete_instance,
          restore_instance.
"""
from stratus.config import get_settings
from stratus.common.rpc import RPCClient

RPC_VERSION = "1.4"


class ComputeAPI:
    """Casts to the compute worker of one host."""

    def __init__(self):
        self.client = RPCClient("compute", RPC_VERSION,
                                version_cap=get_settings().compute_rpc_version_cap)

    def can_send_version(self, version):
        """Whether every host may be sent `version` (not while the cloud
        is capped below it, during a rolling upgrade)."""
        return self.client.can_send_version(version)

    def _client(self, host, version):
        """The client for `host`'s queue at `version` (VersionCapExceeded
        above the cap)."""
        return self.client.prepare(server=host, version=version)

    def build_and_run_instance(self, ctxt, host, instance, request_spec, alternates):
        """Spawn the instance on `host`; on failure the host asks the
        conductor to reschedule onto `alternates`."""
        self._client(host, "1.0").cast(
            ctxt, "build_and_run_instance", instance=instance,
            request_spec=request_spec, alternates=alternates)

    def terminate_instance(self, ctxt, host, instance):
        """Destroy and undefine the domain, then have the conductor
        release the claim and soft-delete the record."""
        self._client(host, "1.0").cast(ctxt, "terminate_instance", instance=instance)

    # power and pause actions: the API has set the task_state each expects
    def start_instance(self, ctxt, host, instance):
        """Boot the stopped guest (task_state powering-on); ends ACTIVE."""
        self._client(host, "1.1").cast(ctxt, "start_instance", instance=instance)

    def soft_delete_instance(self, ctxt, host, instance):
        """Power the guest off and keep it (task_state soft-deleting); ends
        SOFT_DELETED."""
        self._client(host, "1.4").cast(ctxt, "soft_delete_instance", instance=instance)

    def restore_instance(self, ctxt, host, instance):
        """Boot a soft-deleted guest again (task_state restoring); ends ACTIVE."""
        self._client(host, "1.4").cast(ctxt, "restore_instance", instance=instance)

    def stop_instance(self, ctxt, host, instance):
        """Shut the guest down (task_state powering-off); ends STOPPED."""
        self._client(host, "1.1").cast(ctxt, "stop_instance", instance=instance)

    def reboot_instance(self, ctxt, host, instance, reboot_type):
        """Reboot the guest, "SOFT" (task_state rebooting) or "HARD"
        (rebooting_hard); ends ACTIVE."""
        self._client(host, "1.1").cast(ctxt, "reboot_instance", instance=instance,
                                       reboot_type=reboot_type)

    def pause_instance(self, ctxt, host, instance):
        """Freeze the guest in memory (task_state pausing); ends PAUSED."""
        self._client(host, "1.1").cast(ctxt, "pause_instance", instance=instance)

    def unpause_instance(self, ctxt, host, instance):
        """Let a paused guest run (task_state unpausing); ends ACTIVE."""
        self._client(host, "1.1").cast(ctxt, "unpause_instance", instance=instance)

    def suspend_instance(self, ctxt, host, instance):
        """Save the guest's memory to disk (task_state suspending); ends
        SUSPENDED."""
        self._client(host, "1.1").cast(ctxt, "suspend_instance", instance=instance)

    def resume_instance(self, ctxt, host, instance):
        """Restore a suspended guest (task_state resuming); ends ACTIVE."""
        self._client(host, "1.1").cast(ctxt, "resume_instance", instance=instance)

    def get_console_output(self, ctxt, host, instance, length=None):
        """The guest's serial console output (its last `length` lines)."""
        return self._client(host, "1.4").call(ctxt, "get_console_output", instance=instance,
                                              length=length)

    # rescue (1.4)
    def rescue_instance(self, ctxt, host, instance, image):
        """Boot the guest from a new disk of `image` (task_state rescuing)."""
        self._client(host, "1.4").cast(ctxt, "rescue_instance", instance=instance, image=image)

    def unrescue_instance(self, ctxt, host, instance):
        """Boot the guest from its own disk again (task_state unrescuing)."""
        self._client(host, "1.4").cast(ctxt, "unrescue_instance", instance=instance)

    # consoles (1.2): calls, the caller needs the answer
    def get_vnc_console(self, ctxt, host, instance, console_type):
        """Where the guest's VNC server listens, {"host", "port",
        "internal_access_path"}; ConsoleTypeUnavailable when it has none."""
        return self._client(host, "1.2").call(
            ctxt, "get_vnc_console", instance=instance, console_type=console_type)

    def validate_console_port(self, ctxt, host, instance, port, console_type):
        """Whether `port` is still the guest's console port on `host` (the
        proxy asks before it connects a browser to it)."""
        return self._client(host, "1.2").call(
            ctxt, "validate_console_port", instance=instance, port=port,
            console_type=console_type)

    # === snapshots, shelve and rebuild (1.3) ===
    def snapshot_instance(self, ctxt, host, instance, image_id):
        """Snapshot the guest into the queued image `image_id` (task_state
        image_snapshot_pending); the image ends active, the task None."""
        self._client(host, "1.3").cast(
            ctxt, "snapshot_instance", instance=instance, image_id=image_id)

    def backup_instance(self, ctxt, host, instance, image_id, backup_type, rotation):
        """A snapshot into the queued backup image `image_id` (task_state
        image_snapshot_pending), then only the `rotation` newest backups of
        the server and `backup_type` are kept."""
        self._client(host, "1.4").cast(
            ctxt, "backup_instance", instance=instance, image_id=image_id,
            backup_type=backup_type, rotation=rotation)

    def shelve_instance(self, ctxt, host, instance, image_id, clean_shutdown=True):
        """Power off and snapshot into `image_id` (task_state shelving);
        ends shelved, or shelved_offloaded when shelved_offload_time is 0."""
        self._client(host, "1.3").cast(
            ctxt, "shelve_instance", instance=instance, image_id=image_id,
            clean_shutdown=clean_shutdown)

    def shelve_offload_instance(self, ctxt, host, instance):
        """Destroy a shelved guest and release its claim (task_state
        shelving_offloading); ends shelved_offloaded with no host."""
        self._client(host, "1.3").cast(ctxt, "shelve_offload_instance", instance=instance)

    def unshelve_instance(self, ctxt, host, instance):
        """Power on (shelved) or spawn from the shelved image (offloaded,
        placed here by the conductor); task_state unshelving; ends active."""
        self._client(host, "1.3").cast(ctxt, "unshelve_instance", instance=instance)

    def rebuild_instance(self, ctxt, host, instance, image_id, preserve_ephemeral=False):
        """Respawn the guest from `image_id` on its host (task_state
        rebuilding); ends active, or stopped if it was stopped."""
        self._client(host, "1.3").cast(
            ctxt, "rebuild_instance", instance=instance, image_id=image_id,
            preserve_ephemeral=preserve_ephemeral)

    # === resize, cold migration and evacuation (1.3) ===
    def resize_instance(self, ctxt, host, instance, migration):
        """To the source of a resize or cold migration (task_state
        resize_prep): power off, keep the disk, then finish_resize on the
        migration's destination."""
        self._client(host, "1.3").cast(
            ctxt, "resize_instance", instance=instance, migration=migration)

    def finish_resize(self, ctxt, host, instance, migration):
        """To the destination (task_state resize_migrated): define the guest
        with the new flavor; the server ends VERIFY_RESIZE here."""
        self._client(host, "1.3").cast(
            ctxt, "finish_resize", instance=instance, migration=migration)

    def confirm_resize(self, ctxt, host, instance, migration):
        """To the source (migration confirming): remove the old guest and
        kept disk, release the source's claim."""
        self._client(host, "1.3").cast(
            ctxt, "confirm_resize", instance=instance, migration=migration)

    def revert_resize(self, ctxt, host, instance, migration):
        """To the destination (task_state resize_reverting): remove the new
        guest, then finish_revert_resize on the source."""
        self._client(host, "1.3").cast(
            ctxt, "revert_resize", instance=instance, migration=migration)

    def finish_revert_resize(self, ctxt, host, instance, migration):
        """To the source: restore the kept disk and the old flavor; the
        server is back here, the destination's claim released."""
        self._client(host, "1.3").cast(
            ctxt, "finish_revert_resize", instance=instance, migration=migration)

    def evacuate_instance(self, ctxt, host, instance, migration, image):
        """To the destination of an evacuation (task_state rebuilding):
        spawn the server afresh from `image`, release the dead source's claim."""
        self._client(host, "1.3").cast(
            ctxt, "evacuate_instance", instance=instance, migration=migration, image=image)

    # === live migration (1.3) ===
    def check_can_live_migrate_destination(self, ctxt, host, instance, block_migration,
                                           reply_to=None):
        """Ask the destination `host` (which asks the source in turn)
        whether the server can move there; returns the migrate_data
        (block_migration True/False, or None for auto) or raises
        MigrationPreCheckError. With `reply_to` (a continuation) nothing
        waits: the reply goes to that method as its `reply` argument."""
        return self._client(host, "1.3").ask(
            ctxt, "check_can_live_migrate_destination", reply_to, instance=instance,
            block_migration=block_migration)

    def check_can_live_migrate_source(self, ctxt, host, instance, dest_check_data):
        """Ask the source `host` to check the destination's data; returns
        the migrate_data both hosts go by."""
        return self._client(host, "1.3").call(
            ctxt, "check_can_live_migrate_source", instance=instance,
            dest_check_data=dest_check_data)

    def live_migration(self, ctxt, host, instance, migration, migrate_data):
        """Start the live migration on the source `host` (the conductor
        has chosen and claimed the destination: migration.dest_compute)."""
        self._client(host, "1.3").cast(
            ctxt, "live_migration", instance=instance, migration=migration,
            migrate_data=migrate_data)

    def pre_live_migration(self, ctxt, host, instance, migrate_data):
        """Have the destination `host` prepare for the guest; returns the
        migrate_data it may have completed."""
        return self._client(host, "1.3").call(
            ctxt, "pre_live_migration", instance=instance, migrate_data=migrate_data)

    def post_live_migration_at_destination(self, ctxt, host, instance, migration,
                                           migrate_data):
        """The guest runs on the destination `host`: it takes the server
        over (host, node, states and the source's claim in one commit)."""
        return self._client(host, "1.3").call(
            ctxt, "post_live_migration_at_destination", instance=instance,
            migration=migration, migrate_data=migrate_data)

    def rollback_live_migration_at_destination(self, ctxt, host, instance, migrate_data):
        """The move failed: the destination `host` removes what it has of
        the guest (the server stays on its source)."""
        self._client(host, "1.3").cast(
            ctxt, "rollback_live_migration_at_destination", instance=instance,
            migrate_data=migrate_data)

    # diagnostics (1.4): calls, for admins
    def get_instance_diagnostics(self, ctxt, host, instance):
        """Nova's 2.48 diagnostics of the instance's guest."""
        return self._client(host, "1.4").call(ctxt, "get_instance_diagnostics",
                                              instance=instance)

    def get_host_uptime(self, ctxt, host):
        """The `uptime` line of `host`."""
        return self._client(host, "1.4").call(ctxt, "get_host_uptime")
