"""Unshelve and rebuild: the two operations that put a server's image
(its shelved one, or a new one) on a host again.

An offloaded server is scheduled again (claimed on its new host by the
scheduler) and sent to that host; a rebuild with a new image has the
scheduler re-run the filters on the server's own host first. No thread
waits on the scheduler: its reply continues in a second message, as the
builds do. Each step checks the server's states first, so a second
delivery finds its work done and stops."""
from stratus.common import exception, rpc
from stratus.conductor import convert
from stratus.conductor.db import catalog, instances
from stratus.conductor.db.session import transaction
from stratus.conductor.orchestration import migration_spec
from stratus.conductor.orchestration.base import TaskBase, record_event, release_unused
from stratus.common.vocabulary import CAS_CONFLICT, SystemMetadata, TaskState, VmState
from stratus.common.endpoint import endpoint

UNSHELVE_EVENT = "conductor_unshelve_instance"
REBUILD_EVENT = "conductor_rebuild_instance"


class UnshelveTask(TaskBase):
    """unshelve_instance and unshelve_on_selection: an offloaded server
    scheduled again."""

    @endpoint(since="1.3")
    def unshelve_instance(self, ctxt, instance_uuid, availability_zone=None, host=None):
        """Schedule an offloaded server with its flavor and shelved image
        (in `availability_zone` when given, onto `host` (1.7) when an admin
        named one); the scheduler claims the host."""
        instance = _instance_if(instance_uuid, TaskState.UNSHELVING, VmState.SHELVED_OFFLOADED)
        if instance is None:
            return  # a second delivery: the first one placed it already
        record_event(ctxt, instance_uuid, UNSHELVE_EVENT, start=True)
        try:
            image = _image((instance.system_metadata or {}).get(SystemMetadata.SHELVED_IMAGE_ID) or "")
        except exception.ImageNotFound as exc:
            _unshelve_failed(ctxt, instance_uuid, exc.message)
            return
        try:
            spec = _spec(instance, image, availability_zone, host)
        except exception.ComputeHostNotFound as exc:
            _unshelve_failed(ctxt, instance_uuid, exc.message)
            return
        self.select_then(ctxt, spec, instance_uuid, "unshelve_on_selection",
                         request_spec=spec, availability_zone=availability_zone)

    @endpoint(since="1.3")
    def unshelve_on_selection(self, ctxt, instance_uuid, request_spec, reply,
                              availability_zone=None):
        """Place the server on the claimed host and cast its unshelve there,
        or put it back to shelved_offloaded when no host was found."""
        try:
            chosen = rpc.unwrap(reply)[0][0]
        except exception.StratusException as exc:
            _unshelve_failed(ctxt, instance_uuid, exc.message)
            return
        values = {"host": chosen.host, "node": chosen.nodename}
        if availability_zone:
            values["availability_zone"] = availability_zone  # Nova, from 2.77
        try:
            instance = _place(instance_uuid, values)
        except CAS_CONFLICT:
            # Deleted meanwhile, or placed by a first delivery of this reply.
            release_unused(instance_uuid, chosen)
            return
        record_event(ctxt, instance_uuid, UNSHELVE_EVENT, result="Success")
        self.compute_api.unshelve_instance(ctxt, chosen.host, instance)


class RebuildTask(TaskBase):
    """rebuild_instance and rebuild_on_check: a new image on the server's
    own host."""

    @endpoint(since="1.3")
    def rebuild_instance(self, ctxt, instance_uuid, image_id, host, preserve_ephemeral=False):
        """Have the scheduler re-check the server's own host with the new
        image (no claim: the server keeps the one it has there)."""
        instance = _instance_if(instance_uuid, TaskState.REBUILDING, host=host)
        if instance is None:
            return
        record_event(ctxt, instance_uuid, REBUILD_EVENT, start=True)
        try:
            spec = _spec(instance, _image(image_id))
        except exception.ImageNotFound as exc:
            _rebuild_failed(ctxt, instance_uuid, exc.message)
            return
        reply_to = self.compute_task_api.continuation(
            "rebuild_on_check", instance_uuid=instance_uuid, image_id=image_id, host=host,
            preserve_ephemeral=preserve_ephemeral)
        self.scheduler_api.check_host(ctxt, spec, host, reply_to=reply_to)

    @endpoint(since="1.3")
    def rebuild_on_check(self, ctxt, instance_uuid, image_id, host, reply,
                         preserve_ephemeral=False):
        """Cast the rebuild to the host that passed, or fail the server."""
        try:
            rpc.unwrap(reply)
        except exception.StratusException as exc:
            _rebuild_failed(ctxt, instance_uuid, exc.message)
            return
        instance = _instance_if(instance_uuid, TaskState.REBUILDING, host=host)
        if instance is None:
            return
        record_event(ctxt, instance_uuid, REBUILD_EVENT, result="Success")
        self.compute_api.rebuild_instance(ctxt, host, instance, image_id,
                                          preserve_ephemeral=preserve_ephemeral)


def _instance_if(instance_uuid, task_state, vm_state=None, host=None):
    """The Instance while it has these states (and host), else None."""
    with transaction() as session:
        try:
            row = instances.instance_get(session, instance_uuid)
        except exception.InstanceNotFound:
            return None
        if (row.task_state != task_state or (vm_state and row.vm_state != vm_state)
                or row.host != host):
            return None
        return convert.instance(row)


def _image(image_id):
    with transaction() as session:
        return convert.image(catalog.image_get(session, image_id))


def _spec(instance, image, availability_zone=None, host=None):
    """The request: `host`, when given, is the only one it may go to, still
    through the filters (Nova's requested destination)."""
    with transaction() as session:
        return migration_spec.request_spec(session, instance, image=image, host=host,
                                           availability_zone=availability_zone)


def _place(instance_uuid, values):
    """Save the unshelving server's new host; UnexpectedTaskStateError
    when it has one already."""
    with transaction() as session:
        if instances.instance_get(session, instance_uuid).host is not None:
            raise exception.UnexpectedTaskStateError(
                instance_uuid=instance_uuid, expected="no host", actual="a host")
        return convert.instance(instances.instance_update(
            session, instance_uuid, values, expected_task_state=[TaskState.UNSHELVING],
            expected_vm_state=VmState.SHELVED_OFFLOADED))


def _unshelve_failed(ctxt, instance_uuid, message):
    """Nova's behaviour: back to shelved_offloaded, with a fault."""
    with transaction() as session:
        try:
            instances.instance_update(session, instance_uuid, {"task_state": None},
                                      expected_task_state=[TaskState.UNSHELVING],
                                      expected_vm_state=VmState.SHELVED_OFFLOADED)
        except CAS_CONFLICT:
            return
        instances.fault_create(session, instance_uuid, 500, message, message)
    record_event(ctxt, instance_uuid, UNSHELVE_EVENT, result="Error", traceback=message)


def _rebuild_failed(ctxt, instance_uuid, message):
    """Nova's conductor: the server goes to error with the fault."""
    with transaction() as session:
        try:
            instances.instance_update(session, instance_uuid,
                                      {"vm_state": VmState.ERROR, "task_state": None},
                                      expected_task_state=[TaskState.REBUILDING])
        except CAS_CONFLICT:
            return
        instances.fault_create(session, instance_uuid, 500, message, message)
    record_event(ctxt, instance_uuid, REBUILD_EVENT, result="Error", traceback=message)
