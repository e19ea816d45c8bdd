"""Celery entry points of the consoleauth role: only wiring."""
import functools

from stratus.common import rpc
from stratus.consoleauth.manager import ConsoleAuthManager
from stratus.consoleauth.rpcapi import RPC_VERSION

_manager = functools.cache(ConsoleAuthManager)

TASKS = rpc.expose("consoleauth", RPC_VERSION, lambda server: _manager(), [
    "authorize_console", "check_token", "delete_tokens_for_instance"])
