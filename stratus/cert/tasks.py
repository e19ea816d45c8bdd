"""Celery entry points of the cert role: unpack, call the manager."""
import functools

from stratus.common import rpc
from stratus.cert.manager import CertManager
from stratus.cert.rpcapi import RPC_VERSION


@functools.cache
def _manager():
    return CertManager()


def manager_for(server=None):
    """One CertManager per process: the cloud has one CA."""
    return _manager()


TASKS = rpc.expose("cert", RPC_VERSION, manager_for, [
    "generate_x509_cert", "fetch_ca", "fetch_crl", "revoke_certs_by_user",
    "revoke_certs_by_project", "revoke_certs_by_user_and_project"])
