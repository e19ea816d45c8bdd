"""/v2.1/os-networks: no network service yet, so an empty list (clients
fall back to it when the catalog has no network service)."""
from flask.views import MethodView

from app import policy
from app.api import Blueprint
from app.schemas.responses import NetworksResponse

blp = Blueprint("networks", __name__, url_prefix="/v2.1", description="Networks (none yet)")


@blp.route("/os-networks")
class Networks(MethodView):
    """Networks."""

    @blp.response(200, NetworksResponse)
    def get(self):
        """List networks (always empty for now)."""
        policy.authorize("os_compute_api:os-networks:list")
        return {"networks": []}
