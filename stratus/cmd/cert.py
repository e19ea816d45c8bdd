"""`stratus cert` (the cert role's worker, queue `cert`, which creates
the CA on its first start) and `stratus ca` (init, revoke, crl). The
revocations and the CRL run the cert role's code in this process, on the
CA files under STRATUS_CA_PATH and the configured database, like every
operator command; `ca init` works on the CA files directly."""
from stratus.common.celeryapp import load_roles
from stratus.cmd.worker import run_worker, start_heartbeat
from stratus.common.context import get_admin_context


def main(concurrency):
    from stratus.cert.tasks import manager_for

    load_roles("cert")
    manager_for().init_host()
    start_heartbeat("cert")
    run_worker("cert", ["cert"], concurrency)


def init_ca():
    """(Authority, created): the CA under settings.ca_path."""
    from stratus.config import get_settings
    from stratus.cert import store

    settings = get_settings()
    return store.load_or_create(settings.ca_path, settings.ca_subject)


def _cert_api():
    """The cert role run in this process, on this host's CA files and the
    configured database (stratus.cmd.local.operator_mode)."""
    from stratus.cert.rpcapi import CertAPI
    from stratus.cmd import local

    local.operator_mode("conductor", "cert")
    return CertAPI()


def revoke(user_id=None, project_id=None):
    """The serials revoked for a user, a project or a user in a project."""
    api, ctxt = _cert_api(), get_admin_context()
    if user_id and project_id:
        return api.revoke_certs_by_user_and_project(ctxt, user_id, project_id)
    if user_id:
        return api.revoke_certs_by_user(ctxt, user_id)
    return api.revoke_certs_by_project(ctxt, project_id)


def crl():
    """The CRL (PEM), signed now by the cert role."""
    return _cert_api().fetch_crl(get_admin_context())
