"""The conductor's two managers. ConductorManager is the composition of
the database endpoints, one class per aggregate (stratus.common.endpoint);
ComputeTaskManager holds the long orchestrations."""
from stratus.common import exception, rpc
from stratus.conductor import convert, move_spec
from stratus.conductor.catalog import Catalog
from stratus.conductor.certificates import Certificates
from stratus.conductor.consoles import ConsoleAuthTokens
from stratus.conductor.db import groups, hosts, instances, quotas
from stratus.conductor.db.session import transaction
from stratus.conductor.hosts import Hosts
from stratus.conductor.identity import Identity
from stratus.conductor.instances import Instances
from stratus.conductor.keypairs import KeyPairs
from stratus.conductor.live_migrate_task import LiveMigrateTaskMixin
from stratus.conductor.migrations import Migrations
from stratus.conductor.quotas import Quotas
from stratus.conductor.resize_task import ResizeTaskMixin
from stratus.conductor.server_groups import ServerGroups, group_of, with_member_hosts
from stratus.conductor.unshelve_task import UnshelveTaskMixin
from stratus.common.objects import states
from stratus.common.endpoint import endpoint


class ConductorManager:
    """Database work for the roles that may not touch the database: each
    endpoint opens one short transaction and returns wire objects (never
    rows)."""

    operations = (Hosts, Catalog, Instances, KeyPairs, Quotas, ServerGroups,
                  ConsoleAuthTokens, Certificates, Identity, Migrations)

    def __init__(self):
        self.hosts = Hosts()
        self.catalog = Catalog()
        self.instances = Instances()
        self.keypairs = KeyPairs()
        self.quotas = Quotas()
        self.server_groups = ServerGroups()
        self.console_auth_tokens = ConsoleAuthTokens()
        self.certificates = Certificates()
        self.identity = Identity()
        self.migrations = Migrations()


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
