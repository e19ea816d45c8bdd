"""Server actions that migrate servers: resize, confirmResize, revertResize, migrate and evacuate.
Parsing here; the checks and the conductor/compute calls as in
app.compute_actions."""
import flask
from werkzeug.exceptions import BadRequest, NotFound

from stratus.api import common, compute_api, disk_config
from stratus.api.api import empty
from stratus.api.action_body import boolean, host_name, invalid, object_of
from stratus.api.compute_actions import check_host, check_state
from stratus.api.microversion import is_supported
from stratus.api.server_build import new_password
from stratus.common import exception
from stratus.common.vocabulary import (MigrationStatus, MigrationType, ServiceBinary, TaskState,
                                       VmState)

_RESIZE_FROM = (VmState.ACTIVE, VmState.STOPPED)
_EVACUATE_FROM = (VmState.ACTIVE, VmState.STOPPED, VmState.ERROR)


# resize and cold migration
def _resize(ctxt, instance, value):
    body = object_of("resize", value, ("flavorRef", disk_config.API_KEY), ("flavorRef",))
    if body["flavorRef"] in (None, ""):
        raise invalid("flavorRef", body["flavorRef"], "'flavorRef' must not be empty")
    auto_disk_config = disk_config.parse(body)
    _prepare(ctxt, instance, "resize")
    try:
        flavor = common.conductor().flavor_get(ctxt, str(body["flavorRef"]))
    except exception.FlavorNotFound as exc:
        raise BadRequest(exc.message) from None
    if instance.flavor and flavor.flavorid == instance.flavor.flavorid:
        raise BadRequest(exception.CannotResizeToSameFlavor().message)
    if flavor.root_gb < (instance.root_gb or 0):
        raise BadRequest("Server disk was unable to be resized because: Resizing to a "
                         "smaller disk flavor is not allowed.")
    _move(ctxt, instance, "resize", flavor, auto_disk_config=auto_disk_config)


def _migrate(ctxt, instance, value):
    host = None
    if is_supported("2.56") and value is not None:
        host = host_name(object_of("migrate", value, ("host",)).get("host"))
    _prepare(ctxt, instance, "migrate")
    if host and host == instance.host:
        raise BadRequest("Cannot migrate to the host where the server exists.")
    _move(ctxt, instance, "migrate", instance.flavor, host)


def _prepare(ctxt, instance, action):
    compute_api.check_lock(ctxt, instance)
    check_host(instance)
    check_state(instance, action, _RESIZE_FROM)


def _move(ctxt, instance, action, flavor, host=None, auto_disk_config=None):
    """resize_prep with the action and the disk config recorded (MANUAL
    unless AUTO is asked for, as Nova's resize and migrate), then the
    conductor's call; its NoValidHost is the request's 400 (the conductor
    has cleared the task_state by then)."""
    values = {"task_state": TaskState.RESIZE_PREP,
              "system_metadata": disk_config.recorded(instance.system_metadata, auto_disk_config)}
    common.conductor().instance_update(
        ctxt, instance.uuid, values, expected_task_state=[None],
        expected_vm_state=instance.vm_state, action=action)
    try:
        common.compute_task().migrate_server(ctxt, instance.uuid, flavor, host=host)
    except (exception.NoValidHost, exception.ComputeHostNotFound) as exc:
        raise BadRequest(exc.message) from None


# confirm and revert
def _finished_migration(ctxt, instance, action):
    compute_api.check_lock(ctxt, instance)
    check_state(instance, action, (VmState.RESIZED,))
    migration = common.conductor().migration_get_in_progress(ctxt, instance.uuid)
    if migration is None or migration.status != MigrationStatus.FINISHED:
        raise BadRequest("Instance has not been resized.")
    return migration


def _confirm_resize(ctxt, instance, value):
    migration = _finished_migration(ctxt, instance, "confirmResize")
    _step(ctxt, instance, migration, "confirmResize", MigrationStatus.CONFIRMING, None)
    common.compute().confirm_resize(ctxt, migration.source_compute, instance, migration)
    return empty(204)


