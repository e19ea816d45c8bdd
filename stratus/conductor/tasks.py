"""Celery entry points of the conductor: unpack, call the manager."""
import functools

from stratus.common import endpoint, exception, rpc
from stratus.conductor.db import session
from stratus.conductor.manager import ComputeTaskManager, ConductorManager
from stratus.conductor.rpcapi import TOKEN_CHECK_SINCE

_conductor = functools.cache(ConductorManager)
_compute_task = functools.cache(ComputeTaskManager)


def _token_checked(around):
    """`around`, after refusing a message whose carried token (the api's
    deferred check, RequestContext.token_check) was revoked; the messages
    this one sends on do not carry it."""
    def run(function, ctxt, kwargs, reply):
        token, ctxt.token_check = ctxt.token_check, None
        if not token:
            return around(function, ctxt, kwargs, reply)
        with session.retry_window(waited=reply):  # one window for the check and the work
            revoked = endpoint.bound(_conductor())["token_revoked"]
            if session.retried(revoked, ctxt, {"token_id": token}, reply):
                raise exception.NotAuthenticated()
            return around(function, ctxt, kwargs, reply)
    return run


# A database endpoint is one transaction and nothing else: one whose
# connection was lost runs again whole. An orchestration sends messages
# between its transactions: each waits for a connection, none is repeated.
# Neither waits on another role (waits=False): the other roles' calls into
# the conductor always find a free thread, whatever the pool's size.
DB_TASKS = rpc.expose("conductor", lambda server: _conductor(), ConductorManager,
                      around=_token_checked(session.retried), since=TOKEN_CHECK_SINCE,
                      waits=False)
COMPUTE_TASK_TASKS = rpc.expose("conductor", lambda server: _compute_task(), ComputeTaskManager,
                                around=_token_checked(session.in_retry_window),
                                since=TOKEN_CHECK_SINCE, waits=False)
