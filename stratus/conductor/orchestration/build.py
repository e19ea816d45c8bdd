"""The build of new servers: their records (under the project's quota),
scheduling, the hand-over to the chosen host, and reschedules onto the
alternates when a host fails a build (Nova's build_instances and
schedule_and_build_instances)."""
import dataclasses

from stratus.common import boot_catalog, exception, rpc
from stratus.config import get_settings
from stratus.conductor import convert
from stratus.conductor.catalog import boot_flavor_and_image
from stratus.conductor.db import groups, hosts, instance_ports, instances, quotas
from stratus.conductor.db.session import core_transaction, transaction
from stratus.conductor.orchestration import migration_spec
from stratus.conductor.orchestration.base import TaskBase, record_event, release_unused
from stratus.conductor.orchestration.stranded_build import remember_alternates
from stratus.conductor.server_groups import group_of, with_member_hosts
from stratus.common.vocabulary import CAS_CONFLICT, TaskState, VmState
from stratus.common.endpoint import endpoint

BUILD_EVENT = "conductor_schedule_and_build_instances"
# The versions from which the conductor claims a build's host itself.
CLAIM_HERE_SCHEDULER = "1.2"
CLAIM_HERE_CONDUCTOR = "1.12"
RESCHEDULE_EVENT = "conductor_reschedule_instance"
# What a server's ports can fail with when its host is chosen (a network
# or port deleted since the request was checked, no address left).
NETWORK_ERRORS = (exception.NetworkNotFound, exception.SubnetNotFound, exception.PortNotFound,
                  exception.PortInUse, exception.IpAddressGenerationFailure,
                  exception.IpAddressAlreadyAllocated, exception.InvalidIpForSubnet)


