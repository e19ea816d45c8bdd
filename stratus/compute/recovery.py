"""A compute host makes the database agree with its hypervisor: at start
(Nova's init_host/_init_instance) nothing interrupted by a crash stays
half-done, and periodically the power states are synced from libvirt.

Every save is a compare-and-swap on the state that was read, so an action
that starts meanwhile wins and is never overwritten."""
import logging

from stratus.common import exception
from stratus.common.objects import Instance
from stratus.common.vocabulary import CAS_CONFLICT, PowerState, TaskState, VmState
from stratus.compute.migration_recovery import MigrationRecovery
from stratus.compute.operation import Operation
from stratus.compute.snapshot_recovery import SnapshotRecovery
from stratus.conductor.rpcapi import HOST_CHECKED_SAVE
from stratus.config import get_settings

LOG = logging.getLogger(__name__)

INTERRUPTED = "Build of instance {uuid} was interrupted by a restart of compute host {host}"
# Transitions whose work is not worth redoing: the state is reset and the
# power-state sync records where the guest really is.
_RESET = (TaskState.PAUSING, TaskState.UNPAUSING, TaskState.SUSPENDING, TaskState.RESUMING)
_HARD_REBOOTS = (TaskState.REBOOTING_HARD, TaskState.REBOOT_PENDING_HARD,
                 TaskState.REBOOT_STARTED_HARD)
_REBOOTS = (TaskState.REBOOTING, TaskState.REBOOT_PENDING,
            TaskState.REBOOT_STARTED) + _HARD_REBOOTS
_OFF = (PowerState.SHUTDOWN, PowerState.CRASHED)
# An interrupted action still has its task_state: running it again
# finishes it (each action's save expects that task_state).
_REDO = _REBOOTS + (TaskState.POWERING_OFF, TaskState.POWERING_ON, TaskState.SOFT_DELETING,
                    TaskState.RESTORING)
# A build in these task_states was only queued here unless this host holds
# its build mark: build_and_run_instance has not claimed it (its
# compare-and-swap takes exactly these to spawning) and, without the mark,
# has not started it unclaimed either, so no guest was made, and its
# message, acknowledged only once run, is still in this host's queue.
_QUEUED = (TaskState.SCHEDULING, None)


