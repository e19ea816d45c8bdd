"""The API's compute actions, as Nova's compute/api.py: check the
instance's state, save through the conductor (compare-and-swap), then cast.
The views only parse and render; the decisions are made here."""
import flask

from stratus.api import common, disk_config, server_build, shelved_images
from stratus.common import exception
from stratus.common.vocabulary import UNSET, TaskState


def get(ctxt, instance_id, read_deleted=False):
    """One visible instance; ids that are not UUID-like are simply not found
    (clients look a server up by name first and rely on that 404)."""
    if not common.is_uuid_like(instance_id):
        raise exception.InstanceNotFound(instance_id=instance_id)
    instance = common.conductor().instance_get(ctxt, instance_id, read_deleted=read_deleted)
    if not ctxt.is_admin and instance.project_id != ctxt.project_id:
        raise exception.InstanceNotFound(instance_id=instance_id)
    return instance


def get_all(ctxt, filters, limit, marker):
    """A page of instances, newest first; a bad marker is a 400 (Invalid)."""
    return common.conductor().instance_get_all(ctxt, filters=filters, limit=limit,
                                               marker=marker)


def get_all_with_tags(ctxt, filters, limit, marker):
    """get_all's page and {uuid: [tag, ...]} of its servers, in one
    conductor call (1.11)."""
    page = common.conductor().instance_get_all_with_tags(ctxt, filters=filters, limit=limit,
                                                         marker=marker)
    return page["instances"], page["tags"]


def create(ctxt, server, scheduler_hints=None):
    """Check the request, then have the conductor record the instances in
    one transaction against the project's quota (403 TooManyInstances when
    not even min_count fit) and start each build after its commit.
    Returns (instances, plan): the plan has the reservation id and the
    admin password."""
    plan = server_build.plan(ctxt, server, scheduler_hints or {})
    if plan.refs:
        created = common.compute_task().create_instances_by_ref(
            ctxt, plan.instances, plan.request_spec, plan.min_count, *plan.refs)
    else:
        created = common.compute_task().create_instances(
            ctxt, plan.instances, plan.request_spec, plan.min_count)
    return created, plan


def update(ctxt, instance, server):
    """Rename a server, set its description, access IPs or disk config (no state
    check, as Nova). A new disk config rewrites system_metadata, so the
    save expects the task_state seen: a task moving on meanwhile may have
    changed it (409 then, instead of losing its key)."""
    values, expected = {}, UNSET
    if "name" in server:
        values["display_name"] = server["name"]
    if "description" in server:
        values["description"] = server["description"]
    for key, column in (("accessIPv4", "access_ip_v4"), ("accessIPv6", "access_ip_v6")):
        if key in server:
            values[column] = str(server[key]) if server[key] else None
    if "disk_config" in server:
        values["system_metadata"] = disk_config.recorded(instance.system_metadata,
                                                         server["disk_config"] == "AUTO")
        expected = [instance.task_state]
    if not values:
        return instance
    return common.conductor().instance_update(ctxt, instance.uuid, values,
                                              expected_task_state=expected)


def check_lock(ctxt, instance):
    """Nova's check_instance_lock: a locked instance is only for admins."""
    if instance.locked and not ctxt.is_admin:
        raise exception.InstanceIsLocked(instance_uuid=instance.uuid)


def delete(ctxt, instance):
    """Mark the instance deleting (CAS on the task_state we saw), then have
    its host terminate it, or delete it locally when no live host has it."""
    check_lock(ctxt, instance)
    try:
        instance = common.conductor().instance_update(
            ctxt, instance.uuid, {"task_state": TaskState.DELETING},
            expected_task_state=[instance.task_state], action="delete")
    except exception.UnexpectedDeletingTaskStateError:
        # A concurrent delete won the race: the outcome is the same.
        return
    shelved_images.delete_with(ctxt, instance)  # as Nova, its snapshot goes too
    if instance.host and host_is_up(ctxt, instance.host):
        common.compute().terminate_instance(ctxt, instance.host, instance)
    else:
        # Never scheduled, or its host is down: nothing on a hypervisor
        # would answer, so release and soft-delete here (Nova's local delete).
        common.conductor().instance_destroy(ctxt, instance.uuid)


def _compute_services(ctxt):
    """{host: Service} of compute services, fetched once per request."""
    cache = getattr(flask.g, "_compute_services", None)
    if cache is None:
        services = common.conductor().service_get_all(ctxt)
        cache = {s.host: s for s in services if "compute" in (s.topic or s.binary or "")}
        flask.g._compute_services = cache
    return cache


def host_is_up(ctxt, host):
    service = _compute_services(ctxt).get(host)
    return bool(service and service.up and not service.forced_down)


def host_zone(host):
    """The availability zone of a host's compute service, or None."""
    service = _compute_services(flask.g.context).get(host) if host else None
    return service.availability_zone if service else None


def host_status(host):
    """Nova's host_status: UP, DOWN, MAINTENANCE (disabled), UNKNOWN or ""."""
    if not host:
        return ""
    service = _compute_services(flask.g.context).get(host)
    if service is None:
        return "UNKNOWN"
    if service.forced_down or not service.up:
        return "DOWN"
    return "MAINTENANCE" if service.disabled else "UP"
