"""The conductor's database endpoints: each method opens one short
transaction and returns wire objects (never rows)."""

from stratus.common import exception, rpc
from stratus.conductor import convert, move_spec
from stratus.conductor.certificates import CertificateManager
from stratus.conductor.consoles import ConsoleAuthTokenManager
from stratus.conductor.db import actions, catalog, groups, hosts, instances, quotas
from stratus.conductor.db.session import transaction
from stratus.conductor.identity import IdentityManager
from stratus.conductor.live_migrate_task import LiveMigrateTaskMixin
from stratus.conductor.move_records import MigrationManager
from stratus.conductor.resize_task import ResizeTaskMixin
from stratus.conductor.unshelve_task import UnshelveTaskMixin
from stratus.conductor.operator import OperatorManager
from stratus.conductor.server_groups import ServerGroupManager, group_of, with_member_hosts
from stratus.common.objects import states
from stratus.common.timeutils import parse_isotime
from stratus.common.endpoint import endpoint


class ConductorManager(OperatorManager, ServerGroupManager, ConsoleAuthTokenManager,
                       CertificateManager, IdentityManager, MigrationManager):
    """Database work for the roles that may not touch the database (key
    pairs, quotas and service updates are in OperatorManager, server
    groups in ServerGroupManager, console tokens in
    ConsoleAuthTokenManager, certificates in CertificateManager, users,
    projects and tokens in IdentityManager, migrations and moves in
    MigrationManager)."""

    # services and compute nodes
    @endpoint(since="1.0")
    def service_update(self, ctxt, host, binary, topic, availability_zone=None):
        with transaction() as session:
            return convert.service(hosts.service_update(session, host, binary, topic,
                                                            availability_zone))

    @endpoint(since="1.0")
    def service_get_all(self, ctxt, binary=None):
        with transaction() as session:
            return [convert.service(row) for row in hosts.service_get_all(session, binary)]

    @endpoint(since="1.0")
    def compute_node_update(self, ctxt, host, nodename, resources):
        with transaction() as session:
            node = hosts.compute_node_update(session, host, nodename, resources)
            return convert.compute_node(*hosts.compute_node_get(session, node.id))

    @endpoint(since="1.0")
    def compute_node_get_all(self, ctxt):
        with transaction() as session:
            return [convert.compute_node(node, svc)
                    for node, svc in hosts.compute_nodes_with_services(session)]

    @endpoint(since="1.0")
    def compute_node_get(self, ctxt, node_id):
        with transaction() as session:
            return convert.compute_node(*hosts.compute_node_get(session, node_id))

    # claims
    @endpoint(since="1.0")
    def claim_resources(self, ctxt, instance_uuid, compute_node_id, vcpus, memory_mb, disk_gb,
                        group=None):
        with transaction() as session:
            return hosts.claim(session, instance_uuid, compute_node_id, vcpus, memory_mb,
                               disk_gb, group=group)

    @endpoint(since="1.0")
    def release_resources(self, ctxt, instance_uuid, compute_node_id=None):
        with transaction() as session:
            return hosts.release(session, instance_uuid, compute_node_id)

    # flavors and images
    @endpoint(since="1.0")
    def flavor_get_all(self, ctxt, is_public=True, min_ram=None, min_disk=None):
        with transaction() as session:
            return [convert.flavor(row)
                    for row in catalog.flavor_get_all(session, is_public, min_ram, min_disk)]

    @endpoint(since="1.0")
    def flavor_get(self, ctxt, flavorid):
        with transaction() as session:
            return convert.flavor(catalog.flavor_get(session, flavorid))

    @endpoint(since="1.0")
    def flavor_create(self, ctxt, values):
        with transaction() as session:
            return convert.flavor(catalog.flavor_create(session, values))

    @endpoint(since="1.0")
    def flavor_delete(self, ctxt, flavorid):
        with transaction() as session:
            catalog.flavor_delete(session, flavorid)

    @endpoint(since="1.0")
    def image_get_all(self, ctxt, filters):
        with transaction() as session:
            return [convert.image(row) for row in catalog.image_get_all(session, filters)]

    @endpoint(since="1.0")
    def image_get(self, ctxt, image_id):
        with transaction() as session:
            return convert.image(catalog.image_get(session, image_id))

    @endpoint(since="1.0")
    def image_create(self, ctxt, values):
        with transaction() as session:
            return convert.image(catalog.image_create(session, values))

    # instances
    @endpoint(since="1.0")
    def instance_get(self, ctxt, instance_uuid, read_deleted=False):
        with transaction() as session:
            row = instances.instance_get(session, instance_uuid, read_deleted=read_deleted)
            return convert.instance(row, instances.latest_faults(session, [row.uuid]).get(row.uuid))

    @endpoint(since="1.0")
    def instance_get_all(self, ctxt, filters, limit=None, marker=None):
        with transaction() as session:
            rows = instances.instance_get_all(session, filters, limit, marker)
            faults = instances.latest_faults(session, [r.uuid for r in rows if r.vm_state == "error"])
            return [convert.instance(row, faults.get(row.uuid)) for row in rows]

    @endpoint(since="1.0")
    def instance_update(self, ctxt, instance_uuid, values, expected_task_state=instances.UNSET,
                        expected_vm_state=None, event=None, action=None):
        with transaction() as session:
            row = instances.instance_update(session, instance_uuid, values,
                                            expected_task_state, expected_vm_state)
            if action:
                instances.action_start(session, ctxt, instance_uuid, action)
            if event:
                _record_event(session, ctxt, instance_uuid, event)
            return convert.instance(row)

    @endpoint(since="1.0")
    def instance_destroy(self, ctxt, instance_uuid):
        with transaction() as session:
            return convert.instance(instances.instance_destroy(session, instance_uuid))

    @endpoint(since="1.0")
    def instance_fault_create(self, ctxt, instance_uuid, code, message, details=None, host=None):
        with transaction() as session:
            return convert.fault(instances.fault_create(session, instance_uuid, code, message,
                                                        details, host))

    @endpoint(since="1.0")
    def action_event_start(self, ctxt, instance_uuid, event, host=None, task_id=None):
        with transaction() as session:
            instances.event_record(session, ctxt, instance_uuid, event, start=True, host=host,
                                   task_id=task_id)

    @endpoint(since="1.0")
    def action_event_finish(self, ctxt, instance_uuid, event, result, traceback=None, host=None,
                            task_id=None):
        with transaction() as session:
            instances.event_record(session, ctxt, instance_uuid, event, result=result,
                                   traceback=traceback, host=host, task_id=task_id)

    # server metadata and instance actions
    @endpoint(since="1.1")
    def instance_metadata_update(self, ctxt, instance_uuid, updates, replace=False, remove=()):
        with transaction() as session:
            return instances.metadata_update(session, instance_uuid, updates, replace, remove)

    @endpoint(since="1.1")
    def action_get_all(self, ctxt, instance_uuid, limit=None, marker=None, changes_since=None,
                       changes_before=None):
        with transaction() as session:
            rows = actions.action_get_all(session, instance_uuid, limit, marker,
                                          parse_isotime(changes_since),
                                          parse_isotime(changes_before))
            return [convert.action(row) for row in rows]

    @endpoint(since="1.1")
    def action_get(self, ctxt, instance_uuid, request_id):
        with transaction() as session:
            row = actions.action_get(session, instance_uuid, request_id)
            if row is None:
                raise exception.InstanceActionNotFound(request_id=request_id)
            return convert.action(row, actions.events_get(session, row.id))