def _revert_resize(ctxt, instance, value):
    migration = _finished_migration(ctxt, instance, "revertResize")
    instance = _step(ctxt, instance, migration, "revertResize", MigrationStatus.REVERTING,
                     TaskState.RESIZE_REVERTING)
    common.compute().revert_resize(ctxt, migration.dest_compute, instance, migration)


def _step(ctxt, instance, migration, action, status, task_state):
    """Record the action with a compare-and-swap on the server's states,
    then move the migration on from finished (409 if someone was faster)."""
    values = {"task_state": task_state} if task_state else {}
    saved = common.conductor().instance_update(
        ctxt, instance.uuid, values, expected_task_state=[None],
        expected_vm_state=VmState.RESIZED, action=action)
    common.conductor().migration_update(ctxt, migration.id, {"status": status},
                                        expected_status=MigrationStatus.FINISHED)
    return saved


# evacuation
def _evacuate(ctxt, instance, value):
    allowed = ["host", "adminPass"]
    allowed += ["onSharedStorage"] if not is_supported("2.14") else []
    allowed += ["force"] if is_supported("2.29") and not is_supported("2.68") else []
    body = object_of("evacuate", value, allowed,
                     () if is_supported("2.14") else ("onSharedStorage",))
    host = host_name(body.get("host"))
    force = boolean("force", body["force"]) if "force" in body else False
    if force and not host:
        raise BadRequest("Can't force to a non-provided destination")
    password = body.get("adminPass") or new_password()
    check_host(instance)
    _check_evacuation(ctxt, instance, host)
    compute_api.check_lock(ctxt, instance)
    check_state(instance, "evacuate", _EVACUATE_FROM)
    _start_evacuation(ctxt, instance, host, force)
    if not is_supported("2.14"):
        return {"adminPass": password}
    return empty(200)  # Nova: 200 with no body from 2.14


def _check_evacuation(ctxt, instance, host):
    services = {s.host: s for s in common.conductor().service_get_all(ctxt, ServiceBinary.COMPUTE)}
    if host is not None and host not in services:
        raise NotFound(f"Compute host {host} not found.")
    if host is not None and host == instance.host:
        raise BadRequest("The target host can't be the same one.")
    source = services.get(instance.host)
    if source is not None and source.up and not source.forced_down:
        # Nova's text; its evacuate answers it with a 400, the issue asks
        # for a 409 (a conflict with the state of the source host).
        raise exception.Conflict(f"Compute service of {instance.host} is still in use.")


def _start_evacuation(ctxt, instance, host, force):
    """task_state rebuilding with the action, the migration accepted, then
    the conductor's cast; a migration in progress gives the task back."""
    conductor = common.conductor()
    conductor.instance_update(ctxt, instance.uuid, {"task_state": TaskState.REBUILDING},
                              expected_task_state=[None], expected_vm_state=instance.vm_state,
                              action="evacuate")
    try:
        migration = conductor.migration_create(ctxt, {
            "instance_uuid": instance.uuid, "project_id": instance.project_id,
            "user_id": instance.user_id, "migration_type": MigrationType.EVACUATION,
            "status": MigrationStatus.ACCEPTED, "source_compute": instance.host,
            "source_node": instance.node, "source_node_id": _node_id(ctxt, instance),
            "dest_host": host, "old_flavor": instance.flavor, "new_flavor": instance.flavor,
            # From 2.95 an evacuated server ends stopped (Nova's target_state).
            "migrate_data": {"target_state": VmState.STOPPED} if is_supported("2.95") else {}})
    except exception.StratusException:
        conductor.instance_update(ctxt, instance.uuid, {"task_state": None},
                                  expected_task_state=[TaskState.REBUILDING])
        raise
    common.compute_task().evacuate_server(ctxt, instance.uuid, migration.id, host=host,
                                          force=force)


def _node_id(ctxt, instance):
    for node in common.conductor().compute_node_get_all(ctxt):
        if node.host == instance.host and node.hypervisor_hostname == instance.node:
            return node.id
    return None


# action name -> handler(ctxt, instance, value); merged into
# app.server_actions.HANDLERS.
HANDLERS = {"resize": _resize, "migrate": _migrate, "confirmResize": _confirm_resize,
            "revertResize": _revert_resize, "evacuate": _evacuate}
