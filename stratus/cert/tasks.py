"""Celery entry points of the cert role: unpack, call the manager.
The cloud has one CA: one manager per process."""
from stratus.cert.manager import CertManager
from stratus.common import rpc
from stratus.common.endpoint import one_per_process

manager_for = one_per_process(CertManager)
TASKS = rpc.expose("cert", manager_for, CertManager)
