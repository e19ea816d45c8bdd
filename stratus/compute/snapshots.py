"""Snapshots (createImage), shelve, shelve offload, unshelve and
rebuild on the compute host (issue 5). A mixin of ComputeManager.

Each endpoint first claims the task_state the API (or the conductor) set,
with a compare-and-swap to a state of its own: a second delivery of the
message finds that state gone and does nothing. The image a snapshot or
a shelve is writing is named in system_metadata while it is written, so
that start-up recovery (stratus.compute.recovery) can remove it."""
import logging
import traceback

from stratus.config import get_settings
from stratus.common import exception
from stratus.compute import actions, image_store
from stratus.common.context import get_admin_context
from stratus.common.objects import states
from stratus.common.timeutils import parse_isotime, utcnow
from stratus.common.endpoint import endpoint

LOG = logging.getLogger(__name__)


SNAPSHOT_EVENT = "compute_snapshot_instance"
SHELVE_EVENT = "compute_shelve_instance"
OFFLOAD_EVENT = "compute_shelve_offload_instance"
UNSHELVE_EVENT = "compute_unshelve_instance"
REBUILD_EVENT = "compute_rebuild_instance"
# system_metadata keys: the image being written, and what a shelve keeps.
SNAPSHOT_KEY = "snapshot_image_id"
SHELVED_KEYS = ("shelved_image_id", "shelved_at", "shelved_host")
# (claimed, captured, uploading) task_states of each kind of snapshot.
SNAPSHOT_STEPS = (states.IMAGE_SNAPSHOT, states.IMAGE_PENDING_UPLOAD, states.IMAGE_UPLOADING)
SHELVE_STEPS = (states.SHELVING_IMAGE_PENDING_UPLOAD, states.SHELVING_IMAGE_PENDING_UPLOAD,
                states.SHELVING_IMAGE_UPLOADING)
_GONE = (exception.UnexpectedTaskStateError, exception.InstanceNotFound)


def _without(metadata, keys):
    return {k: v for k, v in (metadata or {}).items() if k not in keys}


