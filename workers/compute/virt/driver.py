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
