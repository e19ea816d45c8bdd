"""/network/v2.0/networks and /subnets. Sharing a network and making it
external are for admins (Neutron's create_network:shared and
create_network:router:external); `router:external` is the record's
`external`."""
import ipaddress

from marshmallow import fields, validate

from stratus.api.api import Blueprint
from stratus.api.neutron import bodies, routes
from stratus.api.neutron.bodies import NeutronBody, Owned
from stratus.api.neutron.resource import Resource
from stratus.api.schemas.fields import NovaBoolean, NovaInteger
from stratus.common import exception

blp = Blueprint("neutron_networks", __name__, url_prefix="/network/v2.0",
                description="Network: networks and subnets")

NETWORK = Resource("network", admin_only=(("shared", "shared"),
                                          ("external", "router:external")))
SUBNET = Resource("subnet")


class NetworkUpdate(NeutronBody):
    name = bodies.name()
    description = bodies.description()
    admin_state_up = NovaBoolean()
    shared = NovaBoolean()
    external = NovaBoolean(data_key="router:external")
    mtu = NovaInteger(minimum=68, maximum=9216)


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
    enable_dhcp = NovaBoolean()
    gateway_ip = fields.String(allow_none=True, validate=bodies.ip_address)
    dns_nameservers = fields.List(fields.String(validate=bodies.ip_address))
    host_routes = fields.List(fields.Nested(HostRoute))


class SubnetCreate(Owned, SubnetUpdate):
    """A subnet of a network the caller owns; the gateway defaults to the
    CIDR's first address, the pool to the rest."""

    network_id = fields.String(required=True)
    cidr = fields.String(required=True, validate=bodies.ip_network)
    ip_version = fields.Integer(strict=True, validate=validate.OneOf([4, 6]))
    allocation_pools = fields.List(fields.Nested(Pool))


def check_pools(values):
    """Each allocation pool a range of the subnet's own addresses."""
    cidr = ipaddress.ip_network(values.get("cidr") or "0.0.0.0/0", strict=False)
    for pool in values.get("allocation_pools") or ():
        start, end = ipaddress.ip_address(pool["start"]), ipaddress.ip_address(pool["end"])
        if start not in cidr or end not in cidr or start > end:
            raise exception.Invalid(f"The allocation pool {pool['start']}-{pool['end']} spans "
                                    f"beyond the subnet cidr {cidr}.")
    return values


routes.register(blp, NETWORK, "networks", NetworkCreate, NetworkUpdate)
routes.register(blp, SUBNET, "subnets", SubnetCreate, SubnetUpdate, prepare=check_pools)
