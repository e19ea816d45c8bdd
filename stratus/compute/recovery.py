"""A compute host makes the database agree with its hypervisor: at start
(Nova's init_host/_init_instance) nothing interrupted by a crash stays
half-done, and periodically the power states are synced from libvirt.

Every save is a compare-and-swap on the state that was read, so an action
that starts meanwhile wins and is never overwritten."""
import logging

from stratus.config import get_settings
from stratus.common import exception
from stratus.compute import actions, move_recovery, snapshot_recovery
from stratus.common.objects import Instance, states

LOG = logging.getLogger(__name__)

INTERRUPTED = "Build of instance {uuid} was interrupted by a restart of compute host {host}"
# Transitions whose work is not worth redoing: the state is reset and the
# power-state sync records where the guest really is.
_RESET = (states.PAUSING, states.UNPAUSING, states.SUSPENDING, states.RESUMING)
_HARD_REBOOTS = (states.REBOOTING_HARD, states.REBOOT_PENDING_HARD, states.REBOOT_STARTED_HARD)
_REBOOTS = (states.REBOOTING, states.REBOOT_PENDING, states.REBOOT_STARTED) + _HARD_REBOOTS
_OFF = (states.SHUTDOWN, states.CRASHED)
# An interrupted action still has its task_state: running it again
# finishes it (each action's save expects that task_state).
_REDO = _REBOOTS + (states.POWERING_OFF, states.POWERING_ON)


def init_instances(manager, ctxt):
    """Recover every instance of this host, then deal with the guests
    that no instance of this host accounts for."""
    # resize, cold migration and evacuation (issue 5): stratus.compute.move_recovery
    move_recovery.destroy_evacuated_guests(manager, ctxt)
    move_recovery.recover_incoming_moves(manager, ctxt)
    mine = manager.conductor_api.instance_get_all(ctxt, filters={"host": manager.host})
    for instance in mine:
        try:
            _init_instance(manager, ctxt, instance)
        except Exception:  # one broken instance must not keep the host down
            LOG.exception("Could not recover instance %s on %s", instance.uuid, manager.host)
    handle_unknown_guests(manager, ctxt, {i.uuid for i in mine})


def _init_instance(manager, ctxt, instance):
    if instance.task_state == states.DELETING:
        LOG.info("Finishing the interrupted delete of %s", instance.uuid)
        manager.terminate_instance(ctxt, instance)
    elif instance.vm_state == states.BUILDING:
        _fail_interrupted_build(manager, ctxt, instance)
    elif snapshot_recovery.recover(manager, ctxt, instance):
        pass  # snapshots, shelve and rebuild (issue 5): stratus.compute.snapshot_recovery
    elif move_recovery.recover_move(manager, ctxt, instance):
        pass  # resize and cold migration (issue 5): stratus.compute.move_recovery
    elif instance.task_state == states.MIGRATING:
        # live migration (issue 5): see LiveMigrationMixin.recover_live_migration
        manager.recover_live_migration(ctxt, instance)
    elif instance.task_state in _REDO:
        LOG.info("Redoing the interrupted %s of %s", instance.task_state, instance.uuid)
        if not manager.driver.instance_exists(instance):
            # The test driver's guests die with the compute process: the
            # guest is made again so that the action has one to act on.
            manager.driver.spawn(ctxt, instance, manager.image_for(ctxt, instance),
                                 instance.flavor)
        _redo(manager, ctxt, instance)
    else:
        if instance.task_state in _RESET:
            instance = _save(manager, ctxt, instance, {"task_state": None})
        if instance is not None:
            _resume_guest(manager, ctxt, instance)
            sync_instance(manager, ctxt, instance)


def _redo(manager, ctxt, instance):
    if instance.task_state == states.POWERING_OFF:
        manager.stop_instance(ctxt, instance)
    elif instance.task_state == states.POWERING_ON:
        manager.start_instance(ctxt, instance)
    else:
        hard = instance.task_state in _HARD_REBOOTS
        manager.reboot_instance(ctxt, instance, "HARD" if hard else "SOFT")


