"""The networks a new server asks for (`networks` of a create request),
checked against the network service before anything is recorded, and
turned into what the conductor allocates from: a list of
{"network_id", "port_id", "fixed_ip"}.

As Nova: "none" is no NIC; "auto" (and, before 2.37, no `networks` at all)
is the one network the project can use, or no NIC when there is none; with
several, the request must say which. The `none` network of os-networks
(app.networks) is no NIC too, for clients without a network endpoint."""
import ipaddress

from stratus.api import common, networks, security_group_api
from stratus.common import exception

DEFAULT_GROUP = "default"


def requested_networks(ctxt, requested, count):
    if requested == "none":
        return []
    if requested is None or requested == "auto":
        return _auto(ctxt) if networks.network_service() else []
    wanted = []
    for network in requested:
        if network.get("port"):
            wanted.append(_port(ctxt, network["port"], count))
            continue
        net_id = network.get("uuid")
        if net_id is None:
            raise exception.Invalid("Bad network format: missing 'uuid'")
        if net_id == networks.NO_NETWORK:
            if network.get("fixed_ip"):
                raise exception.Invalid(f"Fixed IP {network['fixed_ip']} cannot be used: "
                                        f"network {net_id} has no addresses.")
            continue
        if not common.is_uuid_like(net_id):
            raise exception.Invalid("Bad networks format: network uuid is not in proper "
                                    f"format ({net_id})")
        if not networks.network_service():
            raise exception.Invalid(f"Network {net_id} could not be found.")
        wanted.append(_network(ctxt, net_id, network.get("fixed_ip"), count))
    return wanted


def security_groups(ctxt, requested, wanted_networks):
    """The ids of the groups a new server's ports join (None: the
    project's default; "default" stands for it among others), when it
    gets ports; an unknown name is a 400."""
    names = [g["name"] for g in requested or []]
    if not wanted_networks or not names or names == [DEFAULT_GROUP]:
        return None
    found = []
    for name in dict.fromkeys(names):
        if name == DEFAULT_GROUP:
            found.append(DEFAULT_GROUP)  # the conductor knows it (made at first need)
            continue
        try:
            found.append(security_group_api.find_group(ctxt, name))
        except exception.SecurityGroupNotFound:
            raise exception.Invalid(f"Security group {name} not found.") from None
    return found


def _auto(ctxt):
    usable = [n for n in common.conductor().net_list(ctxt, "network")
              if not n["router:external"] and n["subnets"]]
    if len(usable) > 1:
        raise exception.NetworkAmbiguous()
    return [{"network_id": usable[0]["id"]}] if usable else []


def _network(ctxt, net_id, fixed_ip, count):
    try:
        network = common.conductor().net_get(ctxt, "network", net_id)
    except exception.NetworkNotFound:
        raise exception.Invalid(f"Network {net_id} could not be found.") from None
    if not network["subnets"]:
        raise exception.Invalid(f"Network {net_id} requires a subnet in order to boot "
                                "instances on.")
    if fixed_ip is None:
        return {"network_id": net_id}
    try:
        ipaddress.ip_address(fixed_ip)
    except ValueError:
        raise exception.Invalid(f"Invalid fixed IP address ({fixed_ip})") from None
    if count > 1:
        raise exception.Invalid("Unable to launch multiple instances with a single configured "
                                "fixed IP.")
    return {"network_id": net_id, "fixed_ip": fixed_ip}


def _port(ctxt, port_id, count):
    if count > 1:
        raise exception.Invalid("Unable to launch multiple instances with a single configured "
                                "port ID. Please launch your instance one by one with "
                                "different ports.")
    if not networks.network_service():
        raise exception.Invalid(f"Port id {port_id} could not be found.")
    try:
        port = common.conductor().net_get(ctxt, "port", port_id)
    except exception.PortNotFound:
        raise exception.Invalid(f"Port id {port_id} could not be found.") from None
    if port["device_id"]:
        raise exception.PortInUse(net_id=port["network_id"], port_id=port_id,
                                  device_id=port["device_id"])
    if not port["fixed_ips"]:
        # Nova's PortRequiresFixedIP: the host's DHCP has no address to give.
        raise exception.Invalid(f"Port {port_id} requires a FixedIP in order to be used.")
    return {"network_id": port["network_id"], "port_id": port_id}
