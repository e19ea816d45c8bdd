"""A server's ports: made (or taken, when the user gave a port) when its
host is chosen, in the transaction that records the host, and given back
when the server is deleted. The result is the instance's network_info,
what its host needs to plug it."""
import ipaddress

from stratus.common import exception
from stratus.conductor.db import networks
from stratus.conductor.db import security_groups as security_groups_db
from stratus.conductor.db.security_groups import DEFAULT as DEFAULT_GROUP
from stratus.conductor.db.models import Network, Subnet

COMPUTE_OWNER = "compute:"


def allocate(session, instance, requested, host, security_groups=None, placed_before=True):
    """network_info for `instance` on `host`: its ports, bound to the host.
    A server that has ports already (a reschedule, a second delivery)
    keeps them, bound to the new host; one never placed before
    (`placed_before` False: its ports are made with its first host) is
    not looked up. The ports made here join `security_groups` (ids,
    "default" for the project's default; None: the default alone)."""
    owned = (networks.ports_of_device(session, instance.uuid)
             if placed_before and networks.device_has_ports(session, instance.uuid) else [])
    if owned:
        for port in owned:
            port.binding_host_id = host
        return _network_info(session, owned, instance.network_info)
    if security_groups:
        security_groups = [_group_id(session, instance.project_id, g) for g in security_groups]
    preserved = set()
    for wanted in requested or []:
        if wanted.get("port_id"):
            port = networks.port_get(session, wanted["port_id"])  # the API checked access
            if port.device_id:
                raise exception.PortInUse(net_id=port.network_id, port_id=port.id,
                                          device_id=port.device_id)
            port.device_id, port.binding_host_id = instance.uuid, host
            port.device_owner = COMPUTE_OWNER + (instance.availability_zone or "nova")
            port.status = "ACTIVE"
            preserved.add(port.id)
            continue
        fixed = [{"ip_address": wanted["fixed_ip"]}] if wanted.get("fixed_ip") else None
        networks.port_create(session, {
            "network_id": wanted["network_id"], "project_id": instance.project_id,
            "device_id": instance.uuid, "binding_host_id": host, "fixed_ips": fixed,
            "device_owner": COMPUTE_OWNER + (instance.availability_zone or "nova"),
            "security_groups": security_groups},
            instance.project_id)
    if not requested:
        return []  # no port asked for, none made (a boot without networks)
    session.flush()
    ports = networks.ports_of_device(session, instance.uuid)
    return _network_info(session, ports, [{"port_id": p, "preserve": True} for p in preserved])


def _group_id(session, project_id, group):
    """A group's id; "default" (as the API passes it) is the project's
    default group, made if it is not there yet."""
    if group == DEFAULT_GROUP:
        return security_groups_db.default_group(session, project_id).id
    return group


def _network_info(session, ports, previous):
    """One entry per port (its first address: a port here has one)."""
    preserve = {vif.get("port_id") for vif in previous or [] if vif.get("preserve")}
    info = []
    for port in ports:
        network = session.get(Network, port.network_id)
        fixed = (networks.fixed_ips(session, port.id) or [{}])[0]
        subnet = session.get(Subnet, fixed["subnet_id"]) if fixed else None
        info.append({
            "port_id": port.id, "mac": port.mac_address, "network_id": network.id,
            "network_name": network.name, "mtu": network.mtu,
            "subnet_id": subnet.id if subnet else None, "cidr": subnet.cidr if subnet else None,
            "gateway": subnet.gateway_ip if subnet else None, "ip": fixed.get("ip_address"),
            "ip_version": ipaddress.ip_network(subnet.cidr).version if subnet else None,
            "dns_nameservers": list(subnet.dns_nameservers or []) if subnet else [],
            "preserve": port.id in preserve})
    return info


def release(session, instance):
    """A deleted server's ports: the ones made for it are deleted, the ones
    the user gave are unbound (theirs to reuse), as Nova."""
    preserve = {vif.get("port_id") for vif in instance.network_info or [] if vif.get("preserve")}
    for port in networks.ports_of_device(session, instance.uuid):
        if port.id in preserve:
            port.device_id = port.device_owner = port.binding_host_id = ""
            port.status = "DOWN"
        else:
            networks.port_delete(session, port.id)
