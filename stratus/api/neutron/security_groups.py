"""/network/v2.0/security-groups and /security-group-rules (rules are
created and deleted, never updated). A rule is checked as Neutron checks
it: a known protocol, a port range that fits it, a prefix of its
ethertype, and not both a remote prefix and a remote group."""
import ipaddress

from marshmallow import fields, validate

from stratus.api import common
from stratus.api.api import Blueprint
from stratus.api.neutron import bodies, routes
from stratus.api.neutron.bodies import NeutronBody, Owned
from stratus.api.neutron.resource import Resource
from stratus.api.request_context import get_context
from stratus.api.schemas.fields import NovaInteger
from stratus.common import exception

blp = Blueprint("neutron_security_groups", __name__, url_prefix="/network/v2.0",
                description="Network: security groups and rules")

GROUP = Resource("security_group")
RULE = Resource("security_group_rule")
DEFAULT = "default"
# Neutron's protocol names with their numbers.
PROTOCOLS = {"tcp": 6, "udp": 17, "icmp": 1, "icmpv6": 58, "ipv6-icmp": 58, "sctp": 132,
             "gre": 47, "ah": 51, "esp": 50, "igmp": 2, "ipip": 4, "vrrp": 112, "any": None}
_PORTED = {6, 17, 132}
_ICMP = {1, 58}


class GroupUpdate(NeutronBody):
    name = bodies.name()
    description = bodies.description()


class GroupCreate(Owned, GroupUpdate):
    """A group of the caller's project, with Neutron's egress rules."""


class RuleCreate(Owned):
    """An ingress or egress rule of a group the caller owns."""

    security_group_id = fields.String(required=True)
    direction = fields.String(required=True, validate=validate.OneOf(["ingress", "egress"]))
    ethertype = fields.String(validate=validate.OneOf(["IPv4", "IPv6"]))
    protocol = fields.Raw(allow_none=True)
    port_range_min = NovaInteger(minimum=0, maximum=65535, allow_none=True)
    port_range_max = NovaInteger(minimum=0, maximum=65535, allow_none=True)
    remote_ip_prefix = fields.String(allow_none=True, validate=bodies.ip_network)
    remote_group_id = fields.String(allow_none=True)
    description = bodies.description()


def _invalid(message):
    return exception.Invalid(message)


def protocol_number(protocol):
    """The IP protocol number of a name or a number (None: any)."""
    if protocol is None or str(protocol).lower() in PROTOCOLS:
        return None if protocol is None else PROTOCOLS[str(protocol).lower()]
    text = str(protocol)
    if not text.isdigit() or not 0 <= int(text) <= 255:
        raise _invalid(f"Security group rule protocol {protocol} not supported. Only protocol "
                       f"values {sorted(PROTOCOLS)} and integer representations [0 to 255] "
                       "are supported.")
    return int(text)


def _check_ports(number, low, high):
    if low is None and high is None:
        return
    if number in _PORTED:
        if low is None or high is None or not 1 <= low <= high <= 65535:
            raise _invalid("For TCP/UDP protocols, port_range_min must be <= port_range_max")
    elif number in _ICMP:
        for kind, value in (("type", low), ("code", high)):
            if value is not None and not 0 <= value <= 255:
                raise _invalid(f"Invalid value for ICMP {kind}: {value}")
    else:
        raise _invalid("Port range is only allowed with TCP, UDP, SCTP or ICMP protocols.")


def check_rule(values):
    """Neutron's checks of a new rule; the prefix is normalised
    (10.0.0.7/24 is 10.0.0.0/24)."""
    values.setdefault("ethertype", "IPv4")
    number = protocol_number(values.get("protocol"))
    _check_ports(number, values.get("port_range_min"), values.get("port_range_max"))
    prefix = values.get("remote_ip_prefix")
    if prefix and values.get("remote_group_id"):
        raise _invalid("Only remote_ip_prefix or remote_group_id may be provided.")
    if prefix:
        network = ipaddress.ip_network(prefix, strict=False)
        if f"IPv{network.version}" != values["ethertype"]:
            raise _invalid(f"Conflicting value ethertype {values['ethertype']} for CIDR "
                           f"{prefix}")
        values["remote_ip_prefix"] = str(network)
    if values.get("remote_group_id"):
        common.conductor().net_get(get_context(), "security_group", values["remote_group_id"])
    if values.get("protocol") is not None:
        values["protocol"] = str(values["protocol"]).lower()
    return values


def check_group(values):
    """No group is named `default` but the one each project has
    (Neutron's name_not_default, on create and update)."""
    if str(values.get("name", "")).lower() == DEFAULT:
        raise exception.SecurityGroupDefaultAlreadyExists()
    return values


routes.register(blp, GROUP, "security-groups", GroupCreate, GroupUpdate, prepare=check_group)
routes.register(blp, RULE, "security-group-rules", RuleCreate, prepare=check_rule)
