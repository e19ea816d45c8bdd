"""Shelve, shelve offload and unshelve on a compute host.

Each endpoint first claims the task_state the API (or the conductor)
set, with a compare-and-swap to a state of its own: a second delivery of
the message finds that state gone and does nothing. A shelve writes its
image as a snapshot does (stratus.compute.snapshot), naming it in
system_metadata meanwhile."""
import logging

from stratus.common import exception
from stratus.common.context import get_admin_context
from stratus.common.endpoint import endpoint
from stratus.common.vocabulary import CAS_CONFLICT, PowerState, SystemMetadata, TaskState, VmState
from stratus.common.timeutils import parse_isotime, utcnow
from stratus.compute.operation import Operation
from stratus.compute.snapshot import without
from stratus.config import get_settings

LOG = logging.getLogger(__name__)

SHELVE_EVENT = "compute_shelve_instance"
OFFLOAD_EVENT = "compute_shelve_offload_instance"
UNSHELVE_EVENT = "compute_unshelve_instance"
# (claimed, captured, uploading) task_states of a shelve's snapshot.
SHELVE_STEPS = (TaskState.SHELVING_IMAGE_PENDING_UPLOAD, TaskState.SHELVING_IMAGE_PENDING_UPLOAD,
                TaskState.SHELVING_IMAGE_UPLOADING)


