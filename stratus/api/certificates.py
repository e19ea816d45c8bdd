"""/v2.1/os-certificates: an x509 certificate for the caller, and the
cloud's root certificate (Nova's certificates API, as it was before Nova
removed it in Pike with nova-cert; Stratus has the cert role, so it
serves the API at every microversion instead of answering 410).

Both are calls on the cert role, which signs with the CA it keeps; the
API never sees the CA's key."""
from flask.views import MethodView
from werkzeug.exceptions import NotImplemented as HTTPNotImplemented

from stratus.api import policy
from stratus.api.api import Blueprint
from stratus.api.request_context import get_context
from stratus.api.schemas.responses import envelope
from stratus.cert import rpcapi as cert_rpcapi

blp = Blueprint("certificates", __name__, url_prefix="/v2.1",
                description="x509 certificates signed by the cloud's CA")

CertificateResponse = envelope("CertificateResponse", "certificate")
_RULE = "os_compute_api:os-certificates:%s"


def _cert():
    """The cert role's client (looked up at call time so tests can swap it)."""
    return cert_rpcapi.CertAPI()


def _view(certificate, private_key=None):
    return {"certificate": {"data": certificate, "private_key": private_key}}


@blp.route("/os-certificates")
class Certificates(MethodView):
    """Certificates of the calling user."""

    @blp.response(200, CertificateResponse)
    def post(self):
        """Create a key pair and a certificate for the calling user and
        project, signed by the CA (200, as Nova: the body is ignored)."""
        policy.authorize(_RULE % "create")
        ctxt = get_context()
        private_key, certificate = _cert().generate_x509_cert(ctxt, ctxt.user_id,
                                                               ctxt.project_id)
        return _view(certificate, private_key)


@blp.route("/os-certificates/<certificate_id>")
class Certificate(MethodView):
    """The root certificate (the only one that can be shown)."""

    @blp.response(200, CertificateResponse)
    @blp.alt_response(501, description="Any id but `root`.")
    def get(self, certificate_id):
        """Show the CA's root certificate: `root` is the only id."""
        policy.authorize(_RULE % "show")
        if certificate_id != "root":
            raise HTTPNotImplemented("Only root certificate can be retrieved.")
        return _view(_cert().fetch_ca(get_context()))