class BuildTask(TaskBase):
    """create_instance(s), build_instances, build_on_selection and
    reschedule_instance."""

    @endpoint(since="1.0")
    def create_instance(self, ctxt, values, request_spec):
        return self.create_instances(ctxt, [values], request_spec, min_count=1)[0]

    @endpoint(since="1.0")
    def create_instances(self, ctxt, instances_values, request_spec, min_count):
        """Record the instances the project's quota allows (all of them, or
        as many as fit if at least min_count; else TooManyInstances) in one
        transaction: under the project's lock, usage is counted and the rows
        added, so concurrent boots can never overrun the quota together.
        Then start their builds."""
        return self._create(ctxt, instances_values, request_spec, min_count)

    @endpoint(since="1.12")
    def create_instances_by_ref(self, ctxt, instances_values, request_spec, min_count,
                                flavorid, image_id):
        """create_instances for instances and a spec that leave out their
        flavor and image: both are read, checked as the api checks them
        (boot_catalog.checked; Invalid, a 400) and filled in within the
        transaction that records the servers. A boot's call, reply and
        transaction less than the api reading them first."""
        return self._create(ctxt, instances_values, request_spec, min_count,
                            refs=(flavorid, image_id))

    def _create(self, ctxt, instances_values, request_spec, min_count, refs=None):
        created, request_spec = _record(ctxt, instances_values, request_spec, min_count, refs)
        if request_spec is None:
            return created  # a second delivery: the first started their builds
        request_spec = dict(request_spec, num_instances=len(created))
        # Already on the conductor: schedule here, after the commit that
        # recorded them with their build events started, rather than cast
        # to ourselves (a message) or read back what that commit wrote.
        for instance in created:
            if _new_build(instance):
                self.schedule(ctxt, instance.uuid, request_spec)
        return created

    @endpoint(since="1.0")
    def build_instances(self, ctxt, instance_uuid, request_spec):
        """Ask the scheduler for a host; its reply continues in
        build_on_selection."""
        if not _awaits_scheduling(instance_uuid):
            # A second delivery of this message: the first one scheduled it.
            return
        record_event(ctxt, instance_uuid, BUILD_EVENT, start=True)
        self.schedule(ctxt, instance_uuid, request_spec)

    def schedule(self, ctxt, instance_uuid, request_spec, attempt=1):
        """Ask the scheduler for a host for a build whose event is started.

        The scheduler chooses and the conductor claims, as it records the
        host (select_hosts, build_on_hosts); while the schedulers or the
        conductors are capped below that, the scheduler claims
        (select_destinations, build_on_selection)."""
        request_spec = with_member_hosts(request_spec, instance_uuid)
        # No thread waits for the scheduler: it calls back into the conductor,
        # and a pool full of waiting builds would never serve those calls.
        if not (self.scheduler_api.can_send_version(CLAIM_HERE_SCHEDULER)
                and self.compute_task_api.can_send_version(CLAIM_HERE_CONDUCTOR)):
            self.select_then(ctxt, request_spec, instance_uuid, "build_on_selection",
                             alternates=True, request_spec=request_spec)
            return
        reply_to = self.compute_task_api.continuation(
            "build_on_hosts", instance_uuid=instance_uuid, request_spec=request_spec,
            attempt=attempt)
        self.scheduler_api.select_hosts(ctxt, request_spec, [instance_uuid],
                                        refresh=attempt > 1, reply_to=reply_to)

    @endpoint(since="1.0")
    def build_on_selection(self, ctxt, instance_uuid, request_spec, reply):
        """Send the server to the claimed host (with the alternates for a
        reschedule), or fail it when no host was found."""
        selections = _selections(ctxt, instance_uuid, reply)
        if selections:
            self._send_to_host(ctxt, instance_uuid, request_spec, selections[0],
                               selections[1:], [TaskState.SCHEDULING], BUILD_EVENT)

    @endpoint(since="1.12")
    def build_on_hosts(self, ctxt, instance_uuid, request_spec, reply, attempt=1):
        """build_on_selection for hosts chosen but not claimed (the
        scheduler's select_hosts): the first that takes the claim gets the
        server, claimed in the transaction that records it there, and the
        hosts after it are its alternates. When none has room left
        (concurrent boots took it), the scheduler chooses again on fresh
        host states, max_attempts times in all; then the build fails."""
        selections = _selections(ctxt, instance_uuid, reply)
        if not selections:
            return
        if self._send_to_host(ctxt, instance_uuid, request_spec, selections[0], selections[1:],
                              [TaskState.SCHEDULING], BUILD_EVENT, claim=True):
            return
        if attempt < get_settings().max_attempts:
            self.schedule(ctxt, instance_uuid, request_spec, attempt + 1)
            return
        _fail(ctxt, instance_uuid, exception.NoValidHost(reason=(
            f"claims failed on the hosts chosen in each of {attempt} tries (taken by "
            "concurrent requests)")).message, BUILD_EVENT)

    @endpoint(since="1.0")
    def reschedule_instance(self, ctxt, instance_uuid, request_spec, alternates, failed_host,
                            reason):
        """A host failed the build: claim the first alternate that still
        has room (and keeps the group's policy) and send the server there;
        with none left, the server goes to error."""
        if not _awaits_scheduling(instance_uuid, on_host=failed_host):
            return  # a second delivery: the first one moved it on already
        record_event(ctxt, instance_uuid, RESCHEDULE_EVENT, start=True)
        with transaction() as session:
            hosts.release(session, instance_uuid)
        needs = migration_spec.needs(request_spec["flavor"])
        for index, alternate in enumerate(alternates):
            claimed, reason = _claim_alternate(instance_uuid, request_spec, alternate, needs,
                                               reason)
            if claimed:
                self._send_to_host(ctxt, instance_uuid, request_spec, alternate,
                                   alternates[index + 1:], [TaskState.SPAWNING, TaskState.SCHEDULING],
                                   RESCHEDULE_EVENT)
                return
        _fail(ctxt, instance_uuid,
              "Exceeded maximum number of retries. Exhausted all hosts available for "
              f"retrying build failures for instance {instance_uuid}.", RESCHEDULE_EVENT,
              details=f"Last failure on {failed_host}: {reason}")

    def _send_to_host(self, ctxt, instance_uuid, request_spec, chosen, alternates, expected,
                      event, claim=False):
        """Record the server's host and send it there; True once sent (or
        when the server is gone, failed, or placed by a first delivery).
        `claim`: the hosts are not claimed yet; the first of `chosen` and
        `alternates` that takes the claim is the host, claimed in the same
        transaction. False, nothing recorded, when none does."""
        try:
            with transaction() as session:
                current = instances.instance_row(session, instance_uuid)
                if claim:
                    if not _new_build(current):
                        return True  # a second delivery: the first one placed it
                    claimed = _claim_first(session, instance_uuid, request_spec,
                                           [chosen, *alternates])
                    if claimed is None:
                        return False
                    chosen, alternates = claimed
                # The alternates are kept too: the reaper needs them if
                # this host dies before it claims the build.
                sysmeta = remember_alternates(current, request_spec, alternates)
                row = instances.instance_save(
                    session, instance_uuid,
                    {"host": chosen.host, "node": chosen.nodename,
                     "task_state": TaskState.SCHEDULING, "system_metadata": sysmeta},
                    expected_task_state=expected, current_host=current.host)
                # Its ports, in the commit that records its host (a build
                # never placed has none yet: nothing to look up).
                network_info = instance_ports.allocate(
                    session, row, request_spec.get("requested_networks"), chosen.host,
                    request_spec.get("security_groups"), placed_before=not _new_build(current))
                instance = convert.instance(row)
                if network_info != instance.network_info:
                    instance.network_info = list(network_info)
                    instances.instance_save(session, instance_uuid,
                                            {"network_info": network_info})
                # The event's end in the same commit: one transaction less.
                instances.event_record(session, ctxt, instance_uuid, event, result="Success")
        except NETWORK_ERRORS as exc:
            _fail(ctxt, instance_uuid, f"Build of instance {instance_uuid} aborted: Failed to "
                  f"allocate the network(s), not rescheduling. {exc.message}", event)
            return True
        except CAS_CONFLICT:
            # Deleted while we scheduled it, or taken further by a first
            # delivery of this same message: give back only room that the
            # instance is not using.
            release_unused(instance_uuid, chosen)
            return True
        self.compute_api.build_and_run_instance(ctxt, chosen.host, instance, request_spec,
                                                alternates)
        return True


