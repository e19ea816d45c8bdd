"""/network/v2.0/networks and /subnets. Sharing a network and making it
external are for admins (Neutron's create_network:shared and
create_network:router:external); `router:external` is the record's
`external`."""
from marshmallow import fields, validate

from stratus.api.api import Blueprint
from stratus.api.neutron import bodies, routes
from stratus.api.neutron.bodies import NeutronBody, Owned
from stratus.api.neutron.resource import Resource

blp = Blueprint("neutron_networks", __name__, url_prefix="/network/v2.0",
                description="Network: networks and subnets")

NETWORK = Resource("network", admin_only=(("shared", "shared"),
                                          ("external", "router:external")))
SUBNET = Resource("subnet")


class NetworkUpdate(NeutronBody):
    name = bodies.name()
    description = bodies.description()
    admin_state_up = fields.Boolean()
    shared = fields.Boolean()
    external = fields.Boolean(data_key="router:external")
    mtu = fields.Integer(validate=validate.Range(min=68, max=9216))


class NetworkCreate(Owned, NetworkUpdate):
    """A network of the caller's project (another's: admins)."""


class Pool(NeutronBody):
    start = fields.String(required=True, validate=bodies.ip_address)
    end = fields.String(required=True, validate=bodies.ip_address)


class HostRoute(NeutronBody):
    destination = fields.String(required=True, validate=bodies.ip_network)
    nexthop = fields.String(required=True, validate=bodies.ip_address)


class SubnetUpdate(NeutronBody):
    name = bodies.name()
    description = bodies.description()
    enable_dhcp = fields.Boolean()
    gateway_ip = fields.String(allow_none=True, validate=bodies.ip_address)
    dns_nameservers = fields.List(fields.String(validate=bodies.ip_address))
    host_routes = fields.List(fields.Nested(HostRoute))


class SubnetCreate(Owned, SubnetUpdate):
    """A subnet of a network the caller owns; the gateway defaults to the
    CIDR's first address, the pool to the rest."""

    network_id = fields.String(required=True)
    cidr = fields.String(required=True, validate=bodies.ip_network)
    ip_version = fields.Integer(validate=validate.OneOf([4, 6]))
    allocation_pools = fields.List(fields.Nested(Pool))


routes.register(blp, NETWORK, "networks", NetworkCreate, NetworkUpdate)
routes.register(blp, SUBNET, "subnets", SubnetCreate, SubnetUpdate)
