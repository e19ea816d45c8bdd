"""Builds on a compute host: a guest made from an image (a build, or a
rebuild in place) and removed (a delete).

A build is saved once, at its end: the save expects the instance still
building, still in the task_state the conductor handed it over in, and
still on this host, so that a delete or a move meanwhile wins (the guest
made here is then removed). While it runs, the host's build mark
(stratus.compute.build_marks) keeps a second delivery of its message from
building it too, and tells start-up recovery that it had started. A
message that may have run before (redelivered, or a guest of the
instance already here), a conductor too old to check the host, or
instance files shared with other hosts make the build claim the instance
first, with a compare-and-swap to spawning, as every other endpoint does
with the task_state the API or the conductor set: a second delivery then
finds the task taken and does nothing."""
import logging

from stratus.common import exception
from stratus.common.endpoint import endpoint
from stratus.common.objects import Image
from stratus.common.vocabulary import CAS_CONFLICT, TaskState, VmState
from stratus.common.timeutils import utcnow
from stratus.compute.operation import Operation
from stratus.compute.saves import OUTAGES
from stratus.conductor.rpcapi import HOST_CHECKED_SAVE
from stratus.config import get_settings

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
        """Spawn the instance here and save it active; on failure clean up
        and ask the conductor to reschedule it onto the alternates."""
        with self.manager.build_marks.taken(instance.uuid) as taken:
            if not taken:
                LOG.info("Build of %s is already under way on %s", instance.uuid, self.host)
                return
            started = utcnow().isoformat()
            claimed = self._claims_first(ctxt, instance)
            if claimed and not self._claim(ctxt, instance):
                return
            power_state = self._spawn(ctxt, instance, request_spec, alternates, claimed)
            if power_state is not None:
                self._finish(ctxt, instance, power_state, claimed, started)

    def _claims_first(self, ctxt, instance):
        """Whether this build must claim the instance before it spawns."""
        if ctxt.redelivered:
            LOG.info("Build of %s was delivered before: %s claims it first",
                     instance.uuid, self.host)
            return True
        return (not self.conductor_api.can_send_version(HOST_CHECKED_SAVE)
                # The reaper may move a build of a host it thinks down; its
                # guest here must not share files with the new host's.
                or get_settings().live_migration_shared_storage
                or self.driver.instance_exists(instance))

    def _claim(self, ctxt, instance):
        """scheduling (or None) -> spawning, starting this host's event;
        False when the build is not ours (any more) to run."""
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
            return False
        return True

    def _spawn(self, ctxt, instance, request_spec, alternates, claimed):
        """Spawn the guest; its power state, or None when rescheduled."""
        try:
            self.driver.spawn(ctxt, instance, _image_of(request_spec), instance.flavor)
            return self.driver.get_info(instance)
        except Exception as exc:  # any driver failure means "try another host"
            LOG.warning("Build of %s failed on %s: %s", instance.uuid, self.host, exc)
            # Claimed late, the failure is recorded as a claimed build's.
            if not claimed and not self._claim(ctxt, instance):
                self.destroy_quietly(ctxt, instance)
                return None
            self.failures.event_error(ctxt, instance.uuid, BUILD_EVENT)
            self.destroy_quietly(ctxt, instance)
            self._reschedule(ctxt, instance.uuid, request_spec, alternates, exc)
            return None

    def _finish(self, ctxt, instance, power_state, claimed, started):
        values = {"vm_state": VmState.ACTIVE, "task_state": None,
                  "power_state": power_state, "launched_at": utcnow().isoformat()}
        event = dict(self.event(ctxt, BUILD_EVENT), result="Success")
        try:
            if claimed:
                self.update(ctxt, instance.uuid, values, expected_task_state=TaskState.SPAWNING,
                            event=event)
            else:
                self.update(ctxt, instance.uuid, values,
                            expected_task_state=[TaskState.SCHEDULING, None],
                            expected_vm_state=VmState.BUILDING, expected_host=self.host,
                            event=dict(event, start=True, started_at=started))
        except CAS_CONFLICT as exc:
            # Deleted (or moved) while we spawned: the guest we made is ours to remove.
            self.destroy_quietly(ctxt, instance)
            self._abandon(ctxt, instance.uuid, exc, start_event=not claimed)
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

    def _abandon(self, ctxt, uuid, exc, start_event=False):
        """End the build's event "Error"; `start_event`: start it first,
        for an unclaimed build whose one save (which starts it) lost."""
        LOG.info("Instance %s went away while building on %s: %s", uuid, self.host, exc)
        if start_event:
            self.event_start(ctxt, uuid, BUILD_EVENT)
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
