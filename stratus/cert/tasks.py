"""Celery entry points of the cert role: unpack, call the manager."""
import functools

from stratus.common import rpc
from stratus.cert.manager import CertManager


@functools.cache
def _manager():
    return CertManager()


def manager_for(server=None):
    """One CertManager per process: the cloud has one CA."""
    return _manager()


TASKS = rpc.expose("cert", manager_for, CertManager)
