"""Celery entry points of the scheduler: unpack, call the manager."""
import functools

from stratus.common import rpc
from stratus.scheduler.manager import SchedulerManager


@functools.cache
def _manager():
    return SchedulerManager()


def manager_for(server=None):
    """One SchedulerManager per process: schedulers serve no particular host."""
    return _manager()


TASKS = rpc.expose("scheduler", manager_for, SchedulerManager)