class SnapshotMixin:
    """Snapshot, shelve and rebuild endpoints of ComputeManager."""

    # createImage
    @endpoint(since="1.3")
    def snapshot_instance(self, ctxt, instance, image_id):
        """Write the guest's disk to the image `image_id` (queued → saving
        → active); task_state image_snapshot_pending → ... → None."""
        event = self.host_event(ctxt, SNAPSHOT_EVENT)
        instance = self.claim_task(ctxt, instance, states.IMAGE_SNAPSHOT_PENDING,
                               states.IMAGE_SNAPSHOT, event, {SNAPSHOT_KEY: image_id})
        if instance is None:
            return
        try:
            self._capture_and_store(ctxt, instance, image_id, SNAPSHOT_STEPS)
            self._update(ctxt, instance.uuid, {
                "task_state": None, "power_state": actions.read_power_state(self, instance),
                "system_metadata": _without(instance.system_metadata, (SNAPSHOT_KEY,))},
                expected_task_state=states.IMAGE_UPLOADING, event=dict(event, result="Success"))
        except Exception as exc:
            self._snapshot_failed(ctxt, instance, image_id, SNAPSHOT_STEPS, event, exc,
                                  (SNAPSHOT_KEY,))
            raise

    def _capture_and_store(self, ctxt, instance, image_id, steps):
        claimed, captured, uploading = steps
        staged = image_store.staging_path(image_id)
        base = self.image_for(ctxt, instance)
        disk_format = self.driver.snapshot(ctxt, instance, base, staged)
        disk_format = disk_format or (base.disk_format if base else "raw")
        if captured != claimed:
            self._update(ctxt, instance.uuid, {"task_state": captured},
                         expected_task_state=claimed)
        self._update(ctxt, instance.uuid, {"task_state": uploading},
                     expected_task_state=captured)
        self.conductor_api.image_update(ctxt, image_id, {"status": "saving"})
        values = image_store.store(image_id, staged, disk_format)
        self.conductor_api.image_update(ctxt, image_id, dict(values, status="active"))

    def _snapshot_failed(self, ctxt, instance, image_id, steps, event, exc, keys):
        """The image is removed, the task_state cleared, an Error event and
        a fault say why; the server is otherwise left as it was."""
        LOG.warning("Snapshot of %s on %s failed: %s", instance.uuid, self.host, exc)
        self.delete_image_quietly(ctxt, image_id)
        values = {"task_state": None, "power_state": actions.read_power_state(self, instance),
                  "system_metadata": _without(instance.system_metadata, keys)}
        self._record_failure(ctxt, instance, values, list(steps), event, exc)

    def _record_failure(self, ctxt, instance, values, expected, event, exc):
        tb = traceback.format_exc()
        code, message = actions.fault_of(exc)
        try:
            self._update(ctxt, instance.uuid, values, expected_task_state=expected,
                         event=dict(event, result="Error", traceback=tb, details=message))
        except _GONE as gone:
            LOG.info("Instance %s went away meanwhile: %s", instance.uuid, gone)
            return
        self.conductor_api.instance_fault_create(ctxt, instance.uuid, code, message,
                                                 details=tb if code == 500 else None,
                                                 host=self.host)

    def delete_image_quietly(self, ctxt, image_id):
        """Forget an image, record and file (a failed snapshot's, or a
        shelved image no longer needed); cleanup never raises."""
        try:
            record = self.conductor_api.image_get(ctxt, image_id)
            file_name = record.file
        except exception.ImageNotFound:
            file_name = None
        try:
            image_store.remove(image_id, file_name)
            self.conductor_api.image_delete(ctxt, image_id)
        except Exception:  # cleanup must not hide the error that caused it
            LOG.exception("Could not delete image %s", image_id)

    # shelve
    @endpoint(since="1.3")
    def shelve_instance(self, ctxt, instance, image_id, clean_shutdown=True):
        """Power the guest off, snapshot it to `image_id`, vm_state shelved;
        offloaded at once when shelved_offload_time is 0."""
        event = self.host_event(ctxt, SHELVE_EVENT)
        instance = self.claim_task(ctxt, instance, states.SHELVING, SHELVE_STEPS[0], event,
                               {"shelved_image_id": image_id})
        if instance is None:
            return
        try:
            timeout = get_settings().shutdown_timeout if clean_shutdown else 0
            self.driver.power_off(instance, timeout)
            self._capture_and_store(ctxt, instance, image_id, SHELVE_STEPS)
        except Exception as exc:
            self._shelve_failed(ctxt, instance, image_id, event, exc)
            raise
        offload_now = get_settings().shelved_offload_time == 0
        metadata = dict(instance.system_metadata or {}, shelved_image_id=image_id,
                        shelved_at=utcnow().isoformat(), shelved_host=self.host)
        shelved = self._update(ctxt, instance.uuid, {
            "vm_state": states.SHELVED, "power_state": actions.read_power_state(self, instance),
            "task_state": states.SHELVING_OFFLOADING if offload_now else None,
            "system_metadata": metadata}, expected_task_state=SHELVE_STEPS[2],
            event=dict(event, result="Success"))
        if offload_now:
            self.shelve_offload_instance(ctxt, shelved)

    def _shelve_failed(self, ctxt, instance, image_id, event, exc):
        if instance.vm_state == states.ACTIVE:
            try:  # the server was running: it runs again, as before the shelve
                self.driver.power_on(ctxt, instance)
            except Exception:
                LOG.exception("Could not power %s on again", instance.uuid)
        self._snapshot_failed(ctxt, instance, image_id, SHELVE_STEPS, event, exc,
                              ("shelved_image_id",))

    @endpoint(since="1.3")
    def shelve_offload_instance(self, ctxt, instance):
        """Destroy the shelved guest, give back its claim: host and node
        None, vm_state shelved_offloaded, all in one commit."""
        current = self.conductor_api.instance_get(ctxt, instance.uuid)
        if (current.task_state != states.SHELVING_OFFLOADING or current.host != self.host
                or current.vm_state != states.SHELVED):
            LOG.info("Offload of %s: nothing to do (%s/%s on %s)", instance.uuid,
                     current.vm_state, current.task_state, current.host)
            return
        event = self.host_event(ctxt, OFFLOAD_EVENT)
        self._event_start(ctxt, instance.uuid, OFFLOAD_EVENT)
        try:
            self.driver.destroy(ctxt, current)
            self.offload_commit(ctxt, current, states.SHELVING_OFFLOADING, states.SHELVED)
        except _GONE as gone:
            LOG.info("Offload of %s was overtaken: %s", instance.uuid, gone)
            return
        except Exception as exc:
            self._record_failure(ctxt, current, {"task_state": None},
                                 [states.SHELVING_OFFLOADING], event, exc)
            raise
        self._event_finish(ctxt, instance.uuid, OFFLOAD_EVENT, "Success")

    def offload_commit(self, ctxt, instance, expected_task_state, expected_vm_state):
        """The server leaves this host: no host, no node, no claim here."""
        self.conductor_api.instance_move_commit(
            ctxt, instance.uuid, {"host": None, "node": None, "task_state": None,
                                  "vm_state": states.SHELVED_OFFLOADED,
                                  "power_state": states.NOSTATE},
            release_node_id=self.node_id(ctxt, instance.node),
            expected_task_state=expected_task_state, expected_vm_state=expected_vm_state)

    def node_id(self, ctxt, nodename):
        """The id of this host's compute node `nodename` (claims are by id)."""
        for node in self.conductor_api.compute_node_get_all(ctxt):
            if node.host == self.host and node.hypervisor_hostname == nodename:
                return node.id
        raise exception.ComputeHostNotFound(host=f"{self.host}/{nodename}")

    def offload_shelved_instances(self, ctxt=None):
        """Periodic: offload the servers shelved here longer than
        shelved_offload_time seconds (never when it is -1)."""
        ctxt = ctxt or get_admin_context()
        offload_time = get_settings().shelved_offload_time
        if offload_time <= 0:
            return  # 0: offloaded by the shelve itself; -1: never
        for instance in self.conductor_api.instance_get_all(ctxt, filters={"host": self.host}):
            shelved_at = parse_isotime((instance.system_metadata or {}).get("shelved_at"))
            if (instance.vm_state != states.SHELVED or instance.task_state is not None
                    or shelved_at is None
                    or (utcnow() - shelved_at).total_seconds() < offload_time):
                continue
            try:
                claimed = self._update(ctxt, instance.uuid,
                                       {"task_state": states.SHELVING_OFFLOADING},
                                       expected_task_state=[None],
                                       expected_vm_state=states.SHELVED)
            except _GONE:
                continue  # an unshelve or a delete came first
            self.shelve_offload_instance(ctxt, claimed)

    # unshelve
    @endpoint(since="1.3")
    def unshelve_instance(self, ctxt, instance):
        """Shelved here: power the guest on. Offloaded (the conductor has
        placed and claimed it here): spawn it from the shelved image. Both
        end active, the shelved image deleted."""
        event = self.host_event(ctxt, UNSHELVE_EVENT)
        instance = self.claim_task(ctxt, instance, states.UNSHELVING, states.SPAWNING, event,
                               vm_state=instance.vm_state)
        if instance is None:
            return
        image_id = (instance.system_metadata or {}).get("shelved_image_id")
        try:
            self._unshelve_guest(ctxt, instance, image_id)
            self._update(ctxt, instance.uuid, {
                "vm_state": states.ACTIVE, "task_state": None,
                "power_state": self.driver.get_info(instance),
                "system_metadata": _without(instance.system_metadata, SHELVED_KEYS)},
                expected_task_state=states.SPAWNING, event=dict(event, result="Success"))
        except Exception as exc:
            self._unshelve_failed(ctxt, instance, event, exc)
            raise
        if image_id:
            self.delete_image_quietly(ctxt, image_id)

    def _unshelve_guest(self, ctxt, instance, image_id):
        # A shelved guest lost meanwhile (libvirt's test driver loses its
        # guests with the process) is spawned from the shelved image too.
        if instance.vm_state == states.SHELVED and self.driver.instance_exists(instance):
            self.driver.power_on(ctxt, instance)
            return
        image = self.conductor_api.image_get(ctxt, image_id) if image_id else None
        # The guest must not depend on the shelved image's file, which is
        # deleted once it runs.
        self.driver.prepare_standalone_disk(ctxt, instance, image)
        self.driver.spawn(ctxt, instance, image, instance.flavor)

    def _unshelve_failed(self, ctxt, instance, event, exc):
        """Nova's behaviour: back to where the unshelve started, with a
        fault; an offloaded server gives its new host and claim back."""
        LOG.warning("Unshelve of %s on %s failed: %s", instance.uuid, self.host, exc)
        if instance.vm_state == states.SHELVED:
            self._record_failure(ctxt, instance, {"task_state": None}, [states.SPAWNING],
                                 event, exc)
            return
        self.destroy_quietly(ctxt, instance)
        tb = traceback.format_exc()
        try:
            self.offload_commit(ctxt, instance, states.SPAWNING, states.SHELVED_OFFLOADED)
        except _GONE:
            return
        code, message = actions.fault_of(exc)
        self.conductor_api.instance_fault_create(ctxt, instance.uuid, code, message,
                                                 details=tb if code == 500 else None,
                                                 host=self.host)
        self._event_finish(ctxt, instance.uuid, UNSHELVE_EVENT, "Error", tb)

    # rebuild
    @endpoint(since="1.3")
    def rebuild_instance(self, ctxt, instance, image_id, preserve_ephemeral=False):
        """Destroy the guest and its disk, spawn it again from `image_id`
        with the server's flavor; ends active (stopped if it was stopped)."""
        event = self.host_event(ctxt, REBUILD_EVENT)
        instance = self.claim_task(ctxt, instance, states.REBUILDING, states.REBUILD_SPAWNING,
                               event, vm_state=instance.vm_state)
        if instance is None:
            return
        try:
            image = self.conductor_api.image_get(ctxt, image_id)
            self.driver.destroy(ctxt, instance)
            self.driver.spawn(ctxt, instance, image, instance.flavor)
            stopped = instance.vm_state == states.STOPPED
            if stopped:
                self.driver.power_off(instance, 0)
            self._update(ctxt, instance.uuid, {
                "vm_state": states.STOPPED if stopped else states.ACTIVE, "task_state": None,
                "image_ref": image_id, "power_state": self.driver.get_info(instance),
                "launched_at": utcnow().isoformat()},
                expected_task_state=states.REBUILD_SPAWNING, event=dict(event, result="Success"))
        except Exception as exc:
            LOG.warning("Rebuild of %s on %s failed: %s", instance.uuid, self.host, exc)
            self._record_failure(ctxt, instance, {
                "vm_state": states.ERROR, "task_state": None,
                "power_state": actions.read_power_state(self, instance)},
                [states.REBUILD_SPAWNING], event, exc)
            raise
