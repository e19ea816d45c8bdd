"""Server actions that migrate servers: os-migrateLive.
Parsing here; the checks and the conductor/compute calls as in
app.compute_actions."""
from werkzeug.exceptions import BadRequest

from stratus.api import common, compute_api
from stratus.api.action_body import boolean, host_name, object_of
from stratus.api.compute_actions import check_host, check_state
from stratus.api.microversion import is_supported
from stratus.common.vocabulary import TaskState, VmState

ACTION = "os-migrateLive"
_FROM = (VmState.ACTIVE, VmState.PAUSED)


def _parse(value):
    """(host, block_migration True/False/None for auto, force) from the
    body of the request's microversion (Nova's four schemas)."""
    allowed = {"host", "block_migration"}
    if not is_supported("2.25"):
        allowed.add("disk_over_commit")
    if is_supported("2.30", "2.67"):
        allowed.add("force")
    body = object_of(ACTION, value, allowed, sorted(allowed - {"force"}))
    host = host_name(body["host"])
    block = boolean("block_migration", body["block_migration"], auto=is_supported("2.25"))
    if "disk_over_commit" in body:
        boolean("disk_over_commit", body["disk_over_commit"])  # checked as Nova, then unused
    force = boolean("force", body["force"]) if "force" in body else False
    if force and not host:
        raise BadRequest("Can't force to a non-provided destination")
    return host, block, force


def _check_destination(ctxt, instance, host):
    """Nova's API checks of a named host: it exists, and is not the source."""
    if host not in {node.host for node in common.conductor().compute_node_get_all(ctxt)}:
        raise BadRequest(f"Compute host {host} could not be found.")
    if host == instance.host:
        raise BadRequest(f"Unable to migrate instance ({instance.uuid}) to current host "
                         f"({host}).")


def migrate_live(ctxt, instance, value):
    """Live-migrate an ACTIVE or PAUSED server (admins): task_state
    migrating and the instance action recorded in one save, then a cast
    to the conductor, which picks and checks the destination."""
    host, block_migration, force = _parse(value)
    compute_api.check_lock(ctxt, instance)
    check_host(instance)
    check_state(instance, ACTION, _FROM)
    if host:
        _check_destination(ctxt, instance, host)
    common.conductor().instance_update(
        ctxt, instance.uuid, {"task_state": TaskState.MIGRATING}, expected_task_state=[None],
        expected_vm_state=instance.vm_state, action="live-migration")
    common.compute_task().live_migrate_instance(ctxt, instance.uuid, host, block_migration,
                                                force=force)


# action name -> handler(ctxt, instance, value); merged into
# app.server_actions.HANDLERS.
HANDLERS = {ACTION: migrate_live}