class ComputeTaskManager(UnshelveTaskMixin, ResizeTaskMixin, LiveMigrateTaskMixin):
    """Long orchestrations (Nova's ComputeTaskManager): build and reschedule
    here; the moves (issue 5) in the mixins.

    Database work happens in short transactions here; every message to
    another role is sent after its commit."""

    def __init__(self, scheduler_api=None, compute_api=None, compute_task_api=None):
        from stratus.compute.rpcapi import ComputeAPI
        from stratus.conductor.rpcapi import ComputeTaskAPI
        from stratus.scheduler.rpcapi import SchedulerAPI

        self.scheduler_api = scheduler_api or SchedulerAPI()
        self.compute_api = compute_api or ComputeAPI()
        self.compute_task_api = compute_task_api or ComputeTaskAPI()

    @endpoint(since="1.0")
    def create_instance(self, ctxt, values, request_spec):
        return self.create_instances(ctxt, [values], request_spec, min_count=1)[0]

    @endpoint(since="1.0")
    def create_instances(self, ctxt, instances_values, request_spec, min_count):
        """Record the instances the project's quota allows (all of them, or
        as many as fit if at least min_count; else TooManyInstances) in one
        transaction: under the project's lock, usage is counted and the rows
        added, so concurrent boots can never overrun the quota together."""
        project_id = instances_values[0]["project_id"]
        with transaction() as session:
            known = instances.instance_get_all(
                session, {"uuid": [v["uuid"] for v in instances_values], "deleted": True})
            if known:
                # A second delivery: the first created them and started their builds.
                return [convert.instance(row) for row in known]
            quotas.lock_project(session, project_id)
            quotas.check_metadata(session, project_id, instances_values[0].get("metadata"))
            count = quotas.check_instances(session, project_id,
                                           instances_values[0].get("vcpus") or 0,
                                           instances_values[0].get("memory_mb") or 0,
                                           min_count, len(instances_values))
            created = []
            for values in instances_values[:count]:
                row = instances.instance_create(session, values)
                groups.add_member(session, request_spec, row)
                instances.action_start(session, ctxt, row.uuid, "create")
                created.append(convert.instance(row))
        request_spec = dict(request_spec, num_instances=len(created))
        # Already on the conductor: start the builds here, after the commit,
        # rather than cast to ourselves (one message less per boot).
        for instance in created:
            self.build_instances(ctxt, instance.uuid, request_spec)
        return created

    @endpoint(since="1.0")
    def build_instances(self, ctxt, instance_uuid, request_spec):
        if not self._awaits_scheduling(instance_uuid):
            # A second delivery of this message: the first one scheduled it.
            return
        self._event(ctxt, instance_uuid, _BUILD_EVENT, start=True)
        request_spec = with_member_hosts(request_spec, instance_uuid)
        # No thread waits for the scheduler: it calls back into the conductor,
        # and a pool full of waiting builds would never serve those calls.
        reply_to = self.compute_task_api.continuation(
            "build_on_selection", instance_uuid=instance_uuid, request_spec=request_spec)
        self.scheduler_api.select_destinations(ctxt, request_spec, [instance_uuid],
                                               reply_to=reply_to)

    @endpoint(since="1.0")
    def build_on_selection(self, ctxt, instance_uuid, request_spec, reply):
        event = _BUILD_EVENT
        try:
            selections = rpc.unwrap(reply)[0]
        except exception.NoValidHost as exc:
            self._fail(ctxt, instance_uuid, exc.message, event)
            return
        except exception.StratusException as exc:
            self._fail(ctxt, instance_uuid, f"Scheduling failed: {exc.message}", event)
            return
        self._send_to_host(ctxt, instance_uuid, request_spec, selections[0], selections[1:],
                           ["scheduling"], event)

    @endpoint(since="1.0")
    def reschedule_instance(self, ctxt, instance_uuid, request_spec, alternates, failed_host,
                            reason):
        event = "conductor_reschedule_instance"
        if not self._awaits_scheduling(instance_uuid, on_host=failed_host):
            return  # a second delivery: the first one moved it on already
        self._event(ctxt, instance_uuid, event, start=True)
        with transaction() as session:
            hosts.release(session, instance_uuid)
        needs = move_spec.needs(request_spec["flavor"])
        for index, alternate in enumerate(alternates):
            try:
                with transaction() as session:
                    claimed = hosts.claim(session, instance_uuid, alternate.compute_node_id,
                                          *needs, group=group_of(request_spec))
            except exception.GroupAffinityViolation as exc:
                claimed, reason = False, f"{reason}; {exc.message}"
            if claimed:
                self._send_to_host(ctxt, instance_uuid, request_spec, alternate,
                                   alternates[index + 1:], ["spawning", "scheduling"], event)
                return
        self._fail(ctxt, instance_uuid,
                   "Exceeded maximum number of retries. Exhausted all hosts available for "
                   f"retrying build failures for instance {instance_uuid}.", event,
                   details=f"Last failure on {failed_host}: {reason}")

    def _send_to_host(self, ctxt, instance_uuid, request_spec, chosen, alternates, expected,
                      event):
        try:
            with transaction() as session:
                row = instances.instance_update(
                    session, instance_uuid,
                    {"host": chosen.host, "node": chosen.nodename, "task_state": "scheduling"},
                    expected_task_state=expected)
                instance = convert.instance(row)
        except (exception.InstanceNotFound, exception.UnexpectedTaskStateError):
            # Deleted while we scheduled it, or taken further by a first
            # delivery of this same message: give back only room that the
            # instance is not using.
            self._release_unused(instance_uuid, chosen)
            return
        self._event(ctxt, instance_uuid, event, result="Success")
        self.compute_api.build_and_run_instance(ctxt, chosen.host, instance, request_spec,
                                                alternates)

    @staticmethod
    def _awaits_scheduling(instance_uuid, on_host=None):
        """Whether the instance still waits for a host (a new build has
        none; a failed one is handed back by the host that failed it)."""
        with transaction() as session:
            try:
                row = instances.instance_get(session, instance_uuid)
            except exception.InstanceNotFound:
                return False
            return (row.vm_state == states.BUILDING and row.task_state == states.SCHEDULING
                    and row.host == on_host)

    @staticmethod
    def _release_unused(instance_uuid, chosen):
        with transaction() as session:
            try:
                row = instances.instance_get(session, instance_uuid)
            except exception.InstanceNotFound:
                hosts.release(session, instance_uuid)
                return
            if row.node != chosen.nodename or row.host != chosen.host:
                hosts.release(session, instance_uuid, chosen.compute_node_id)

    def _fail(self, ctxt, instance_uuid, message, event, details=None):
        with transaction() as session:
            hosts.release(session, instance_uuid)
            try:
                instances.instance_update(session, instance_uuid,
                                          {"vm_state": "error", "task_state": None})
            except exception.InstanceNotFound:
                return
            instances.fault_create(session, instance_uuid, 500, message,
                                   details or message)
        self._event(ctxt, instance_uuid, event, result="Error", traceback=details or message)

    @staticmethod
    def _event(ctxt, instance_uuid, event, start=False, result=None, traceback=None):
        with transaction() as session:
            instances.event_record(session, ctxt, instance_uuid, event, start=start,
                                   result=result, traceback=traceback)


_BUILD_EVENT = "conductor_schedule_and_build_instances"


def _record_event(session, ctxt, instance_uuid, event):
    """An event dict of instance_update: {"event", "host", "task_id"}, with
    "result" (and "traceback", "details") to finish it; "start" with a
    result records a whole event at once."""
    start = event.get("start", "result" not in event)
    for side in ((True,) if start else ()) + ((False,) if "result" in event else ()):
        instances.event_record(session, ctxt, instance_uuid, event["event"], start=side,
                               result=event.get("result"), traceback=event.get("traceback"),
                               host=event.get("host"), task_id=event.get("task_id"),
                               details=event.get("details"))

