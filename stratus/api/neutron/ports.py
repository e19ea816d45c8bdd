"""/network/v2.0/ports. A port's security groups must be groups the
caller sees (404 otherwise, as Neutron's); binding a port to a host is
for admins (create_port:binding:host_id)."""
from marshmallow import fields, validate

from stratus.api import common
from stratus.api.api import Blueprint
from stratus.api.neutron import bodies, routes
from stratus.api.neutron.bodies import NeutronBody, Owned
from stratus.api.neutron.resource import Resource
from stratus.api.request_context import get_context
from stratus.api.schemas.fields import NovaBoolean

blp = Blueprint("neutron_ports", __name__, url_prefix="/network/v2.0",
                description="Network: ports")

PORT = Resource("port", admin_only=(("binding_host_id", "binding:host_id"),))
MAC = r"^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$"


class FixedIp(NeutronBody):
    subnet_id = fields.String()
    ip_address = fields.String(validate=bodies.ip_address)


class PortUpdate(NeutronBody):
    name = bodies.name()
    description = bodies.description()
    device_id = fields.String(validate=validate.Length(max=255))
    device_owner = fields.String(validate=validate.Length(max=255))
    admin_state_up = NovaBoolean()
    binding_host_id = fields.String(data_key="binding:host_id", validate=validate.Length(max=255))
    security_groups = fields.List(fields.String())


class PortCreate(Owned, PortUpdate):
    """A port on a network the caller sees, with an address of each
    fixed_ips entry (else one of the network's first subnet)."""

    network_id = fields.String(required=True)
    fixed_ips = fields.List(fields.Nested(FixedIp))
    mac_address = fields.String(validate=validate.Regexp(MAC, error="'{input}' is not a valid "
                                                                     "MAC address"))


def check_groups(values):
    """The groups named are groups the caller sees (SecurityGroupNotFound)."""
    for group_id in values.get("security_groups") or ():
        common.conductor().net_get(get_context(), "security_group", group_id)
    return values


routes.register(blp, PORT, "ports", PortCreate, PortUpdate, prepare=check_groups)