def _record(ctxt, instances_values, request_spec, min_count, refs=None):
    """(instances, their request spec) as recorded now with their create
    actions, or (instances, None) when a first delivery recorded them
    already. `refs`, (flavorid, image_id): read and check the flavor and
    the image into the values and the spec first (_with_catalog)."""
    project_id = instances_values[0]["project_id"]
    uuids = [v["uuid"] for v in instances_values]
    # Core statements only, but for a server group's membership (ORM).
    grouped = (request_spec or {}).get("group")
    with (transaction() if grouped else core_transaction()) as session:
        if not instances.any_recorded(session, uuids):
            if refs:
                instances_values, request_spec = _with_catalog(
                    session, ctxt, instances_values, request_spec, *refs)
            return _record_new(session, ctxt, instances_values, request_spec, min_count,
                               project_id), request_spec
    # A second delivery: what the first one committed, read back.
    with transaction() as session:
        known = instances.instance_get_all(session, {"uuid": uuids, "deleted": True})
        return [convert.instance(row) for row in known], None


def _with_catalog(session, ctxt, instances_values, request_spec, flavorid, image_id):
    """The values and the spec with the boot's flavor and image, read as
    `ctxt` sees them and checked: Invalid (a 400) as the api answers."""
    try:
        found = boot_flavor_and_image(session, ctxt, flavorid, image_id)
    except exception.FlavorNotFound as exc:
        raise exception.Invalid(exc.message) from None
    flavor, image = boot_catalog.checked(ctxt, *found, image_id)
    columns = boot_catalog.instance_values(flavor, image)
    return ([dict(values, **columns) for values in instances_values],
            dict(request_spec, flavor=flavor, image=image))


