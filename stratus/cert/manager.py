"""The cert role's endpoints (Nova's cert manager): certificates signed
by the cloud's CA, their revocation and the CRL. The CA's files stay on
this host; the records of what it signed go through the conductor."""
import datetime
import functools
import logging

from stratus.config import get_settings
from stratus.cert import store, subject
from stratus.conductor.rpcapi import ConductorAPI
from stratus.common.timeutils import parse_isotime
from stratus.common.endpoint import endpoint

LOG = logging.getLogger(__name__)


class CertManager:
    """The endpoints of the `cert` queue."""

    def __init__(self, conductor_api=None):
        self.conductor_api = conductor_api or ConductorAPI()

    @functools.cached_property
    def authority(self):
        """The CA, created under settings.ca_path on first use."""
        settings = get_settings()
        authority, created = store.load_or_create(settings.ca_path, settings.ca_subject)
        if created:
            LOG.info("created a certificate authority in %s", settings.ca_path)
        return authority

    def init_host(self):
        """At start: the CA exists, and the subject template fills (a bad
        one stops the worker here rather than failing each request)."""
        settings = get_settings()
        subject.name(settings.user_cert_subject, "project", "user", "time")
        LOG.info("certificate authority %s in %s",
                 self.authority.certificate.subject.rfc4514_string(), settings.ca_path)

    @endpoint(since="1.0")
    def generate_x509_cert(self, ctxt, user_id, project_id):
        settings = get_settings()
        private_key, certificate, serial = self.authority.issue(
            user_id, project_id, settings.user_cert_subject, settings.cert_validity_days)
        # Recorded before it is handed out: no one holds a certificate that
        # a revocation by user or project could miss.
        self.conductor_api.certificate_create(ctxt, {
            "serial": serial, "user_id": user_id, "project_id": project_id, "pem": certificate})
        return private_key, certificate

    @endpoint(since="1.0")
    def fetch_ca(self, ctxt):
        return self.authority.certificate_pem

    @endpoint(since="1.0")
    def fetch_crl(self, ctxt):
        revoked = self.conductor_api.certificate_get_all(ctxt, revoked=True)
        validity = datetime.timedelta(hours=get_settings().crl_validity_hours)
        return self.authority.crl([(c.serial, parse_isotime(c.revoked_at)) for c in revoked],
                                  validity)

    @endpoint(since="1.0")
    def revoke_certs_by_user(self, ctxt, user_id):
        return self._revoke(ctxt, user_id=user_id)

    @endpoint(since="1.0")
    def revoke_certs_by_project(self, ctxt, project_id):
        return self._revoke(ctxt, project_id=project_id)

    @endpoint(since="1.0")
    def revoke_certs_by_user_and_project(self, ctxt, user_id, project_id):
        return self._revoke(ctxt, user_id=user_id, project_id=project_id)

    def _revoke(self, ctxt, user_id=None, project_id=None):
        revoked = self.conductor_api.certificate_revoke(ctxt, user_id=user_id,
                                                        project_id=project_id)
        return [c.serial for c in revoked]
