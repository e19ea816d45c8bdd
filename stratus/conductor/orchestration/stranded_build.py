"""A build stranded on a dead host: the conductor sent it to a host that
died before saving it (task_state still scheduling): its message sits
unconsumed in that host's queue, or the host died while it built it
unclaimed (stratus.compute.build). The reaper moves it to the next
alternate the scheduler chose with the first host, as a reschedule after
a failed build does, or fails it (NoValidHost) when none is left.

The move is one transaction: the dead host's claim released, the
alternate's taken, and the instance's host changed by a compare-and-swap
that expects the dead host and scheduling. If the dead host comes back
and consumes its old message, its save (the claim, scheduling to
spawning, or the unclaimed build's final save) expects the host the
instance is on (conductor.instances._build_claimant, or expected_host)
and loses, and the guest it made is removed; if it saved first, the
reaper's swap loses and nothing changes."""
import logging

from stratus.common import exception
from stratus.common.context import get_admin_context
from stratus.common.objects import Selection
from stratus.common.vocabulary import CAS_CONFLICT, SystemMetadata, TaskState, VmState
from stratus.conductor import convert
from stratus.conductor.db import actions, groups, hosts, instances
from stratus.conductor.db.session import transaction
from stratus.conductor.orchestration import migration_spec

LOG = logging.getLogger(__name__)

NO_ALTERNATE = ("No valid host was found. Host {host} went down before it started the build "
                "of instance {uuid}, and no alternate host is left.")


def remember_alternates(row, request_spec, alternates):
    """The system_metadata of instance `row` once sent to a host: the
    alternates left for it, and its request's server group."""
    group = (request_spec.get("group") or {}).get("uuid")
    return dict(row.system_metadata or {}, **{
        SystemMetadata.BUILD_ALTERNATES: _plain(alternates),
        SystemMetadata.BUILD_GROUP: group})


def _plain(alternates):
    """Selections as JSON-ready dicts (older senders sent dicts already)."""
    return [a.to_dict() if hasattr(a, "to_dict") else dict(a) for a in alternates]


def reschedule_stranded_build(instance, compute_api):
    """Move a build stranded on its dead host to an alternate (then send
    it there) or fail it; "rescheduled", "failed", or None when the build
    moved on meanwhile."""
    dead = instance.host
    try:
        with transaction() as session:
            row = instances.instance_get(session, instance.uuid)
            hosts.release(session, row.uuid)  # the dead host's room
            chosen, left = _claim_next(session, row)
            row = _move(session, row, dead, chosen, left)
            spec = _request_spec(session, row)
            ctxt = get_admin_context(_build_request_id(session, row.uuid))
            moved = convert.instance(row)
    except CAS_CONFLICT:
        return None  # claimed by the host after all, deleted, or moved by another reaper
    if chosen is None:
        LOG.warning(NO_ALTERNATE.format(host=dead, uuid=instance.uuid))
        return "failed"
    LOG.warning("Build of %s was stranded on down host %s: rescheduled to %s",
                instance.uuid, dead, chosen.host)
    compute_api.build_and_run_instance(ctxt, chosen.host, moved, spec, left)
    return "rescheduled"


def _claim_next(session, row):
    """(the first remembered alternate that is up and takes the claim,
    the alternates after it), or (None, []) when none does."""
    remembered = (row.system_metadata or {}).get(SystemMetadata.BUILD_ALTERNATES) or []
    alternates = [Selection.from_dict(a) for a in remembered]
    needs = migration_spec.needs(convert.instance(row).flavor)
    group = _hard_group(session, row)
    for index, alternate in enumerate(alternates):
        if not convert.service_is_up(hosts.compute_service(session, alternate.host)):
            continue
        try:
            if hosts.claim(session, row.uuid, alternate.compute_node_id, *needs, group=group):
                return alternate, alternates[index + 1:]
        except exception.GroupAffinityViolation:
            continue
    return None, []


def _move(session, row, dead, chosen, left):
    """Swap the instance over to `chosen` (or to ERROR with a fault
    when it is None) if it is still queued on the `dead` host."""
    if chosen is None:
        values = {"vm_state": VmState.ERROR, "task_state": None}
    else:
        values = {"host": chosen.host, "node": chosen.nodename,
                  "system_metadata": dict(row.system_metadata or {}, **{
                      SystemMetadata.BUILD_ALTERNATES: _plain(left)})}
    row = instances.instance_update(session, row.uuid, values,
                                    expected_task_state=[TaskState.SCHEDULING],
                                    expected_vm_state=VmState.BUILDING, expected_host=dead)
    if chosen is None:
        message = NO_ALTERNATE.format(host=dead, uuid=row.uuid)
        instances.fault_create(session, row.uuid, 500, message, message)
    return row


def _hard_group(session, row):
    """The uuid of the instance's server group if its policy is a hard
    one that a claim must keep."""
    wanted = (row.system_metadata or {}).get(SystemMetadata.BUILD_GROUP)
    group = groups.spec_for(session, wanted, row.uuid) if wanted else None
    return group["uuid"] if group and group["policy"] in groups.HARD_POLICIES else None


def _request_spec(session, row):
    """The build's request spec, made again from the instance (the
    original one travelled in the dead host's message)."""
    instance = convert.instance(row)
    spec = migration_spec.request_spec(
        session, instance, image=migration_spec.image_of(session, instance.image_ref))
    wanted = (row.system_metadata or {}).get(SystemMetadata.BUILD_GROUP)
    group = groups.spec_for(session, wanted, row.uuid) if wanted else None
    return dict(spec, group=group) if group else spec


def _build_request_id(session, instance_uuid):
    """The request of the build's action (create), so that the events of
    its new host are recorded with it."""
    newest = actions.action_get_all(session, instance_uuid, limit=1)
    return newest[0].request_id if newest else None
