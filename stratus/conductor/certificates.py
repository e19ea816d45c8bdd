"""The conductor's side of certificates: the cert role records what it
signs and revokes through these endpoints (one short transaction per
call, wire objects out)."""
from stratus.conductor import convert
from stratus.conductor.db import certificates
from stratus.conductor.db.session import transaction
from stratus.common.endpoint import endpoint


class Certificates:
    """Record, list and revoke certificates."""

    @endpoint(since="1.2")
    def certificate_create(self, ctxt, values):
        with transaction() as session:
            return convert.certificate(certificates.certificate_create(session, values))

    @endpoint(since="1.2")
    def certificate_get_all(self, ctxt, revoked=None):
        with transaction() as session:
            return [convert.certificate(row)
                    for row in certificates.certificate_get_all(session, revoked)]

    @endpoint(since="1.2")
    def certificate_revoke(self, ctxt, user_id=None, project_id=None):
        with transaction() as session:
            return [convert.certificate(row)
                    for row in certificates.certificate_revoke(session, user_id, project_id)]