class Recovery(Operation):
    """Start-up recovery and the power-state sync of a compute host; the
    rules for migrations and for snapshots, shelve and rebuild are its
    `migrations` and `snapshots`."""

    def __init__(self, manager):
        super().__init__(manager)
        self.migrations = MigrationRecovery(manager)
        self.snapshots = SnapshotRecovery(manager)

    def init_instances(self, ctxt):
        """Recover every instance of this host, then deal with the guests
        that no instance of this host accounts for; the build marks a crash
        left are read first and dropped last."""
        marks = self.manager.build_marks
        started = marks.held()
        self.migrations.destroy_evacuated_guests(ctxt)
        self.migrations.recover_incoming(ctxt)
        mine = self.conductor_api.instance_get_all(ctxt, filters={"host": self.host})
        for instance in mine:
            try:
                self._init_instance(ctxt, instance, started)
            except Exception:  # one broken instance must not keep the host down
                LOG.exception("Could not recover instance %s on %s", instance.uuid, self.host)
        self.handle_unknown_guests(ctxt, {i.uuid for i in mine}, started)
        for uuid in started:
            marks.release(uuid)

    def _init_instance(self, ctxt, instance, started):
        building = instance.vm_state == VmState.BUILDING
        if instance.task_state == TaskState.DELETING:
            LOG.info("Finishing the interrupted delete of %s", instance.uuid)
            self.manager.builds.terminate_instance(ctxt, instance)
        elif building and instance.task_state in _QUEUED and instance.uuid not in started:
            LOG.info("Build of %s is queued here: its message will run it", instance.uuid)
        elif building:
            self._fail_interrupted_build(ctxt, instance)
        elif (self.snapshots.recover(ctxt, instance)
              or self.migrations.recover(ctxt, instance)):
            pass
        elif instance.task_state == TaskState.MIGRATING:
            self.manager.live_migrations.recover(ctxt, instance)
        elif instance.task_state in _REDO:
            self._redo(ctxt, instance)
        else:
            self._settle(ctxt, instance)

    def _redo(self, ctxt, instance):
        LOG.info("Redoing the interrupted %s of %s", instance.task_state, instance.uuid)
        if not self.driver.instance_exists(instance):
            # The test driver's guests die with the compute process: the
            # guest is made again so that the action has one to act on.
            self.driver.spawn(ctxt, instance, self.image_for(ctxt, instance), instance.flavor)
        power = self.manager.power
        if instance.task_state == TaskState.POWERING_OFF:
            power.stop_instance(ctxt, instance)
        elif instance.task_state == TaskState.POWERING_ON:
            power.start_instance(ctxt, instance)
        elif instance.task_state == TaskState.SOFT_DELETING:
            power.soft_delete_instance(ctxt, instance)
        elif instance.task_state == TaskState.RESTORING:
            power.restore_instance(ctxt, instance)
        else:
            hard = instance.task_state in _HARD_REBOOTS
            power.reboot_instance(ctxt, instance, "HARD" if hard else "SOFT")

    def _settle(self, ctxt, instance):
        """An idle instance, or one in a transition not worth redoing."""
        if instance.task_state in _RESET:
            instance = self.update_if_unchanged(ctxt, instance, {"task_state": None})
        if instance is not None:
            self._resume_guest(ctxt, instance)
            self.sync_instance(ctxt, instance)

    def _fail_interrupted_build(self, ctxt, instance):
        """Nova's rule: a build this host had started (claimed: spawning;
        or unclaimed, with its build mark left here) when it stopped is
        failed and its guest, if any, removed; a second delivery of its
        message then finds nothing to do (redelivered, it claims first,
        and its claim expects vm_state building)."""
        # On this host still: the reaper may move an unclaimed build of a
        # host it thinks down (conductors capped below 1.14 check no host,
        # but then no build went unclaimed).
        checked = self.conductor_api.can_send_version(HOST_CHECKED_SAVE)
        try:
            self.update(ctxt, instance.uuid, {"vm_state": VmState.ERROR, "task_state": None},
                        expected_task_state=[instance.task_state],
                        expected_vm_state=VmState.BUILDING,
                        expected_host=self.host if checked else None)
        except CAS_CONFLICT:
            return
        self.destroy_quietly(ctxt, instance)
        self.failures.interrupted(ctxt, instance.uuid,
                                  INTERRUPTED.format(uuid=instance.uuid, host=self.host))

    def _resume_guest(self, ctxt, instance):
        """Start the guest of an instance that should be running but is not
        (after a host reboot; with the test driver, after any restart)."""
        if (instance.vm_state != VmState.ACTIVE
                or not get_settings().resume_guests_state_on_host_boot):
            return
        if self.power_state(instance) == PowerState.RUNNING:
            return
        LOG.info("Starting the guest of %s again", instance.uuid)
        try:
            self.driver.spawn(ctxt, instance, self.image_for(ctxt, instance), instance.flavor)
        except exception.StratusException as exc:
            LOG.warning("Could not start the guest of %s: %s", instance.uuid, exc)

    def handle_unknown_guests(self, ctxt, known, started=frozenset()):
        """Guests on the hypervisor that no instance of this host accounts for.

        A guest whose instance is deleted is reaped, logged or left alone as
        running_deleted_instance_action says (Nova's option). A guest with no
        record at all is reported, and reaped only with reap_unknown_guests: a
        daemon may hold guests that are not this cloud's. A guest whose
        instance lives on another host is only logged, unless this host made
        it for a build that moved while this host was down (its build mark
        is in `started`): that one is reaped."""
        strangers = [uuid for uuid in self.driver.list_instance_uuids() if uuid not in known]
        if not strangers:
            return
        records = {i.uuid: i for i in self.conductor_api.instance_get_all(
            ctxt, filters={"uuid": strangers, "deleted": True})}
        for uuid in strangers:
            if self._reapable(uuid, records.get(uuid), uuid in started):
                LOG.warning("Reaping guest %s", uuid)
                self.destroy_quietly(ctxt, _stub(uuid))

    @staticmethod
    def _reapable(uuid, record, built_here):
        settings = get_settings()
        if record is not None and not record.deleted:
            if built_here:
                LOG.warning("Guest %s was made here for a build that moved to host %s",
                            uuid, record.host)
                return True
            LOG.warning("Guest %s belongs to an instance of host %s; left alone",
                        uuid, record.host)
            return False
        if record is None:
            LOG.warning("Guest %s has no instance record", uuid)
            return settings.reap_unknown_guests
        LOG.warning("Guest %s belongs to a deleted instance", uuid)
        return settings.running_deleted_instance_action == "reap"

    def sync_power_states(self, ctxt):
        """Record libvirt's power state of every idle instance of this host."""
        for instance in self.conductor_api.instance_get_all(ctxt, filters={"host": self.host}):
            if instance.task_state is None:
                try:
                    self.sync_instance(ctxt, instance)
                except Exception:  # the next round tries again
                    LOG.exception("Power-state sync of %s failed", instance.uuid)

    def sync_instance(self, ctxt, instance):
        """Nova's _sync_instance_power_state, reduced to the cases that
        matter: a guest that stopped by itself makes the server STOPPED, and a
        STOPPED server's guest that runs is powered off again."""
        power = self.power_state(instance)
        values = {}
        if instance.vm_state == VmState.ACTIVE and power in _OFF:
            LOG.warning("Instance %s shut down by itself: now STOPPED", instance.uuid)
            values["vm_state"] = VmState.STOPPED
        elif instance.vm_state == VmState.STOPPED and power == PowerState.RUNNING:
            LOG.warning("Instance %s is STOPPED but its guest runs: powering it off",
                        instance.uuid)
            self.driver.power_off(instance, get_settings().shutdown_timeout)
            power = self.power_state(instance)
        elif instance.vm_state == VmState.ACTIVE and power == PowerState.NOSTATE:
            LOG.warning("Instance %s is ACTIVE but has no guest on %s", instance.uuid, self.host)
        if power != instance.power_state:
            values["power_state"] = power
        if values:
            self.update_if_unchanged(ctxt, instance, values)


def _stub(uuid):
    """Enough of an Instance for the driver to remove its guest."""
    return Instance(uuid=uuid, display_name="", project_id="", user_id="",
                    vm_state=VmState.DELETED)
