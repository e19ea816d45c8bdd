"""What every orchestration task shares: its collaborators, the
conductor's action events, and giving back room a lost race left unused."""
from stratus.common import exception
from stratus.conductor.db import hosts, instances
from stratus.conductor.db.session import transaction


class TaskBase:
    """One long operation of the conductor (Nova's conductor TaskBase).

    An operation spans several messages: its first endpoint, then the
    continuations that carry another role's reply. Every step checks its
    preconditions (the server's states as it reads them, compare-and-swap
    saves) before it changes anything, so that a second delivery finds its
    work done and stops; then it executes, in short transactions, and
    sends each message only after the commit it depends on.

    Collaborators: `scheduler_api` (choosing and claiming hosts),
    `compute_api` (the hosts) and `compute_task_api` (this conductor, for
    continuations)."""

    def __init__(self, scheduler_api, compute_api, compute_task_api):
        self.scheduler_api = scheduler_api
        self.compute_api = compute_api
        self.compute_task_api = compute_task_api

    def select_then(self, ctxt, spec, instance_uuid, method, alternates=False, **kwargs):
        """Ask the scheduler to choose (and claim) a host for the server by
        `spec`; its reply continues in this conductor's `method` with
        `kwargs`, no thread waiting in between."""
        reply_to = self.compute_task_api.continuation(method, instance_uuid=instance_uuid,
                                                      **kwargs)
        self.scheduler_api.select_destinations(ctxt, spec, [instance_uuid],
                                               return_alternates=alternates,
                                               reply_to=reply_to)


def record_event(ctxt, instance_uuid, event, start=False, result=None, traceback=None):
    """Start (`start`) or finish (`result`) the conductor's event of the
    server's current action, in its own transaction."""
    with transaction() as session:
        instances.event_record(session, ctxt, instance_uuid, event, start=start,
                               result=result, traceback=traceback)


def release_unused(instance_uuid, chosen):
    """Give back the claim on the `chosen` Selection's node unless the
    server is on that node (all its claims when the server is gone)."""
    with transaction() as session:
        try:
            row = instances.instance_get(session, instance_uuid)
        except exception.InstanceNotFound:
            hosts.release(session, instance_uuid)
            return
        if row.node != chosen.nodename or row.host != chosen.host:
            hosts.release(session, instance_uuid, chosen.compute_node_id)
