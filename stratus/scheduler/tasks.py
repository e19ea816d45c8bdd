"""Celery entry points of the scheduler: unpack, call the manager."""
import functools

from stratus.common import rpc
from stratus.scheduler.manager import SchedulerManager
from stratus.scheduler.rpcapi import RPC_VERSION


@functools.cache
def _manager():
    return SchedulerManager()


def manager_for(server=None):
    """One SchedulerManager per process: schedulers serve no particular host."""
    return _manager()


TASKS = rpc.expose("scheduler", RPC_VERSION, manager_for, ["select_destinations", "check_host"])
