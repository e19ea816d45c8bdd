"""/v2.1/os-networks: Nova's proxy to the network service: the networks
the project can use, in Nova's view (label = name), and `none`: Nova's
own word for "no network" (`"networks": "none"`, 2.37).

Why list `none`: for clients with no network endpoint in the catalog, `openstack server create --network none` does not send
"none"; OSC treats the value of --network as a network name, looks it up
(GET /os-networks/none, then the list by label) and posts
`"networks": [{"uuid": <its id>}]`. Answering the lookup with this entry,
whose id is `none` too, makes that request read as what the user asked
for, and server creation (app.server_networks) boots such a
server with no NIC. Any other network is not found, as in Nova."""
from flask.views import MethodView

from stratus.api import common, policy
from stratus.api.api import Blueprint
from stratus.api.microversion import is_supported
from stratus.api.schemas.responses import NetworksResponse, envelope
from stratus.api.request_context import get_context
from stratus.common import exception

blp = Blueprint("networks", __name__, url_prefix="/v2.1", description="Networks")

NetworkResponse = envelope("NetworkResponse", "network")
NO_NETWORK = "none"
# Nova's network view for non-admins; a network service would fill the
# nulls (Nova gives admins more fields, all null without nova-network).
_FIELDS = ("id", "cidr", "netmask", "gateway", "broadcast", "dns1", "dns2",
           "cidr_v6", "gateway_v6", "label", "netmask_v6")


# The conductors that know the network service (1.8). While a rolling
# upgrade caps them below it, there are no networks: a boot gets no NIC.
NETWORK_RPC_VERSION = "1.8"


def network_service():
    return common.conductor().can_send_version(NETWORK_RPC_VERSION)


def _view(net_id, label):
    view = dict.fromkeys(_FIELDS)
    view.update(id=net_id, label=label)
    return view


def no_network():
    return _view(NO_NETWORK, NO_NETWORK)


@blp.route("/os-networks")
class Networks(MethodView):
    """Networks."""

    @blp.response(200, NetworksResponse)
    def get(self):
        """List the networks the project can use, and `none`."""
        policy.authorize("os_compute_api:os-networks:list")
        found = (common.conductor().net_list(get_context(), "network")
                 if network_service() else [])
        return {"networks": [_view(n["id"], n["name"]) for n in found] + [no_network()]}


@blp.route("/os-networks/<network_id>")
class Network(MethodView):
    """One network."""

    @blp.response(200, NetworkResponse)
    def get(self, network_id):
        """Show a network (or `none`)."""
        policy.authorize("os_compute_api:os-networks:show")
        if network_id == NO_NETWORK:
            return {"network": no_network()}
        try:
            found = common.conductor().net_get(get_context(), "network", network_id)
        except exception.NetworkNotFound:
            raise exception.NotFound("Network not found") from None
        return {"network": _view(found["id"], found["name"])}


# os-tenant-networks: the same networks in Nova's tenant view (id, label,
# cidr), gone from microversion 2.36 as Nova's network proxies.
def _tenant_view(network, subnets):
    cidrs = [s["cidr"] for s in subnets if s["network_id"] == network["id"]]
    return {"id": network["id"], "label": network["name"], "cidr": cidrs[0] if cidrs else None}


def _before_236():
    if is_supported("2.36"):
        raise exception.NotFound("The network proxy API is not available from microversion "
                                 "2.36.")


@blp.route("/os-tenant-networks")
class TenantNetworks(MethodView):
    """The project's networks (Nova's tenant view)."""

    @blp.response(200, NetworksResponse)
    @blp.alt_response(404, description="From 2.36 (the proxy API is gone).")
    def get(self):
        """List the networks the project can use."""
        policy.authorize("os_compute_api:os-tenant-networks:list")
        _before_236()
        ctxt = get_context()
        subnets = common.conductor().net_list(ctxt, "subnet")
        return {"networks": [_tenant_view(n, subnets)
                             for n in common.conductor().net_list(ctxt, "network")]}


@blp.route("/os-tenant-networks/<network_id>")
class TenantNetwork(MethodView):
    """One of the project's networks."""

    @blp.response(200, NetworkResponse)
    @blp.alt_response(404, description="Unknown network, or from 2.36.")
    def get(self, network_id):
        """Show a network."""
        policy.authorize("os_compute_api:os-tenant-networks:show")
        _before_236()
        ctxt = get_context()
        try:
            found = common.conductor().net_get(ctxt, "network", network_id)
        except exception.NetworkNotFound:
            raise exception.NotFound("Network not found") from None
        subnets = common.conductor().net_list(ctxt, "subnet", {"network_id": network_id})
        return {"network": _tenant_view(found, subnets)}
