"""Celery entry points of the scheduler: unpack, call the manager.
Schedulers serve no particular host: one manager per process."""
from stratus.common import rpc
from stratus.common.endpoint import one_per_process
from stratus.scheduler.manager import SchedulerManager

manager_for = one_per_process(SchedulerManager)
TASKS = rpc.expose("scheduler", manager_for, SchedulerManager)
