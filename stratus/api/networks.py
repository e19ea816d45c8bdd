"""/v2.1/os-networks: Nova's proxy to the network service. There is no
network service here, so a server gets no NIC, and the one network
listed is `none`: Nova's own word for "no network" (`"networks":
"none"`, 2.37).

Why list it: `openstack server create --network none` does not send
"none"; OSC treats the value of --network as a network name, looks it up
(GET /os-networks/none, then the list by label) and posts
`"networks": [{"uuid": <its id>}]`. Answering the lookup with this entry,
whose id is `none` too, makes that request read as what the user asked
for, and server creation (app.server_build.check_networks) boots such a
server with no NIC. Any other network is not found, as in Nova."""
from flask.views import MethodView

from stratus.api import policy
from stratus.api.api import Blueprint
from stratus.api.schemas.responses import NetworksResponse, envelope
from stratus.common import exception

blp = Blueprint("networks", __name__, url_prefix="/v2.1", description="Networks (only `none`)")

NetworkResponse = envelope("NetworkResponse", "network")
NO_NETWORK = "none"
# Nova's network view for non-admins; a network service would fill the
# nulls (Nova gives admins more fields, all null without nova-network).
_FIELDS = ("id", "cidr", "netmask", "gateway", "broadcast", "dns1", "dns2",
           "cidr_v6", "gateway_v6", "label", "netmask_v6")


def no_network():
    view = dict.fromkeys(_FIELDS)
    view.update(id=NO_NETWORK, label=NO_NETWORK)
    return view


@blp.route("/os-networks")
class Networks(MethodView):
    """Networks."""

    @blp.response(200, NetworksResponse)
    def get(self):
        """List networks (only `none`: servers get no NIC)."""
        policy.authorize("os_compute_api:os-networks:list")
        return {"networks": [no_network()]}


@blp.route("/os-networks/<network_id>")
class Network(MethodView):
    """One network."""

    @blp.response(200, NetworkResponse)
    def get(self, network_id):
        """Show a network (only `none` exists)."""
        policy.authorize("os_compute_api:os-networks:show")
        if network_id != NO_NETWORK:
            raise exception.NotFound("Network not found")
        return {"network": no_network()}
