"""Nova's security groups, answered from the network service (Nova's
nova/network/security_group_api.py): the proxy's views of Neutron's
groups and rules (ingress rules only, ports as from_port/to_port), the
ingress rule a proxy request makes, and adding a group to (or removing
it from) every port of a server."""
import ipaddress

from stratus.api import common
from stratus.common import exception

ANY_CIDR = "0.0.0.0/0"
NO_PORTS = "instance_id %s could not be found as device id on any ports"


def rule_view(rule, group_names):
    """A Neutron rule as Nova shows it; None for a rule whose remote group
    the caller cannot see (Nova leaves it out)."""
    protocol, low, high = rule["protocol"], rule["port_range_min"], rule["port_range_max"]
    if protocol and low is None and high is None:
        low, high = (1, 65535) if protocol.upper() in ("TCP", "UDP") else (-1, -1)
    view = {"id": rule["id"], "parent_group_id": rule["security_group_id"],
            "ip_protocol": protocol, "from_port": low, "to_port": high, "group": {},
            "ip_range": {}}
    if rule["remote_group_id"]:
        if rule["remote_group_id"] not in group_names:
            return None
        view["group"] = group_names[rule["remote_group_id"]]
    else:
        view["ip_range"] = {"cidr": rule["remote_ip_prefix"] or ANY_CIDR}
    return view


def group_view(group, group_names):
    rules = [rule_view(rule, group_names) for rule in group["security_group_rules"]
             if rule["direction"] == "ingress"]
    return {"id": group["id"], "name": group["name"], "description": group["description"],
            "tenant_id": group["project_id"], "rules": [rule for rule in rules if rule]}


def names_of(groups):
    """{id: {"name", "tenant_id"}}: how a rule names its remote group."""
    return {g["id"]: {"name": g["name"], "tenant_id": g["project_id"]} for g in groups}


def views(ctxt, groups):
    """Nova's views of groups, sorted as Nova's (by project, then name)."""
    names = names_of(common.conductor().net_list(ctxt, "security_group"))
    return sorted((group_view(group, names) for group in groups),
                  key=lambda view: (view["tenant_id"], view["name"]))


def _ports(value, protocol):
    """An int of a port (or ICMP type or code) the request gave."""
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        if protocol == "ICMP":
            raise exception.Invalid("Invalid input received: Type and Code must be integers "
                                    "for ICMP protocol type") from None
        raise exception.Invalid("Invalid input received: To and From ports must be "
                                "integers") from None


def _check_range(protocol, low, high):
    if protocol not in ("TCP", "UDP", "ICMP"):
        raise exception.Invalid(f"Invalid IP protocol {protocol}.")
    if protocol in ("TCP", "UDP") and low > high:
        raise exception.Invalid(f"Invalid port range {low}:{high}. Former value cannot be "
                                "greater than the later")
    if protocol in ("TCP", "UDP") and (low < 1 or high > 65535):
        raise exception.Invalid(f"Invalid port range {low}:{high}. Valid {protocol} ports "
                                "should be between 1-65535")
    if protocol == "ICMP" and not (-1 <= low <= 255 and -1 <= high <= 255):
        raise exception.Invalid(f"Invalid port range {low}:{high}. For ICMP, the type:code "
                                "must be valid")


def parse_cidr(cidr):
    """Nova's: none is 0.0.0.0/0; a network with a host part is refused
    only with prefix 0 (10.0.0.0/0 says something other than meant)."""
    if not cidr:
        return ANY_CIDR
    try:
        network = ipaddress.ip_network(str(cidr), strict=False)
    except ValueError:
        raise exception.Invalid(f"{cidr} is not a valid IP network.") from None
    if network.prefixlen == 0 and str(cidr).split("/")[0] not in ("0.0.0.0", "::"):
        raise exception.Invalid(f"Bad prefix for network in cidr {cidr}")
    return str(cidr)


def _default_ports(protocol, low, high):
    """A rule naming a source group opens the whole range when it names none."""
    if low is not None or high is not None:
        return low, high
    upper = (protocol or "").upper()
    return {"ICMP": (-1, -1), "TCP": (1, 65535), "UDP": (1, 65535)}.get(upper, (low, high))