def _record_new(session, ctxt, instances_values, request_spec, min_count, project_id):
    """_record's instances, recorded in `session` under the quota."""
    quotas.lock_project(session, project_id)
    count = quotas.check_boot(session, project_id, instances_values[0].get("metadata"),
                              instances_values[0].get("vcpus") or 0,
                              instances_values[0].get("memory_mb") or 0,
                              min_count, len(instances_values),
                              user_id=instances_values[0].get("user_id"))
    created = []
    for values in instances_values[:count]:
        row = instances.instance_create(session, values)
        groups.add_member(session, request_spec, row)
        instance = convert.instance(row)
        instances.action_start(session, ctxt, row.uuid, "create",
                               started_event=BUILD_EVENT if _new_build(instance) else None)
        created.append(instance)
    return created


def _new_build(instance):
    """Whether a new build (an Instance, or an instance row) still waits
    for its host (what _awaits_scheduling reads from the database)."""
    return (instance.vm_state == VmState.BUILDING
            and instance.task_state == TaskState.SCHEDULING and instance.host is None)


def _selections(ctxt, instance_uuid, reply):
    """The scheduler's Selections for the server, or None once the build
    failed with the scheduler's reason."""
    try:
        return rpc.unwrap(reply)[0]
    except exception.NoValidHost as exc:
        _fail(ctxt, instance_uuid, exc.message, BUILD_EVENT)
    except exception.StratusException as exc:
        _fail(ctxt, instance_uuid, f"Scheduling failed: {exc.message}", BUILD_EVENT)
    return None


def _claim_first(session, instance_uuid, request_spec, candidates):
    """(the first Selection of `candidates` whose node took the claim, now
    claimed; the Selections after it), or None when none did: full since
    the scheduler's snapshot, gone, or refused by the group's hard policy
    (a refusal writes nothing, so the transaction goes on)."""
    needs = migration_spec.needs(request_spec["flavor"])
    group = group_of(request_spec)
    for index, selection in enumerate(candidates):
        try:
            if hosts.claim(session, instance_uuid, selection.compute_node_id, *needs,
                           group=group):
                return dataclasses.replace(selection, claimed=True), candidates[index + 1:]
        except exception.GroupAffinityViolation:
            continue
    return None


def _claim_alternate(instance_uuid, request_spec, alternate, needs, reason):
    """(claimed, reason): whether the alternate's node took the claim of
    `needs`; a group's refusal is added to the reason the server will
    fail with."""
    try:
        with transaction() as session:
            return hosts.claim(session, instance_uuid, alternate.compute_node_id, *needs,
                               group=group_of(request_spec)), reason
    except exception.GroupAffinityViolation as exc:
        return False, f"{reason}; {exc.message}"


def _awaits_scheduling(instance_uuid, on_host=None):
    """Whether the instance still waits for a host (a new build has
    none; a failed one is handed back by the host that failed it)."""
    with transaction() as session:
        try:
            row = instances.instance_row(session, instance_uuid)
        except exception.InstanceNotFound:
            return False
        return (row.vm_state == VmState.BUILDING and row.task_state == TaskState.SCHEDULING
                and row.host == on_host)


def _fail(ctxt, instance_uuid, message, event, details=None):
    """The build failed for good: its claims go back, the server goes to
    error with a fault, the event says Error."""
    with transaction() as session:
        hosts.release(session, instance_uuid)
        try:
            instances.instance_update(session, instance_uuid,
                                      {"vm_state": VmState.ERROR, "task_state": None})
        except exception.InstanceNotFound:
            return
        instances.fault_create(session, instance_uuid, 500, message,
                               details or message)
    record_event(ctxt, instance_uuid, event, result="Error", traceback=details or message)
