"""Celery entry points of the consoleauth role: only wiring."""
import functools

from stratus.common import rpc
from stratus.consoleauth.manager import ConsoleAuthManager

_manager = functools.cache(ConsoleAuthManager)

TASKS = rpc.expose("consoleauth", lambda server: _manager(), ConsoleAuthManager)
