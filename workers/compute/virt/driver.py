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
        """The guest's power state, an int of workers.objects.states
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

    # consoles
    def get_vnc_console(self, context, instance):
        """Where the guest's VNC server listens: {"host", "port",
        "internal_access_path"} (the path is for proxies that tunnel with
        HTTP CONNECT; None when the proxy connects straight to host:port).

        Raises InstanceNotFound without a guest, ConsoleTypeUnavailable when
        the guest has no VNC server."""
        raise NotImplementedError()

    # === snapshots, shelve and rebuild ===

    # === resize, cold migration and evacuation ===

    # === live migration ===