class Shelve(Operation):
    """Shelve, offload (at once, or periodically) and unshelve."""

    @endpoint(since="1.3")
    def shelve_instance(self, ctxt, instance, image_id, clean_shutdown=True):
        """Power the guest off, snapshot it to `image_id`, vm_state shelved;
        offloaded at once when shelved_offload_time is 0."""
        event = self.event(ctxt, SHELVE_EVENT)
        instance = self.claim(ctxt, instance, TaskState.SHELVING, SHELVE_STEPS[0], event,
                              {SystemMetadata.SHELVED_IMAGE_ID: image_id})
        if instance is None:
            return
        try:
            timeout = get_settings().shutdown_timeout if clean_shutdown else 0
            self.driver.power_off(instance, timeout)
            self.manager.snapshots.capture(ctxt, instance, image_id, SHELVE_STEPS)
        except Exception as exc:
            self._shelve_failed(ctxt, instance, image_id, event, exc)
            raise
        offload_now = get_settings().shelved_offload_time == 0
        shelved = self._shelved(ctxt, instance, image_id, event, offload_now)
        if offload_now:
            self.shelve_offload_instance(ctxt, shelved)

    def _shelved(self, ctxt, instance, image_id, event, offload_now):
        """Save the server shelved (and its event Success); claimed for its
        offload at once when `offload_now`."""
        metadata = {**(instance.system_metadata or {}),
                    SystemMetadata.SHELVED_IMAGE_ID: image_id,
                    SystemMetadata.SHELVED_AT: utcnow().isoformat(),
                    SystemMetadata.SHELVED_HOST: self.host}
        return self.update(ctxt, instance.uuid, {
            "vm_state": VmState.SHELVED, "power_state": self.power_state(instance),
            "task_state": TaskState.SHELVING_OFFLOADING if offload_now else None,
            "system_metadata": metadata}, expected_task_state=SHELVE_STEPS[2],
            event=dict(event, result="Success"))

    def _shelve_failed(self, ctxt, instance, image_id, event, exc):
        if instance.vm_state == VmState.ACTIVE:
            try:  # the server was running: it runs again, as before the shelve
                self.driver.power_on(ctxt, instance)
            except Exception:
                LOG.exception("Could not power %s on again", instance.uuid)
        self.manager.snapshots.failed(ctxt, instance, image_id, SHELVE_STEPS, event, exc,
                                      (SystemMetadata.SHELVED_IMAGE_ID,))

    @endpoint(since="1.3")
    def shelve_offload_instance(self, ctxt, instance):
        """Destroy the shelved guest, give back its claim: host and node
        None, vm_state shelved_offloaded, all in one commit."""
        current = self.conductor_api.instance_get(ctxt, instance.uuid)
        if (current.task_state != TaskState.SHELVING_OFFLOADING or current.host != self.host
                or current.vm_state != VmState.SHELVED):
            LOG.info("Offload of %s: nothing to do (%s/%s on %s)", instance.uuid,
                     current.vm_state, current.task_state, current.host)
            return
        event = self.event(ctxt, OFFLOAD_EVENT)
        self.event_start(ctxt, instance.uuid, OFFLOAD_EVENT)
        try:
            self.driver.destroy(ctxt, current)
            self.offload_commit(ctxt, current, TaskState.SHELVING_OFFLOADING, VmState.SHELVED)
        except CAS_CONFLICT as gone:
            LOG.info("Offload of %s was overtaken: %s", instance.uuid, gone)
            return
        except Exception as exc:
            self.failures.save(ctxt, current.uuid, event, exc, {"task_state": None},
                               [TaskState.SHELVING_OFFLOADING])
            raise
        self.event_finish(ctxt, instance.uuid, OFFLOAD_EVENT, "Success")

    def offload_commit(self, ctxt, instance, expected_task_state, expected_vm_state):
        """The server leaves this host: no host, no node, no claim here."""
        self.conductor_api.instance_move_commit(
            ctxt, instance.uuid, {"host": None, "node": None, "task_state": None,
                                  "vm_state": VmState.SHELVED_OFFLOADED,
                                  "power_state": PowerState.NOSTATE},
            release_node_id=self._node_id(ctxt, instance.node),
            expected_task_state=expected_task_state, expected_vm_state=expected_vm_state)

    def _node_id(self, ctxt, nodename):
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
            if _shelved_longer_than(instance, offload_time):
                self._offload_later(ctxt, instance)

    def _offload_later(self, ctxt, instance):
        try:
            claimed = self.update(ctxt, instance.uuid,
                                  {"task_state": TaskState.SHELVING_OFFLOADING},
                                  expected_task_state=[None], expected_vm_state=VmState.SHELVED)
        except CAS_CONFLICT:
            return  # an unshelve or a delete came first
        self.shelve_offload_instance(ctxt, claimed)

    @endpoint(since="1.3")
    def unshelve_instance(self, ctxt, instance):
        """Shelved here: power the guest on. Offloaded (the conductor has
        placed and claimed it here): spawn it from the shelved image. Both
        end active, the shelved image deleted."""
        event = self.event(ctxt, UNSHELVE_EVENT)
        instance = self.claim(ctxt, instance, TaskState.UNSHELVING, TaskState.SPAWNING, event,
                              vm_state=instance.vm_state)
        if instance is None:
            return
        image_id = (instance.system_metadata or {}).get(SystemMetadata.SHELVED_IMAGE_ID)
        try:
            self._unshelve_guest(ctxt, instance, image_id)
            self.update(ctxt, instance.uuid, {
                "vm_state": VmState.ACTIVE, "task_state": None,
                "power_state": self.driver.get_info(instance),
                "system_metadata": without(instance.system_metadata, SystemMetadata.SHELVED)},
                expected_task_state=TaskState.SPAWNING, event=dict(event, result="Success"))
        except Exception as exc:
            self._unshelve_failed(ctxt, instance, event, exc)
            raise
        if image_id:
            self.manager.snapshots.delete_image_quietly(ctxt, image_id)

    def _unshelve_guest(self, ctxt, instance, image_id):
        # A shelved guest lost meanwhile (libvirt's test driver loses its
        # guests with the process) is spawned from the shelved image too.
        if instance.vm_state == VmState.SHELVED and self.driver.instance_exists(instance):
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
        if instance.vm_state == VmState.SHELVED:
            self.failures.save(ctxt, instance.uuid, event, exc, {"task_state": None},
                               [TaskState.SPAWNING])
            return
        self.destroy_quietly(ctxt, instance)
        try:
            self.offload_commit(ctxt, instance, TaskState.SPAWNING, VmState.SHELVED_OFFLOADED)
        except CAS_CONFLICT as gone:
            LOG.info("Instance %s went away during its failed unshelve: %s", instance.uuid,
                     gone)
            return
        self.failures.record(ctxt, instance.uuid, UNSHELVE_EVENT, exc)


def _shelved_longer_than(instance, seconds):
    """Whether `instance` is shelved, idle, since more than `seconds`."""
    shelved_at = parse_isotime((instance.system_metadata or {}).get(SystemMetadata.SHELVED_AT))
    return (instance.vm_state == VmState.SHELVED and instance.task_state is None
            and shelved_at is not None and (utcnow() - shelved_at).total_seconds() >= seconds)
