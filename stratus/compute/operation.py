"""The base of a compute host's operation objects (builds, power,
resizes...): what each works with, and the steps they all take."""
import logging

from stratus.common import exception
from stratus.common.vocabulary import CAS_CONFLICT, PowerState
from stratus.compute.failures import fault_of

LOG = logging.getLogger(__name__)


class Operation:
    """One concern of a compute host, built with the host's
    ComputeManager: it works with the manager's driver, rpc clients and
    failure recorder, and reaches the other operations through it."""

    def __init__(self, manager):
        self.manager = manager
        self.host = manager.host
        self.driver = manager.driver
        self.conductor_api = manager.conductor_api
        self.compute_task_api = manager.compute_task_api
        # The other compute hosts (a migration hands over from host to host).
        self.compute_rpc = manager.compute_rpc
        self.failures = manager.failures

    def event(self, ctxt, name):
        """An action event of this host, run by the context's Celery task."""
        return {"event": name, "host": self.host, "task_id": ctxt.task_id}

    def claim(self, ctxt, instance, expected, working, event, metadata=None, vm_state=None):
        """CAS the task_state from `expected` to `working`, starting the
        `event` (and adding `metadata` to system_metadata); the saved
        Instance, or None when a first delivery (or a delete) took it."""
        values = {"task_state": working}
        if metadata:
            values["system_metadata"] = dict(instance.system_metadata or {}, **metadata)
        try:
            return self.update(ctxt, instance.uuid, values, expected_task_state=[expected],
                               expected_vm_state=vm_state, event=event)
        except CAS_CONFLICT as exc:
            LOG.info("%s of %s: nothing to do (%s)", event["event"], instance.uuid, exc)
            return None

    def update(self, ctxt, uuid, values, expected_task_state, event=None,
               expected_vm_state=None, expected_host=None):
        """Save `values` if the task_state (and vm_state, and host) are as expected."""
        return self.conductor_api.instance_update(ctxt, uuid, values,
                                                  expected_task_state=expected_task_state,
                                                  expected_vm_state=expected_vm_state,
                                                  event=event, expected_host=expected_host)

    def event_start(self, ctxt, uuid, name):
        self.conductor_api.action_event_start(ctxt, uuid, name, host=self.host,
                                              task_id=ctxt.task_id)

    def event_finish(self, ctxt, uuid, name, result, tb=None):
        self.conductor_api.action_event_finish(ctxt, uuid, name, result, traceback=tb,
                                               host=self.host)

    def power_state(self, instance):
        """The guest's power state; NOSTATE without a guest, and the one
        last recorded when the hypervisor does not answer."""
        try:
            return self.driver.get_info(instance)
        except exception.InstanceNotFound:
            return PowerState.NOSTATE
        except Exception:  # the hypervisor does not answer: keep what we knew
            return instance.power_state

    def destroy_quietly(self, ctxt, instance):
        """Remove the guest, logging (not raising) a failure."""
        try:
            self.driver.destroy(ctxt, instance)
        except Exception:  # cleanup must not hide the error that caused it
            LOG.exception("Could not clean up instance %s on %s", instance.uuid, self.host)

    def image_for(self, ctxt, instance):
        """The Image an instance was booted from, or None if it is gone."""
        if not instance.image_ref:
            return None
        try:
            return self.conductor_api.image_get(ctxt, instance.image_ref)
        except exception.ImageNotFound:
            return None

    def update_if_unchanged(self, ctxt, instance, values):
        """Save `values` if nobody changed the instance's states since it
        was read; the saved Instance, or None."""
        try:
            return self.update(ctxt, instance.uuid, values,
                               expected_task_state=[instance.task_state],
                               expected_vm_state=instance.vm_state)
        except CAS_CONFLICT:
            return None

    def fail_migration_step(self, ctxt, instance, migration, event, exc, values, expected, status,
                   release_node_id, source_claim=None):
        """Save the failed step in one commit (the instance's `values` if
        its task_state is `expected`, the migration's `status`, the claim
        on `release_node_id` released, the source's claim settled), then
        the fault and the Error event."""
        try:
            self.conductor_api.instance_move_commit(
                ctxt, instance.uuid, values, migration_id=migration.id,
                migration_values={"status": status, "error": fault_of(exc)[1]},
                release_node_id=release_node_id, expected_task_state=expected,
                source_claim=source_claim)
        except CAS_CONFLICT as gone:
            LOG.info("Instance %s went away during its failed migration: %s", instance.uuid,
                     gone)
            return
        self.failures.record(ctxt, instance.uuid, event, exc)
