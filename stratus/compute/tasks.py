"""Celery entry points of the compute role: only wiring.

One process may serve several compute hosts (the all-in-one, benchmarks),
so messages find their manager by the host they were sent to."""
import threading

from stratus.common import exception, rpc
from stratus.compute.manager import ComputeManager

_MANAGERS = {}
_LOCK = threading.Lock()


def register_manager(manager):
    """Serve messages for `manager.host` with this manager."""
    with _LOCK:
        _MANAGERS[manager.host] = manager


def unregister_manager(host):
    """Stop serving `host` in this process (tests, shutdown)."""
    with _LOCK:
        _MANAGERS.pop(host, None)


def manager_for(server):
    """The manager of the host a message was sent to."""
    try:
        return _MANAGERS[server]
    except KeyError:
        raise exception.UnknownHost(host=server) from None


TASKS = rpc.expose("compute", manager_for, ComputeManager)
