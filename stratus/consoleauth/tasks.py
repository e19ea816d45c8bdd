"""Celery entry points of the consoleauth role: unpack, call the manager
(one per process)."""
from stratus.common import rpc
from stratus.common.endpoint import one_per_process
from stratus.consoleauth.manager import ConsoleAuthManager

manager_for = one_per_process(ConsoleAuthManager)
TASKS = rpc.expose("consoleauth", manager_for, ConsoleAuthManager)
