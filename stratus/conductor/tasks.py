"""Celery entry points of the conductor: unpack, call the manager."""
import functools

from stratus.common import rpc
from stratus.conductor.db import session
from stratus.conductor.manager import ComputeTaskManager, ConductorManager

_conductor = functools.cache(ConductorManager)
_compute_task = functools.cache(ComputeTaskManager)

# A database endpoint is one transaction and nothing else: one whose
# connection was lost runs again whole. An orchestration sends messages
# between its transactions: each waits for a connection, none is repeated.
DB_TASKS = rpc.expose("conductor", lambda server: _conductor(), ConductorManager,
                      around=session.retried)
COMPUTE_TASK_TASKS = rpc.expose("conductor", lambda server: _compute_task(), ComputeTaskManager,
                                around=session.in_retry_window)
