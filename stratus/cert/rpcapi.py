"""Client side of the cert role: what the api and the `stratus ca`
commands import. Every method is a call on the `cert` queue, as Nova's
CertAPI.

API version history:
    1.0 - Nova's cert API 2.0 without decrypt_text (an EC2 leftover):
          generate_x509_cert, fetch_ca, fetch_crl and the revocations.
          One CA for the cloud (Nova's default, use_project_ca off), so
          fetch_ca and fetch_crl take no project.
"""
from stratus.config import get_settings
from stratus.common.rpc import RPCClient

RPC_VERSION = "1.0"


class CertAPI:
    """The cloud's certificate authority."""

    def __init__(self):
        self.client = RPCClient("cert", RPC_VERSION,
                                version_cap=get_settings().cert_rpc_version_cap)

    def _client(self, version):
        """The client at `version` (VersionCapExceeded above the cap)."""
        return self.client.prepare(version=version)

    def generate_x509_cert(self, ctxt, user_id, project_id):
        """A new key pair and a certificate for the user in the project,
        signed by the CA and recorded: [private key PEM, certificate PEM]."""
        return self._client("1.0").call(ctxt, "generate_x509_cert", user_id=user_id,
                                        project_id=project_id)

    def fetch_ca(self, ctxt):
        """The CA's root certificate (PEM)."""
        return self._client("1.0").call(ctxt, "fetch_ca")

    def fetch_crl(self, ctxt):
        """A CRL (PEM) listing every revoked certificate, signed now."""
        return self._client("1.0").call(ctxt, "fetch_crl")

    def revoke_certs_by_user(self, ctxt, user_id):
        """Revoke every certificate of a user; returns the serials (hex) this
        revoked (none already revoked)."""
        return self._client("1.0").call(ctxt, "revoke_certs_by_user", user_id=user_id)

    def revoke_certs_by_project(self, ctxt, project_id):
        """Revoke every certificate of a project; returns the serials revoked."""
        return self._client("1.0").call(ctxt, "revoke_certs_by_project", project_id=project_id)

    def revoke_certs_by_user_and_project(self, ctxt, user_id, project_id):
        """Revoke a user's certificates in one project; returns the serials
        revoked."""
        return self._client("1.0").call(ctxt, "revoke_certs_by_user_and_project", user_id=user_id,
                                        project_id=project_id)
