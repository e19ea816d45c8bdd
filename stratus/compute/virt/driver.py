"""The virt seam, as Nova's nova/virt/driver.py: one abstract class whose
documented methods every hypervisor driver implements. The compute manager
talks to a hypervisor only through these methods, and asks `capabilities`
instead of probing with hasattr."""


class ComputeDriver:
    """Base class for hypervisor drivers; every method raises
    NotImplementedError until a driver implements it."""

    # What the driver can do; the manager and the API check these keys.
    capabilities = {
        "has_imagecache": False,
        "supports_pause": False,
        "supports_suspend": False,
        "supports_snapshot": False,
        "supports_live_migration": False,
        "supports_migrate_to_same_host": False,
    }

    def init_host(self, host):
        """Prepare the hypervisor for this compute host (connect, create
        local directories) before the service registers itself."""
        raise NotImplementedError()

    def get_available_nodes(self):
        """The hypervisor node names this driver manages (one for libvirt)."""
        raise NotImplementedError()

    def get_available_resource(self, nodename):
        """Totals of one node, as a dict with keys vcpus, memory_mb,
        local_gb, hypervisor_type, hypervisor_version, hypervisor_hostname
        and host_ip. Usage is the conductor's business (claims), not ours."""
        raise NotImplementedError()

    def spawn(self, context, instance, image, flavor):
        """Create and start the guest of `instance` from `image` (an Image,
        or None) sized by `flavor`.

        Idempotent: a guest that already exists is started if needed, never
        created twice. Raises ImageNotFound when this host lacks the image
        file and HypervisorError when the hypervisor refuses."""
        raise NotImplementedError()

    def destroy(self, context, instance):
        """Power off and remove the guest and its local files.

        Idempotent: a guest that does not exist is not an error."""
        raise NotImplementedError()

    def get_info(self, instance):
        """The guest's power state, an int of stratus.common.vocabulary.PowerState
        (RUNNING, SHUTDOWN, ...). Raises InstanceNotFound without a guest."""
        raise NotImplementedError()

    def instance_exists(self, instance):
        """Whether the hypervisor has a guest for this instance."""
        raise NotImplementedError()

    def list_instance_uuids(self):
        """The uuids of every instance guest on this hypervisor."""
        raise NotImplementedError()

    # power and pause actions
    def power_off(self, instance, timeout=0):
        """Stop the guest: with a `timeout` (seconds), ask the guest OS to
        shut down and wait that long for it before pulling the plug.

        Idempotent: a guest already off stays off. Raises InstanceNotFound
        without a guest."""
        raise NotImplementedError()

    def power_on(self, context, instance):
        """Boot a stopped guest (a fresh boot, never a saved memory image).

        Idempotent: a running guest is left alone."""
        raise NotImplementedError()

    def reboot(self, context, instance, reboot_type):
        """Reboot the guest. "SOFT": a clean shutdown, then a boot, falling
        back to "HARD" when the guest does not shut down in time. "HARD":
        power off at once (discarding a paused or saved state), then boot."""
        raise NotImplementedError()

    def pause(self, instance):
        """Freeze the guest's vCPUs; its memory stays in place
        (capability supports_pause)."""
        raise NotImplementedError()

    def unpause(self, instance):
        """Let a paused guest run again."""
        raise NotImplementedError()

    def suspend(self, context, instance):
        """Save the guest's memory to disk and stop it (capability
        supports_suspend)."""
        raise NotImplementedError()

    def resume(self, context, instance):
        """Start a suspended guest from its saved memory."""
        raise NotImplementedError()

    # console output
    def get_console_output(self, context, instance):
        """The guest's serial console output so far (bytes);
        ConsoleNotAvailable when the guest logs none."""
        raise NotImplementedError()

    # rescue
    def rescue(self, context, instance, image):
        """Boot the guest from a new disk of `image`, its own disk second."""
        raise NotImplementedError()

    def unrescue(self, context, instance):
        """Boot the guest from its own disk again."""
        raise NotImplementedError()

    # diagnostics (admins)
    def get_instance_diagnostics(self, instance):
        """Nova's 2.48 diagnostics of the guest (InstanceNotFound without one)."""
        raise NotImplementedError()

    def get_host_uptime(self):
        """The host's `uptime` line."""
        raise NotImplementedError()

    # consoles
    def get_vnc_console(self, context, instance):
        """Where the guest's VNC server listens: {"host", "port",
        "internal_access_path"} (the path is for proxies that tunnel with
        HTTP CONNECT; None when the proxy connects straight to host:port).

        Raises InstanceNotFound without a guest, ConsoleTypeUnavailable when
        the guest has no VNC server."""
        raise NotImplementedError()

    # === snapshots, shelve and rebuild ===
    def snapshot(self, context, instance, image, target):
        """Write a standalone, bootable image of the guest's disk to the
        path `target` (a running guest keeps running). `image` is the Image
        the guest was booted from. Returns the file's disk format, or None
        when it is `image`'s own format."""
        raise NotImplementedError()

    def prepare_standalone_disk(self, context, instance, image):
        """Before spawn: make the instance's disk a full copy of `image`
        rather than an overlay on its file (an unshelved server's image is
        deleted once the guest runs). Nothing for guests without a disk."""
        raise NotImplementedError()

    # === resize, cold migration and evacuation ===
    def migrate_disk_and_power_off(self, context, instance, timeout):
        """On the source of a resize or cold migration: power the guest off
        (cleanly within `timeout` seconds) and keep its disk aside for a
        revert. Returns disk_info, a JSON dict finish_migration reads."""
        raise NotImplementedError()

    def finish_migration(self, context, instance, flavor, disk_info, power_on):
        """On the destination: define the guest with `flavor`, its disk
        taken from the source's kept one (`disk_info`), and boot it when
        `power_on`. Fails (HypervisorError) when that disk is unreachable."""
        raise NotImplementedError()

    def confirm_migration(self, context, instance, keep_guest=False):
        """On the source, once the move is confirmed: remove the old guest
        (unless `keep_guest`: a resize on one host, where the guest is the
        resized one) and the disk kept for a revert, never the
        destination's disk."""
        raise NotImplementedError()

    def finish_revert_migration(self, context, instance, flavor, power_on):
        """On the source of a reverted move: restore the kept disk, define
        the guest with the old `flavor` again, boot it when `power_on`."""
        raise NotImplementedError()

    def destroy_guest_only(self, context, instance):
        """Remove this host's guest of `instance` but none of its files: the
        guest of a server evacuated from here, whose disk another host may
        use now."""
        raise NotImplementedError()

    # === live migration ===
    def check_can_live_migrate_destination(self, context, instance, block_migration):
        """Destination: what the source needs to check the move, a dict
        ("virt_type", "dest_uri", "dest_addr", "block_migration" as asked:
        True, False or None for auto, and a "shared_marker" the source
        looks for). Clean up with cleanup_live_migration_destination_check."""
        raise NotImplementedError()

    def cleanup_live_migration_destination_check(self, context, dest_check_data):
        """Destination: drop what check_can_live_migrate_destination made."""
        raise NotImplementedError()

    def check_can_live_migrate_source(self, context, instance, dest_check_data):
        """Source: the migrate_data both hosts go by (the destination's
        data plus "block_migration" decided and "is_shared_instance_path"),
        or MigrationPreCheckError when the move cannot work."""
        raise NotImplementedError()

    def pre_live_migration(self, context, instance, image, migrate_data):
        """Destination: prepare to receive the guest (its directory, and
        what the hypervisor needs defined beforehand). Idempotent."""
        raise NotImplementedError()

    def live_migration(self, context, instance, migrate_data, on_progress):
        """Source: move the running guest to the destination, calling
        `on_progress({"memory_total", ...})` while it copies. On failure
        (HypervisorError) the guest still runs here."""
        raise NotImplementedError()

    def post_live_migration_at_destination(self, context, instance, migrate_data):
        """Destination: the guest is here; make it run as it ran on the
        source (running or paused). Returns the migration's final
        progress ({"memory_total", ...}, or {} when unknown)."""
        raise NotImplementedError()

    def post_live_migration(self, context, instance, migrate_data):
        """Source: remove what is left of the guest here, never the files
        the destination shares. Idempotent."""
        raise NotImplementedError()

    def rollback_live_migration_at_destination(self, context, instance, migrate_data):
        """Destination: the move failed; remove whatever of the guest is
        here, never the files the source shares. Idempotent."""
        raise NotImplementedError()
