"""Celery entry points of the conductor: unpack, call the manager."""
import functools

from stratus.common import rpc
from stratus.conductor.manager import ComputeTaskManager, ConductorManager

_conductor = functools.cache(ConductorManager)
_compute_task = functools.cache(ComputeTaskManager)

DB_TASKS = rpc.expose("conductor", lambda server: _conductor(), ConductorManager)
COMPUTE_TASK_TASKS = rpc.expose("conductor", lambda server: _compute_task(), ComputeTaskManager)