def ingress_rule(body):
    """The Neutron values of a proxy rule request `{parent_group_id,
    group_id, ip_protocol, from_port, to_port, cidr}`; None when it names
    a CIDR but no protocol and ports (Nova: not enough to build a rule)."""
    group_id, protocol = body.get("group_id"), body.get("ip_protocol")
    low, high = body.get("from_port"), body.get("to_port")
    cidr = None if group_id else parse_cidr(body.get("cidr"))
    if group_id:
        low, high = _default_ports(protocol, low, high)
    values = {"security_group_id": body["parent_group_id"], "direction": "ingress",
              "remote_group_id": group_id, "remote_ip_prefix": cidr,
              "ethertype": "IPv6" if cidr and ipaddress.ip_network(cidr, strict=False).version == 6
              else "IPv4"}
    if not (protocol and low is not None and high is not None):
        return None if cidr else values
    upper = str(protocol).upper()
    low, high = _ports(low, upper), _ports(high, upper)
    _check_range(upper, low, high)
    values.update(protocol=str(protocol).lower(), port_range_min=None if low == -1 else low,
                  port_range_max=None if high == -1 else high)
    return values


def find_group(ctxt, name_or_id):
    """The id of a group named by id, or by name in the caller's project."""
    conductor = common.conductor()
    found = conductor.net_list(ctxt, "security_group", {"id": name_or_id}) if \
        common.is_uuid_like(name_or_id) else []
    found = found or conductor.net_list(ctxt, "security_group", {
        "name": name_or_id, "project_id": ctxt.project_id})
    if not found:
        raise exception.SecurityGroupNotFound(f"Security group {name_or_id} is not found for "
                                              f"project {ctxt.project_id}")
    if len(found) > 1:
        raise exception.Conflict(f"Multiple security_group matches found for name "
                                 f"'{name_or_id}', use an ID to be more specific.")
    return found[0]["id"]


def server_ports(ctxt, instance):
    ports = common.conductor().net_list(ctxt, "port", {"device_id": instance.uuid})
    if not ports:
        raise exception.SecurityGroupNotFound(NO_PORTS % instance.uuid)
    return ports


def _groups_of(ctxt, ports):
    """{id: group} of the groups the ports are in (one conductor call)."""
    ids = list(dict.fromkeys(g for port in ports for g in port["security_groups"]))
    groups = common.conductor().net_list(ctxt, "security_group", {"id": ids}) if ids else []
    return {group["id"]: group for group in groups}


def instance_groups(ctxt, instance):
    """Nova's views of the groups of the server's ports."""
    ports = common.conductor().net_list(ctxt, "port", {"device_id": instance.uuid})
    return views(ctxt, list(_groups_of(ctxt, ports).values()))


def _set_groups(ctxt, port, groups):
    common.conductor().net_update(ctxt, "port", port["id"], {"security_groups": groups})


def add_to_instance(ctxt, instance, name):
    """Add the group to every port of the server; a port without an
    address cannot take one (400), checked for all before any changes."""
    group_id = find_group(ctxt, name)
    ports = server_ports(ctxt, instance)
    if any(not port["fixed_ips"] for port in ports):
        raise exception.Invalid("Network requires port_security_enabled and subnet associated "
                                "in order to apply security groups.")
    for port in ports:
        if group_id not in port["security_groups"]:
            _set_groups(ctxt, port, port["security_groups"] + [group_id])


def remove_from_instance(ctxt, instance, name):
    """Remove the group from the server's ports that have it; 404 when
    none has (Nova's)."""
    group_id = find_group(ctxt, name)
    having = [port for port in server_ports(ctxt, instance)
              if group_id in port["security_groups"]]
    if not having:
        raise exception.SecurityGroupNotFound(f"Security group {name} not associated with the "
                                              f"instance {instance.uuid}")
    for port in having:
        _set_groups(ctxt, port, [g for g in port["security_groups"] if g != group_id])


def names_by_server(ctxt, instances):
    """{uuid: [{"name": ...}, ...]}: the groups of each server's ports, for
    server views; two conductor calls for a page, none when no server of
    it has a port."""
    plugged = [i.uuid for i in instances if i.network_info]
    if not plugged:
        return {}
    ports = common.conductor().net_list(ctxt, "port", {"device_id": plugged})
    names = {gid: group["name"] for gid, group in _groups_of(ctxt, ports).items()}
    found = {uuid: [] for uuid in plugged}
    for port in ports:
        entries = found[port["device_id"]]
        for group_id in port["security_groups"]:
            if group_id in names and {"name": names[group_id]} not in entries:
                entries.append({"name": names[group_id]})
    return found
