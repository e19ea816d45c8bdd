"""A virt driver on libvirt: QEMU/KVM hosts (qemu:///system or
qemu:///session) and libvirt's test driver (test:///...), the same code
path for both."""
import os
import shutil
import socket
import threading
import xml.etree.ElementTree as ET
from pathlib import Path

import libvirt

from stratus.config import get_settings
from stratus.common import exception
from stratus.compute import config_drive
from stratus.compute.virt import driver
from stratus.compute.virt.libvirt import config as vconfig
from stratus.compute.virt.libvirt import (diagnostics, guest, live_migration, migration_disk,
                                          qemu_img, vif)
from stratus.compute.virt.libvirt import rescue as libvirt_rescue
from stratus.compute.virt.libvirt import snapshot as libvirt_snapshot
from stratus.compute.virt.libvirt.host import Host, translate_errors
from stratus.compute.virt.libvirt.layout import (DOMAIN_PREFIX, config_drive_path,
                                                 console_log_path, disk_path, domain_name,
                                                 instance_dir)
from stratus.common.timeutils import parse_isotime
from stratus.common.vocabulary import PowerState, VmState

# libvirt's virDomainState to Nova's power states.
# Nova's cap on what a console output request reads of the log.
MAX_CONSOLE_BYTES = 100 * 1024
POWER_STATES = {
    libvirt.VIR_DOMAIN_NOSTATE: PowerState.NOSTATE,
    libvirt.VIR_DOMAIN_RUNNING: PowerState.RUNNING,
    libvirt.VIR_DOMAIN_BLOCKED: PowerState.RUNNING,
    libvirt.VIR_DOMAIN_PAUSED: PowerState.PAUSED,
    libvirt.VIR_DOMAIN_SHUTDOWN: PowerState.SHUTDOWN,
    libvirt.VIR_DOMAIN_SHUTOFF: PowerState.SHUTDOWN,
    libvirt.VIR_DOMAIN_CRASHED: PowerState.CRASHED,
    libvirt.VIR_DOMAIN_PMSUSPENDED: PowerState.SUSPENDED,
}
_LOCK_STRIPES = 32


