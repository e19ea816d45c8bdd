"""Builds on a compute host: a guest made from an image (a build, or a
rebuild in place) and removed (a delete).

Each endpoint first claims the task_state the API or the conductor set,
with a compare-and-swap: a second delivery of its message (Celery's
acks_late) finds the task taken and does nothing."""
import logging

from stratus.common import exception
from stratus.common.endpoint import endpoint
from stratus.common.objects import Image
from stratus.common.vocabulary import CAS_CONFLICT, TaskState, VmState
from stratus.common.timeutils import utcnow
from stratus.compute.operation import Operation
from stratus.compute.saves import OUTAGES

LOG = logging.getLogger(__name__)

BUILD_EVENT = "compute__do_build_and_run_instance"
TERMINATE_EVENT = "compute_terminate_instance"
REBUILD_EVENT = "compute_rebuild_instance"


def _image_of(request_spec):
    """The request's Image; a plain dict is accepted from older senders."""
    image = (request_spec or {}).get("image")
    if isinstance(image, dict):
        return Image.from_dict(image)
    return image


class Build(Operation):
    """Build, rebuild and delete of a compute host's guests."""

    @endpoint(since="1.0")
    def build_and_run_instance(self, ctxt, instance, request_spec, alternates):
        """Spawn the instance here; on failure clean up and ask the
        conductor to reschedule it onto the alternates."""
        try:
            # vm_state too: a second delivery after the build finished (or
            # after start-up recovery failed it) must find nothing to do.
            # The conductor also takes this claim only from the host the
            # build is on: one moved away while this host was down is not ours.
            self.update(ctxt, instance.uuid, {"task_state": TaskState.SPAWNING},
                        expected_task_state=[TaskState.SCHEDULING, None],
                        expected_vm_state=VmState.BUILDING,
                        event=self.event(ctxt, BUILD_EVENT))
        except CAS_CONFLICT as exc:
            # Nothing made here yet, and the guest may belong to a build
            # of this instance still running: leave the hypervisor alone.
            self._abandon(ctxt, instance.uuid, exc)
            return
        power_state = self._spawn(ctxt, instance, request_spec, alternates)
        if power_state is not None:
            self._finish(ctxt, instance, power_state)

    def _spawn(self, ctxt, instance, request_spec, alternates):
        """Spawn the guest; its power state, or None when rescheduled."""
        try:
            self.driver.spawn(ctxt, instance, _image_of(request_spec), instance.flavor)
            return self.driver.get_info(instance)
        except Exception as exc:  # any driver failure means "try another host"
            LOG.warning("Build of %s failed on %s: %s", instance.uuid, self.host, exc)
            self.failures.event_error(ctxt, instance.uuid, BUILD_EVENT)
            self.destroy_quietly(ctxt, instance)
            self._reschedule(ctxt, instance.uuid, request_spec, alternates, exc)
            return None

    def _finish(self, ctxt, instance, power_state):
        values = {"vm_state": VmState.ACTIVE, "task_state": None,
                  "power_state": power_state, "launched_at": utcnow().isoformat()}
        try:
            self.update(ctxt, instance.uuid, values, expected_task_state=TaskState.SPAWNING,
                        event=dict(self.event(ctxt, BUILD_EVENT), result="Success"))
        except CAS_CONFLICT as exc:
            # Deleted while we spawned: the guest we made is ours to remove.
            self.destroy_quietly(ctxt, instance)
            self._abandon(ctxt, instance.uuid, exc)
        except OUTAGES:
            # The save could not land within its retry window: the reaper
            # will fail this build, and no ERROR server may keep a running
            # guest, so the guest goes too.
            LOG.error("Build of %s on %s could not be saved; removing its guest",
                      instance.uuid, self.host)
            self.destroy_quietly(ctxt, instance)
            raise

    def _reschedule(self, ctxt, uuid, request_spec, alternates, exc):
        # As Nova: hand the instance back in `scheduling` so that the next
        # host's compare-and-swap on (scheduling, None) succeeds.
        try:
            self.update(ctxt, uuid, {"task_state": TaskState.SCHEDULING},
                        expected_task_state=TaskState.SPAWNING)
        except CAS_CONFLICT as gone:
            LOG.info("Instance %s went away during its failed build: %s", uuid, gone)
            return
        self.compute_task_api.reschedule_instance(
            ctxt, uuid, request_spec, alternates, failed_host=self.host, reason=str(exc))

    def _abandon(self, ctxt, uuid, exc):
        LOG.info("Instance %s went away while building on %s: %s", uuid, self.host, exc)
        self.event_finish(ctxt, uuid, BUILD_EVENT, "Error", str(exc))

    @endpoint(since="1.0")
    def terminate_instance(self, ctxt, instance):
        """Remove the guest, then have the conductor release the claim and
        soft-delete the record."""
        uuid = instance.uuid
        self.event_start(ctxt, uuid, TERMINATE_EVENT)
        self.manager.resizes.drop_resize_source(ctxt, instance)
        try:
            self.driver.destroy(ctxt, instance)
        except Exception:
            self.failures.event_error(ctxt, uuid, TERMINATE_EVENT)
            raise
        try:
            self.conductor_api.instance_destroy(ctxt, uuid)
        except exception.InstanceNotFound:
            LOG.info("Instance %s was already deleted", uuid)  # a redelivered message
        self.event_finish(ctxt, uuid, TERMINATE_EVENT, "Success")

    @endpoint(since="1.3")
    def rebuild_instance(self, ctxt, instance, image_id, preserve_ephemeral=False):
        """Destroy the guest and its disk, spawn it again from `image_id`
        with the server's flavor; ends active (stopped if it was stopped)."""
        event = self.event(ctxt, REBUILD_EVENT)
        instance = self.claim(ctxt, instance, TaskState.REBUILDING, TaskState.REBUILD_SPAWNING,
                              event, vm_state=instance.vm_state)
        if instance is None:
            return
        try:
            self._respawn(ctxt, instance, image_id, event)
        except Exception as exc:
            self.failures.save(ctxt, instance.uuid, event, exc, {
                "vm_state": VmState.ERROR, "task_state": None,
                "power_state": self.power_state(instance)}, [TaskState.REBUILD_SPAWNING])
            raise

    def _respawn(self, ctxt, instance, image_id, event):
        image = self.conductor_api.image_get(ctxt, image_id)
        self.driver.destroy(ctxt, instance)
        self.driver.spawn(ctxt, instance, image, instance.flavor)
        stopped = instance.vm_state == VmState.STOPPED
        if stopped:
            self.driver.power_off(instance, 0)
        self.update(ctxt, instance.uuid, {
            "vm_state": VmState.STOPPED if stopped else VmState.ACTIVE, "task_state": None,
            "image_ref": image_id, "power_state": self.driver.get_info(instance),
            "launched_at": utcnow().isoformat()},
            expected_task_state=TaskState.REBUILD_SPAWNING, event=dict(event, result="Success"))