def _fail_interrupted_build(manager, ctxt, instance):
    """Nova's rule: a build this host was running when it stopped is
    failed; a second delivery of its message then finds nothing to do."""
    message = INTERRUPTED.format(uuid=instance.uuid, host=manager.host)
    try:
        manager.conductor_api.instance_update(
            ctxt, instance.uuid, {"vm_state": states.ERROR, "task_state": None},
            expected_task_state=[instance.task_state], expected_vm_state=states.BUILDING)
    except (exception.UnexpectedTaskStateError, exception.InstanceNotFound):
        return
    manager.destroy_quietly(ctxt, instance)
    manager.conductor_api.instance_fault_create(ctxt, instance.uuid, 500, message,
                                                details=message, host=manager.host)
    LOG.warning(message)


def _resume_guest(manager, ctxt, instance):
    """Start the guest of an instance that should be running but is not
    (after a host reboot; with the test driver, after any restart)."""
    if instance.vm_state != states.ACTIVE or not get_settings().resume_guests_state_on_host_boot:
        return
    if actions.read_power_state(manager, instance) == states.RUNNING:
        return
    LOG.info("Starting the guest of %s again", instance.uuid)
    try:
        manager.driver.spawn(ctxt, instance, manager.image_for(ctxt, instance), instance.flavor)
    except exception.StratusException as exc:
        LOG.warning("Could not start the guest of %s: %s", instance.uuid, exc)


def handle_unknown_guests(manager, ctxt, known):
    """Guests on the hypervisor that no instance of this host accounts for.

    A guest whose instance is deleted is reaped, logged or left alone as
    running_deleted_instance_action says (Nova's option). A guest with no
    record at all is reported, and reaped only with reap_unknown_guests: a
    daemon may hold guests that are not this cloud's. A guest whose
    instance lives on another host is only logged."""
    strangers = [uuid for uuid in manager.driver.list_instance_uuids() if uuid not in known]
    if not strangers:
        return
    records = {i.uuid: i for i in manager.conductor_api.instance_get_all(
        ctxt, filters={"uuid": strangers, "deleted": True})}
    settings = get_settings()
    for uuid in strangers:
        record = records.get(uuid)
        if record is not None and not record.deleted:
            LOG.warning("Guest %s belongs to an instance of host %s; left alone",
                        uuid, record.host)
            continue
        if record is None:
            LOG.warning("Guest %s has no instance record", uuid)
            reap = settings.reap_unknown_guests
        else:
            LOG.warning("Guest %s belongs to a deleted instance", uuid)
            reap = settings.running_deleted_instance_action == "reap"
        if reap:
            LOG.warning("Reaping guest %s", uuid)
            manager.destroy_quietly(ctxt, _stub(uuid))


def sync_power_states(manager, ctxt):
    """Record libvirt's power state of every idle instance of this host."""
    for instance in manager.conductor_api.instance_get_all(ctxt, filters={"host": manager.host}):
        if instance.task_state is None:
            try:
                sync_instance(manager, ctxt, instance)
            except Exception:  # the next round tries again
                LOG.exception("Power-state sync of %s failed", instance.uuid)


def sync_instance(manager, ctxt, instance):
    """Nova's _sync_instance_power_state, reduced to the cases that
    matter: a guest that stopped by itself makes the server STOPPED, and a
    STOPPED server's guest that runs is powered off again."""
    power = actions.read_power_state(manager, instance)
    values = {}
    if instance.vm_state == states.ACTIVE and power in _OFF:
        LOG.warning("Instance %s shut down by itself: now STOPPED", instance.uuid)
        values["vm_state"] = states.STOPPED
    elif instance.vm_state == states.STOPPED and power == states.RUNNING:
        LOG.warning("Instance %s is STOPPED but its guest runs: powering it off", instance.uuid)
        manager.driver.power_off(instance, get_settings().shutdown_timeout)
        power = actions.read_power_state(manager, instance)
    elif instance.vm_state == states.ACTIVE and power == states.NOSTATE:
        LOG.warning("Instance %s is ACTIVE but has no guest on %s", instance.uuid, manager.host)
    if power != instance.power_state:
        values["power_state"] = power
    if values:
        _save(manager, ctxt, instance, values)


def _save(manager, ctxt, instance, values):
    """Save if nobody changed the instance's states since we read them."""
    try:
        return manager.conductor_api.instance_update(
            ctxt, instance.uuid, values, expected_task_state=[instance.task_state],
            expected_vm_state=instance.vm_state)
    except (exception.UnexpectedTaskStateError, exception.InstanceNotFound):
        return None


def _stub(uuid):
    """Enough of an Instance for the driver to remove its guest."""
    return Instance(uuid=uuid, display_name="", project_id="", user_id="",
                    vm_state=states.DELETED)