class LibvirtDriver(driver.ComputeDriver):
    """ComputeDriver on libvirt for one compute host."""

    capabilities = dict(driver.ComputeDriver.capabilities, supports_pause=True,
                        supports_suspend=True, supports_live_migration=True)

    def __init__(self, uri, host):
        self.uri = uri
        self.host = host
        self._host = Host(uri, host)
        # Spawn and destroy of one uuid must not interleave; a few striped
        # locks give that without keeping a lock per instance forever.
        self._locks = [threading.Lock() for _ in range(_LOCK_STRIPES)]

    @property
    def virt_type(self):
        if self._host.is_test:
            return "test"
        chosen = get_settings().libvirt_virt_type
        if chosen:
            return chosen
        return "kvm" if os.path.exists("/dev/kvm") else "qemu"

    @property
    def connection(self):
        """The libvirt connection (tests look guests up through it)."""
        return self._host.connection()

    def _lock_for(self, uuid):
        return self._locks[hash(uuid) % _LOCK_STRIPES]

    # host
    def init_host(self, host):
        get_settings().instances_path.mkdir(parents=True, exist_ok=True)
        self._host.connection()  # fail at start, not at the first build

    def get_available_nodes(self):
        if self._host.is_test:
            return [self.host]
        with translate_errors():
            return [self.connection.getHostname()]

    def get_available_resource(self, nodename):
        with translate_errors():
            conn = self.connection
            _model, memory_mb, vcpus, *_rest = conn.getInfo()
            hv_type, hv_version = conn.getType(), conn.getVersion()
        return {"vcpus": vcpus, "memory_mb": memory_mb, "local_gb": self._local_gb(),
                "hypervisor_type": hv_type, "hypervisor_version": hv_version,
                "hypervisor_hostname": nodename, "host_ip": self._host_ip()}

    def _local_gb(self):
        settings = get_settings()
        if self._host.is_test:
            return settings.test_host_disk_gb
        settings.instances_path.mkdir(parents=True, exist_ok=True)
        return shutil.disk_usage(settings.instances_path).total // 1024 ** 3

    def _host_ip(self):
        if self._host.is_test:
            return "127.0.0.1"
        try:
            return socket.gethostbyname(socket.gethostname())
        except OSError:
            return "127.0.0.1"

    # guests
    def spawn(self, context, instance, image, flavor):
        base = _image_path(image)
        with self._lock_for(instance.uuid), translate_errors():
            domain = self._host.lookup(instance.uuid)
            if domain is None:
                domain = self._define(instance, image, flavor, base)
            else:
                vif.plug_all(self.connection, instance)  # a redone spawn
            if not domain.isActive():
                domain.create()

    def _define(self, instance, image, flavor, base):
        disk = None
        if base is not None and not self._host.is_test:
            path = disk_path(instance.uuid)
            qemu_img.create_overlay(base, image.disk_format, path)
            disk = (str(path), "qcow2")
        memory_mb = flavor.memory_mb if flavor else instance.memory_mb
        vcpus = flavor.vcpus if flavor else instance.vcpus
        if not self._host.is_test:
            # virtlogd writes the console log there, disk or no disk.
            instance_dir(instance.uuid).mkdir(parents=True, exist_ok=True)
        xml = vconfig.domain_xml(instance.uuid, domain_name(instance.uuid), memory_mb,
                                 vcpus, self.virt_type, disk,
                                 console_log=console_log_path(instance.uuid),
                                 **self._guest_devices(instance))
        return self.connection.defineXML(xml)

    def _guest_devices(self, instance):
        """Plug the instance's ports on this host and write its config
        drive; domain_xml's arguments for both."""
        vif.plug_all(self.connection, instance)
        drive = None
        if not self._host.is_test and (instance.config_drive
                                       or get_settings().force_config_drive):
            drive = config_drive_path(instance.uuid)
            drive.parent.mkdir(parents=True, exist_ok=True)
            config_drive.build(instance, drive)
        return {"interfaces": vif.interfaces(instance), "config_drive": drive}

    def destroy(self, context, instance):
        with self._lock_for(instance.uuid), translate_errors():
            domain = self._host.lookup(instance.uuid)
            if domain is not None:
                guest.remove(domain)
            vif.unplug_all(self.connection, instance)
            shutil.rmtree(instance_dir(instance.uuid), ignore_errors=True)

    def get_info(self, instance):
        with translate_errors():
            domain = self._host.lookup(instance.uuid)
            if domain is None:
                raise exception.InstanceNotFound(instance_id=instance.uuid)
            state, _reason = domain.state()
        return POWER_STATES.get(state, PowerState.NOSTATE)

    def instance_exists(self, instance):
        with translate_errors():
            return self._host.lookup(instance.uuid) is not None

    def list_instance_uuids(self):
        with translate_errors():
            domains = self.connection.listAllDomains()
            return [d.UUIDString() for d in domains if d.name().startswith(DOMAIN_PREFIX)]

    # power and pause actions
    def _domain(self, instance):
        domain = self._host.lookup(instance.uuid)
        if domain is None:
            raise exception.InstanceNotFound(instance_id=instance.uuid)
        return domain

    def power_off(self, instance, timeout=0):
        with translate_errors():
            guest.power_off(self._domain(instance), timeout)

    def power_on(self, context, instance):
        with translate_errors():
            domain = self._domain(instance)
            # Transient networks do not outlive the host's reboot.
            vif.plug_all(self.connection, instance)
            guest.boot(domain)

    def reboot(self, context, instance, reboot_type):
        with translate_errors():
            guest.reboot(self._domain(instance), reboot_type, get_settings().shutdown_timeout)

    def pause(self, instance):
        with translate_errors():
            guest.pause(self._domain(instance))

    def unpause(self, instance):
        with translate_errors():
            guest.unpause(self._domain(instance))

    def suspend(self, context, instance):
        with translate_errors():
            guest.save(self._domain(instance))

    def resume(self, context, instance):
        with translate_errors():
            guest.restore(self._domain(instance))

    # consoles
    def get_console_output(self, context, instance):
        # The log libvirt writes for the serial port (see domain_xml);
        # guests of the test driver have no serial port.
        with translate_errors():
            xml = ET.fromstring(self._domain(instance).XMLDesc(0))
        log = xml.find("./devices/serial/log")
        path = Path(log.get("file")) if log is not None else None
        if path is None or not path.is_file():
            raise exception.ConsoleNotAvailable()
        with open(path, "rb") as handle:
            handle.seek(max(path.stat().st_size - MAX_CONSOLE_BYTES, 0))
            return handle.read()

    def rescue(self, context, instance, image):
        with self._lock_for(instance.uuid), translate_errors():
            base = None if self._host.is_test else _image_path(image)
            libvirt_rescue.rescue(self.connection, self._domain(instance), instance.uuid, base,
                                  image.disk_format)

    def unrescue(self, context, instance):
        with self._lock_for(instance.uuid), translate_errors():
            libvirt_rescue.unrescue(self.connection, self._domain(instance), instance.uuid)

    def get_instance_diagnostics(self, instance):
        with translate_errors():
            domain = self._domain(instance)
            return diagnostics.instance(domain, self.connection.getType(),
                                        parse_isotime(instance.launched_at))

    def get_host_uptime(self):
        return diagnostics.host_uptime()

    def get_vnc_console(self, context, instance):
        # Read from the live XML: libvirt picks the port (autoport) at each
        # start. libvirt's test driver runs no VNC server, so its guests are
        # defined without graphics and answer ConsoleTypeUnavailable, never
        # a port where nothing listens.
        with translate_errors():
            xml = self._domain(instance).XMLDesc(0)
        graphics = ET.fromstring(xml).find("./devices/graphics[@type='vnc']")
        port = int(graphics.get("port", -1)) if graphics is not None else -1
        if port <= 0:
            raise exception.ConsoleTypeUnavailable(console_type="vnc")
        listen = graphics.get("listen")
        # A guest listening on every address is reached at this host's own.
        host = self._host_ip() if listen in (None, "", "0.0.0.0", "::") else listen
        return {"host": host, "port": port, "internal_access_path": None}

    # === snapshots, shelve and rebuild ===
    def snapshot(self, context, instance, image, target):
        # qemu-img reads the overlay's backing file itself: only the test
        # driver's copy needs the base image's path.
        base = _image_path(image) if self._host.is_test else None
        disk = None if self._host.is_test else disk_path(instance.uuid)
        with self._lock_for(instance.uuid), translate_errors():
            return libvirt_snapshot.capture(self._domain(instance), disk, base, target)

    def prepare_standalone_disk(self, context, instance, image):
        if self._host.is_test or image is None:
            return
        path = disk_path(instance.uuid)
        with self._lock_for(instance.uuid):
            if not path.exists():  # kept by an earlier try, as create_overlay
                partial = path.with_name("disk.part")
                qemu_img.flatten(_image_path(image), partial, image.disk_format)
                partial.replace(path)

    # === resize, cold migration and evacuation ===
    def migrate_disk_and_power_off(self, context, instance, timeout):
        return migration_disk.migrate_disk_and_power_off(self, instance, timeout)

    def finish_migration(self, context, instance, flavor, disk_info, power_on):
        migration_disk.finish_migration(self, instance, flavor, disk_info, power_on)

    def confirm_migration(self, context, instance, keep_guest=False):
        migration_disk.confirm_migration(self, instance, keep_guest)

    def finish_revert_migration(self, context, instance, flavor, power_on):
        migration_disk.finish_revert_migration(self, instance, flavor, power_on)

    def destroy_guest_only(self, context, instance):
        migration_disk.undefine(self, instance.uuid)
        vif.unplug_all(self.connection, instance)

    # === live migration ===
    # The work is in stratus.compute.virt.libvirt.live_migration.
    def check_can_live_migrate_destination(self, context, instance, block_migration):
        addr = get_settings().live_migration_inbound_addr or self._host_ip()
        return {"virt_type": self.virt_type, "dest_addr": addr,
                "dest_uri": live_migration.dest_uri(addr), "block_migration": block_migration,
                "shared_marker": live_migration.create_marker()}

    def cleanup_live_migration_destination_check(self, context, dest_check_data):
        live_migration.remove_marker(dest_check_data.get("shared_marker"))

    def check_can_live_migrate_source(self, context, instance, dest_check_data):
        with translate_errors():
            domain = self._domain(instance)
            xml = domain.XMLDesc(0) if self._host.is_test else None
        has_disk = not self._host.is_test and bool(instance.image_ref)
        block, shared = live_migration.decide(dest_check_data, self.virt_type, has_disk)
        data = {k: v for k, v in dest_check_data.items() if k != "shared_marker"}
        data.update(block_migration=block, is_shared_instance_path=shared)
        if xml is not None:
            data["domain_xml"] = xml
        return data

    def pre_live_migration(self, context, instance, image, migrate_data):
        path = instance_dir(instance.uuid)
        path.mkdir(parents=True, exist_ok=True)
        with self._lock_for(instance.uuid), translate_errors():
            # The guest's XML names its networks and its config drive:
            # both must be here before it arrives.
            self._guest_devices(instance)
            if self._host.is_test:
                live_migration.define_from_source(
                    self.connection, lambda: self._host.lookup(instance.uuid), migrate_data)
            elif migrate_data.get("block_migration") and image is not None:
                # libvirt copies the disk's content into an overlay that
                # must already exist here, on the same backing image.
                qemu_img.create_overlay(_image_path(image), image.disk_format, path / "disk")
        return migrate_data

    def live_migration(self, context, instance, migrate_data, on_progress):
        if self._host.is_test:
            return  # the domain went over in migrate_data (see the module)
        with translate_errors():
            domain = self._domain(instance)
        live_migration.migrate(domain, migrate_data, on_progress)

    def post_live_migration_at_destination(self, context, instance, migrate_data):
        with self._lock_for(instance.uuid), translate_errors():
            domain = self._domain(instance)
            if self._host.is_test:
                live_migration.start_as_source(domain, instance.vm_state == VmState.PAUSED)
                return {}
        return live_migration.completed_progress(domain)

    def post_live_migration(self, context, instance, migrate_data):
        self._forget_migrated(instance, migrate_data)

    def rollback_live_migration_at_destination(self, context, instance, migrate_data):
        self._forget_migrated(instance, migrate_data)

    def _forget_migrated(self, instance, migrate_data):
        """Remove the guest from this host, and its files unless shared."""
        with self._lock_for(instance.uuid), translate_errors():
            domain = self._host.lookup(instance.uuid)
            if domain is not None:
                guest.remove(domain)
            vif.unplug_all(self.connection, instance)
        live_migration.remove_local_files(instance_dir(instance.uuid), migrate_data)


def _image_path(image):
    """The image's file in this host's image store; None without an image.

    A host that lacks the file cannot boot the image: ImageNotFound lets
    the build be rescheduled to another host."""
    if image is None or not image.file:
        return None
    path = Path(get_settings().images_path, image.file).resolve()
    if not path.is_file():
        raise exception.ImageNotFound(image_id=image.id)
    return path
