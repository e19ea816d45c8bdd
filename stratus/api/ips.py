"""/v2.1/servers/{id}/ips: a server's addresses by network, as Nova's ips
API (from the server's network_info)."""
from flask.views import MethodView
from marshmallow import Schema, fields
from werkzeug.exceptions import NotFound

from stratus.api import compute_api, policy
from stratus.api.api import Blueprint
from stratus.api.request_context import get_context
from stratus.api.views.addresses import addresses

blp = Blueprint("ips", __name__, url_prefix="/v2.1", description="Server addresses")

AddressesResponse = Schema.from_dict({"addresses": fields.Dict()}, name="AddressesResponse")


def _networks(server_id, action):
    """{label: [address, ...]} of a visible server (else 404), once the
    rule allows `action` on it."""
    instance = compute_api.get(get_context(), server_id)
    policy.authorize(f"os_compute_api:ips:{action}", project_id=instance.project_id)
    return addresses(instance, extended=False)


@blp.route("/servers/<server_id>/ips")
class ServerIps(MethodView):
    """All of a server's addresses."""

    @blp.response(200, AddressesResponse)
    def get(self, server_id):
        """List the addresses, by network label."""
        return {"addresses": _networks(server_id, "index")}


@blp.route("/servers/<server_id>/ips/<network_label>")
class ServerIpsOfNetwork(MethodView):
    """A server's addresses on one network."""

    @blp.response(200)
    def get(self, server_id, network_label):
        """Show the addresses on a network; 404 when the server is not on it."""
        networks = _networks(server_id, "show")
        if network_label not in networks:
            raise NotFound("Instance is not a member of specified network")
        return {network_label: networks[network_label]}
