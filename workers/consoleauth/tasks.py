"""Celery entry points of the consoleauth role: only wiring."""
import functools

from workers import rpc
from workers.consoleauth.manager import ConsoleAuthManager
from workers.consoleauth.rpcapi import RPC_VERSION

_manager = functools.cache(ConsoleAuthManager)

TASKS = rpc.expose("consoleauth", RPC_VERSION, lambda server: _manager(), [
    "authorize_console", "check_token", "delete_tokens_for_instance"])
