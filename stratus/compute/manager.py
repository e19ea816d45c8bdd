"""The compute manager: one hypervisor's side of the instance life cycle.

Endpoints have the names of the stratus.compute.rpcapi methods. The
manager knows nothing about Celery: it is handed a virt driver and the
conductor's rpcapi clients, and persists only through the conductor."""
import logging
import traceback

from stratus.config import get_settings
from stratus.common import exception
from stratus.compute import actions, recovery
from stratus.compute.live_migration import LiveMigrationMixin
from stratus.compute.rpcapi import ComputeAPI
from stratus.compute.resize import ResizeMixin
from stratus.compute.snapshots import SnapshotMixin
from stratus.conductor import rpcapi as conductor_rpcapi
from stratus.common.context import get_admin_context
from stratus.common.objects import Image, states
from stratus.common.timeutils import utcnow
from stratus.common.endpoint import endpoint

LOG = logging.getLogger(__name__)

BINARY = "stratus-compute"
BUILD_EVENT = "compute__do_build_and_run_instance"
TERMINATE_EVENT = "compute_terminate_instance"
# The instance was deleted (or taken over) while this host worked on it.
_GONE = (exception.UnexpectedTaskStateError, exception.InstanceNotFound)


class ComputeManager(SnapshotMixin, ResizeMixin, LiveMigrationMixin):
    """Runs instances on one host through a virt driver (moves: the mixins)."""

    def __init__(self, host, driver, conductor_api=None, compute_task_api=None,
                 compute_rpc=None):
        self.host = host
        self.driver = driver
        self.conductor_api = conductor_api or conductor_rpcapi.ConductorAPI()
        self.compute_task_api = compute_task_api or conductor_rpcapi.ComputeTaskAPI()
        # The other compute hosts (a move hands over from host to host).
        self.compute_rpc = compute_rpc or ComputeAPI()

    # service life
    def init_host(self):
        """Prepare the hypervisor, recover what a crash interrupted, then
        register the service and its node. Runs before the worker consumes
        its queue, so a message left there meets recovered instances."""
        ctxt = get_admin_context()
        self.driver.init_host(self.host)
        recovery.init_instances(self, ctxt)
        self.report_state(ctxt)
        self.update_available_resource(ctxt)

    def sync_power_states(self, ctxt=None):
        """Periodic: record libvirt's power state of this host's instances."""
        recovery.sync_power_states(self, ctxt or get_admin_context())

    def image_for(self, ctxt, instance):
        """The Image an instance was booted from, or None if it is gone."""
        if not instance.image_ref:
            return None
        try:
            return self.conductor_api.image_get(ctxt, instance.image_ref)
        except exception.ImageNotFound:
            return None

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

    # builds
    @endpoint(since="1.0")
    def build_and_run_instance(self, ctxt, instance, request_spec, alternates):
        """Spawn the instance here; on failure clean up and ask the
        conductor to reschedule it onto the alternates."""
        uuid = instance.uuid
        try:
            # vm_state too: a second delivery after the build finished (or
            # after start-up recovery failed it) must find nothing to do.
            self._update(ctxt, uuid, {"task_state": states.SPAWNING},
                         expected_task_state=[states.SCHEDULING, None],
                         expected_vm_state=states.BUILDING,
                         event={"event": BUILD_EVENT, "host": self.host,
                                "task_id": ctxt.task_id})
        except _GONE as exc:
            # Nothing made here yet, and the guest may belong to a build
            # of this instance still running: leave the hypervisor alone.
            self._abandon(ctxt, uuid, exc)
            return
        power_state = self._spawn(ctxt, instance, request_spec, alternates)
        if power_state is not None:
            self._finish_build(ctxt, instance, power_state)

    def _spawn(self, ctxt, instance, request_spec, alternates):
        """Spawn the guest; its power state, or None when rescheduled."""
        try:
            self.driver.spawn(ctxt, instance, _image_of(request_spec), instance.flavor)
            return self.driver.get_info(instance)
        except Exception as exc:  # any driver failure means "try another host"
            LOG.warning("Build of %s failed on %s: %s", instance.uuid, self.host, exc)
            self._event_finish(ctxt, instance.uuid, BUILD_EVENT, "Error",
                               traceback.format_exc())
            self.destroy_quietly(ctxt, instance)
            self._reschedule(ctxt, instance.uuid, request_spec, alternates, exc)
            return None

    def _finish_build(self, ctxt, instance, power_state):
        values = {"vm_state": states.ACTIVE, "task_state": None,
                  "power_state": power_state, "launched_at": utcnow().isoformat()}
        try:
            self._update(ctxt, instance.uuid, values, expected_task_state=states.SPAWNING,
                         event={"event": BUILD_EVENT, "host": self.host, "result": "Success",
                                "task_id": ctxt.task_id})
        except _GONE as exc:
            # Deleted while we spawned: the guest we made is ours to remove.
            self.destroy_quietly(ctxt, instance)
            self._abandon(ctxt, instance.uuid, exc)

    def _reschedule(self, ctxt, uuid, request_spec, alternates, exc):
        # As Nova: hand the instance back in `scheduling` so that the next
        # host's compare-and-swap on (scheduling, None) succeeds.
        try:
            self._update(ctxt, uuid, {"task_state": states.SCHEDULING},
                         expected_task_state=states.SPAWNING)
        except _GONE as gone:
            LOG.info("Instance %s went away during its failed build: %s", uuid, gone)
            return
        self.compute_task_api.reschedule_instance(
            ctxt, uuid, request_spec, alternates, failed_host=self.host, reason=str(exc))

    def _abandon(self, ctxt, uuid, exc):
        LOG.info("Instance %s went away while building on %s: %s", uuid, self.host, exc)
        self._event_finish(ctxt, uuid, BUILD_EVENT, "Error", str(exc))

    # deletes
    @endpoint(since="1.0")
    def terminate_instance(self, ctxt, instance):
        """Remove the guest, then have the conductor release the claim and
        soft-delete the record."""
        uuid = instance.uuid
        self._event_start(ctxt, uuid, TERMINATE_EVENT)
        self.drop_resize_source(ctxt, instance)  # issue 5: stratus.compute.resize
        try:
            self.driver.destroy(ctxt, instance)
        except Exception:
            self._event_finish(ctxt, uuid, TERMINATE_EVENT, "Error", traceback.format_exc())
            raise
        try:
            self.conductor_api.instance_destroy(ctxt, uuid)
        except exception.InstanceNotFound:
            LOG.info("Instance %s was already deleted", uuid)  # a redelivered message
        self._event_finish(ctxt, uuid, TERMINATE_EVENT, "Success")

    # power and pause actions (the mechanics are in stratus.compute.actions)
    @endpoint(since="1.1")
    def stop_instance(self, ctxt, instance):
        """A clean shutdown within shutdown_timeout, then the plug."""
        actions.run(self, ctxt, instance, actions.STOP, lambda: self.driver.power_off(
            instance, get_settings().shutdown_timeout))

    @endpoint(since="1.1")
    def start_instance(self, ctxt, instance):
        """Boot the stopped guest."""
        actions.run(self, ctxt, instance, actions.START,
                    lambda: self.driver.power_on(ctxt, instance))

    @endpoint(since="1.1")
    def reboot_instance(self, ctxt, instance, reboot_type):
        """A SOFT (clean, else hard) or HARD reboot."""
        action = actions.HARD_REBOOT if reboot_type == "HARD" else actions.SOFT_REBOOT
        actions.run(self, ctxt, instance, action,
                    lambda: self.driver.reboot(ctxt, instance, reboot_type))

    @endpoint(since="1.1")
    def pause_instance(self, ctxt, instance):
        actions.run(self, ctxt, instance, actions.PAUSE, lambda: self.driver.pause(instance))

    @endpoint(since="1.1")
    def unpause_instance(self, ctxt, instance):
        actions.run(self, ctxt, instance, actions.UNPAUSE,
                    lambda: self.driver.unpause(instance))

    @endpoint(since="1.1")
    def suspend_instance(self, ctxt, instance):
        actions.run(self, ctxt, instance, actions.SUSPEND,
                    lambda: self.driver.suspend(ctxt, instance))

    @endpoint(since="1.1")
    def resume_instance(self, ctxt, instance):
        actions.run(self, ctxt, instance, actions.RESUME,
                    lambda: self.driver.resume(ctxt, instance))

    # consoles
    @endpoint(since="1.2")
    def get_vnc_console(self, ctxt, instance, console_type):
        """Where the guest's VNC server listens (for a console token)."""
        if console_type != "novnc":
            raise exception.ConsoleTypeInvalid(console_type=console_type)
        try:
            return self.driver.get_vnc_console(ctxt, instance)
        except exception.InstanceNotFound:
            # As Nova: a guest still being built is not ready yet.
            if instance.vm_state != states.BUILDING:
                raise
            raise exception.InstanceNotReady(instance_id=instance.uuid) from None

    @endpoint(since="1.2")
    def validate_console_port(self, ctxt, instance, port, console_type):
        """Whether `port` is the guest's console port now: a token made
        before the guest restarted (libvirt may pick another port) or went
        away must not reach whatever listens on that port today."""
        if console_type != "novnc":
            return False
        try:
            console = self.driver.get_vnc_console(ctxt, instance)
        except (exception.InstanceNotFound, exception.ConsoleTypeUnavailable):
            return False
        return str(console["port"]) == str(port)

    # helpers
    def host_event(self, ctxt, name):
        """An action event of this host, run by the context's Celery task."""
        return {"event": name, "host": self.host, "task_id": ctxt.task_id}

    def claim_task(self, ctxt, instance, expected, working, event, metadata=None,
                   vm_state=None):
        """CAS the task_state from `expected` to `working`, starting the
        `event` (and adding `metadata` to system_metadata); the saved
        Instance, or None when a first delivery (or a delete) took it."""
        values = {"task_state": working}
        if metadata:
            values["system_metadata"] = dict(instance.system_metadata or {}, **metadata)
        try:
            return self._update(ctxt, instance.uuid, values, expected_task_state=[expected],
                                expected_vm_state=vm_state, event=event)
        except _GONE as exc:
            LOG.info("%s of %s: nothing to do (%s)", event["event"], instance.uuid, exc)
            return None

    def _update(self, ctxt, uuid, values, expected_task_state, event=None,
                expected_vm_state=None):
        return self.conductor_api.instance_update(ctxt, uuid, values,
                                                  expected_task_state=expected_task_state,
                                                  expected_vm_state=expected_vm_state,
                                                  event=event)

    def destroy_quietly(self, ctxt, instance):
        try:
            self.driver.destroy(ctxt, instance)
        except Exception:  # cleanup must not hide the error that caused it
            LOG.exception("Could not clean up instance %s on %s", instance.uuid, self.host)

    def _event_start(self, ctxt, uuid, event):
        self.conductor_api.action_event_start(ctxt, uuid, event, host=self.host,
                                              task_id=ctxt.task_id)

    def _event_finish(self, ctxt, uuid, event, result, tb=None):
        self.conductor_api.action_event_finish(ctxt, uuid, event, result,
                                               traceback=tb, host=self.host)


def _allocation_settings():
    settings = get_settings()
    return {"cpu_allocation_ratio": settings.cpu_allocation_ratio,
            "ram_allocation_ratio": settings.ram_allocation_ratio,
            "disk_allocation_ratio": settings.disk_allocation_ratio,
            "reserved_host_memory_mb": settings.reserved_host_memory_mb,
            "reserved_host_disk_mb": settings.reserved_host_disk_mb}


def _image_of(request_spec):
    """The request's Image; a plain dict is accepted from older senders."""
    image = (request_spec or {}).get("image")
    if isinstance(image, dict):
        return Image.from_dict(image)
    return image
