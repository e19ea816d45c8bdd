"""The network service's records: networks, subnets, ports and the
addresses they hold. Who may see what is decided here from `project_id`
(None for an admin): a project sees its own records and shared networks
(with their subnets), as in Neutron.

An address is allocated by inserting its ip_allocations row in a
savepoint: the primary key (network, address) lets one port hold it, so
two concurrent boots never get the same address; the loser of a race
moves on to the next free one."""
import ipaddress
import random
import uuid as uuidlib

from sqlalchemy import bindparam, delete, or_, select, true
from sqlalchemy.exc import IntegrityError

from stratus.common import exception
from stratus.conductor.db import security_groups
from stratus.conductor.db.models import IPAllocation, Network, Port, Subnet

# Neutron's default base MAC (fa:16:3e, OpenStack's OUI).
MAC_PREFIX = "fa:16:3e"


def _new_id():
    return str(uuidlib.uuid4())


def _visible(model, project_id):
    """The WHERE clause of the rows `project_id` may see (None: all)."""
    if project_id is None:
        return true()
    if model is Network:
        return or_(Network.project_id == project_id, Network.shared.is_(True))
    return model.project_id == project_id


def _filtered(model, filters):
    clauses = []
    for key, value in (filters or {}).items():
        column = getattr(model, key, None)
        if column is None or value is None:
            continue
        values = value if isinstance(value, list) else [value]
        clauses.append(column.in_(values))
    return clauses


# networks
def network_get(session, net_id, project_id=None):
    row = session.scalars(select(Network).where(Network.id == net_id,
                                                _visible(Network, project_id))).first()
    if row is None:
        raise exception.NetworkNotFound(net_id=net_id)
    return row


def network_list(session, filters=None, project_id=None):
    query = select(Network).where(_visible(Network, project_id), *_filtered(Network, filters))
    return list(session.scalars(query.order_by(Network.created_at, Network.id)))


def network_create(session, values):
    row = Network(id=_new_id(), **values)
    session.add(row)
    session.flush()
    return row


def network_update(session, net_id, values, project_id=None):
    row = _owned(session, Network, net_id, project_id, exception.NetworkNotFound, "net_id")
    for key, value in values.items():
        setattr(row, key, value)
    session.flush()
    return row


def network_delete(session, net_id, project_id=None):
    """Refused while any port is on it; its subnets go with it."""
    _owned(session, Network, net_id, project_id, exception.NetworkNotFound, "net_id")
    if session.scalars(select(Port.id).where(Port.network_id == net_id)).first():
        raise exception.NetworkInUse(net_id=net_id)
    session.execute(delete(Subnet).where(Subnet.network_id == net_id))
    session.execute(delete(Network).where(Network.id == net_id))


def _owned(session, model, resource_id, project_id, not_found, key):
    """A row `project_id` may change: its own (a shared network is seen,
    not owned)."""
    row = session.get(model, resource_id)
    if row is None or project_id not in (None, row.project_id):
        raise not_found(**{key: resource_id})
    return row


# subnets
def subnet_get(session, subnet_id, project_id=None):
    row = session.get(Subnet, subnet_id)
    if row is None or not _network_visible(session, row.network_id, project_id):
        raise exception.SubnetNotFound(subnet_id=subnet_id)
    return row


def _network_visible(session, net_id, project_id):
    try:
        network_get(session, net_id, project_id)
    except exception.NetworkNotFound:
        return False
    return True


def subnet_list(session, filters=None, project_id=None):
    query = select(Subnet).join(Network, Network.id == Subnet.network_id).where(
        _visible(Network, project_id), *_filtered(Subnet, filters))
    return list(session.scalars(query.order_by(Subnet.created_at, Subnet.id)))


def subnet_create(session, values, project_id=None):
    """A subnet of a network the caller owns (an admin: any), its CIDR
    normalised; the gateway defaults to the first address and the pool to
    the rest, as Neutron's."""
    network = _owned(session, Network, values["network_id"], project_id,
                     exception.NetworkNotFound, "net_id")
    try:
        cidr = ipaddress.ip_network(values["cidr"], strict=False)
    except ValueError:
        raise exception.Invalid(f"Invalid input for cidr. Reason: '{values['cidr']}' is not "
                                "a valid IP subnet.") from None
    version = values.get("ip_version", cidr.version)
    if version != cidr.version:
        raise exception.Invalid("Invalid input for operation: ip_version and cidr disagree.")
    if cidr.num_addresses < 4:
        raise exception.Invalid(f"Invalid input for cidr: {cidr} has too few addresses.")
    for other in session.scalars(select(Subnet).where(Subnet.network_id == network.id)):
        if ipaddress.ip_network(other.cidr).overlaps(cidr):
            raise exception.Invalid(f"Invalid input for operation: Requested subnet with cidr: "
                                    f"{cidr} for network: {network.id} overlaps with another "
                                    "subnet.")
    gateway = values.get("gateway_ip", str(cidr[1]))
    if gateway is not None and ipaddress.ip_address(gateway) not in cidr:
        raise exception.Invalid(f"Invalid input for operation: Gateway IP {gateway} is not in "
                                f"subnet {cidr}.")
    pools = values.get("allocation_pools") or _default_pools(cidr, gateway)
    row = Subnet(id=_new_id(), network_id=network.id, name=values.get("name", ""),
                 project_id=values.get("project_id") or network.project_id, cidr=str(cidr),
                 ip_version=cidr.version, gateway_ip=gateway,
                 enable_dhcp=values.get("enable_dhcp", True), allocation_pools=pools,
                 dns_nameservers=values.get("dns_nameservers") or [],
                 host_routes=values.get("host_routes") or [],
                 description=values.get("description", ""))
    session.add(row)
    session.flush()
    return row


def _default_pools(cidr, gateway):
    """Every host address but the gateway (IPv4's network and broadcast
    addresses are not hosts), as one or two ranges."""
    first, last = cidr[1], cidr[-2] if cidr.version == 4 else cidr[-1]
    if gateway is None:
        return [{"start": str(first), "end": str(last)}]
    gateway = ipaddress.ip_address(gateway)
    pools = []
    if first < gateway:
        pools.append({"start": str(first), "end": str(gateway - 1)})
    if gateway < last:
        pools.append({"start": str(gateway + 1), "end": str(last)})
    return pools


def subnet_update(session, subnet_id, values, project_id=None):
    row = _owned(session, Subnet, subnet_id, project_id, exception.SubnetNotFound, "subnet_id")
    for key in ("name", "description", "enable_dhcp", "dns_nameservers", "host_routes",
                "gateway_ip"):
        if key in values:
            setattr(row, key, values[key])
    session.flush()
    return row


def subnet_delete(session, subnet_id, project_id=None):
    _owned(session, Subnet, subnet_id, project_id, exception.SubnetNotFound, "subnet_id")
    if session.scalars(select(IPAllocation).where(IPAllocation.subnet_id == subnet_id)).first():
        raise exception.SubnetInUse(subnet_id=subnet_id)
    session.execute(delete(Subnet).where(Subnet.id == subnet_id))


# ports
def port_get(session, port_id, project_id=None):
    row = session.get(Port, port_id)
    if row is None or project_id not in (None, row.project_id):
        raise exception.PortNotFound(port_id=port_id)
    return row


def port_list(session, filters=None, project_id=None):
    query = select(Port).where(_visible(Port, project_id), *_filtered(Port, filters))
    return list(session.scalars(query.order_by(Port.created_at, Port.id)))


def fixed_ips(session, port_id):
    return fixed_ips_by_port(session, [port_id]).get(port_id, [])


def fixed_ips_by_port(session, port_ids):
    """{port id: [{"subnet_id", "ip_address"}]}, in one query."""
    found = {}
    if not port_ids:
        return found
    rows = session.scalars(select(IPAllocation).where(IPAllocation.port_id.in_(port_ids))
                           .order_by(IPAllocation.created_at))
    for row in rows:
        found.setdefault(row.port_id, []).append({"subnet_id": row.subnet_id,
                                                  "ip_address": row.ip_address})
    return found


def port_create(session, values, project_id=None):
    """A port on a network the caller sees, with a MAC of its own and an
    address: each requested fixed IP (a subnet, an address or both), else
    one from the network's first subnet."""
    network = network_get(session, values["network_id"], project_id)
    owner = values.get("project_id") or project_id or network.project_id
    groups = values.get("security_groups")
    if groups is None:
        groups = [security_groups.default_group(session, owner).id]
    row = Port(id=values.get("id") or _new_id(), network_id=network.id, project_id=owner,
               name=values.get("name", ""), mac_address=_new_mac(session, values),
               device_id=values.get("device_id", ""),
               device_owner=values.get("device_owner", ""),
               admin_state_up=values.get("admin_state_up", True),
               status="ACTIVE" if values.get("device_id") else "DOWN",
               security_groups=list(groups), binding_host_id=values.get("binding_host_id", ""),
               description=values.get("description", ""))
    session.add(row)
    session.flush()
    requested = values.get("fixed_ips")
    subnets = list(session.scalars(select(Subnet).where(Subnet.network_id == network.id)
                                   .order_by(Subnet.created_at, Subnet.id)))
    for wanted in (requested if requested is not None else [{}] if subnets else []):
        _allocate(session, network, subnets, row.id, wanted)
    return row


def _new_mac(session, values):
    if values.get("mac_address"):
        if session.scalars(select(Port.id).where(
                Port.mac_address == values["mac_address"])).first():
            raise exception.Conflict(f"Unable to complete operation for network "
                                     f"{values['network_id']}. The mac address "
                                     f"{values['mac_address']} is in use.")
        return values["mac_address"]
    while True:
        mac = MAC_PREFIX + "".join(f":{random.randint(0, 255):02x}" for _ in range(3))
        if not session.scalars(select(Port.id).where(Port.mac_address == mac)).first():
            return mac


def _allocate(session, network, subnets, port_id, wanted):
    subnet = _subnet_for(network, subnets, wanted)
    if wanted.get("ip_address"):
        address = ipaddress.ip_address(wanted["ip_address"])
        if address not in ipaddress.ip_network(subnet.cidr) or str(address) == subnet.gateway_ip:
            raise exception.InvalidIpForSubnet(ip=str(address))
        if not _hold(session, network.id, subnet.id, port_id, str(address)):
            raise exception.IpAddressAlreadyAllocated(ip=str(address), subnet_id=subnet.id)
        return
    used = set(session.scalars(select(IPAllocation.ip_address).where(
        IPAllocation.network_id == network.id)))
    for candidate in _pool_addresses(subnet):
        if candidate not in used and _hold(session, network.id, subnet.id, port_id, candidate):
            return
    raise exception.IpAddressGenerationFailure(net_id=network.id)


def _subnet_for(network, subnets, wanted):
    if wanted.get("subnet_id"):
        for subnet in subnets:
            if subnet.id == wanted["subnet_id"]:
                return subnet
        raise exception.SubnetNotFound(subnet_id=wanted["subnet_id"])
    if wanted.get("ip_address"):
        try:
            address = ipaddress.ip_address(wanted["ip_address"])
        except ValueError:
            raise exception.Invalid(f"Invalid input for operation: '{wanted['ip_address']}' "
                                    "is not a valid IP address.") from None
        for subnet in subnets:
            if address in ipaddress.ip_network(subnet.cidr):
                return subnet
        raise exception.InvalidIpForSubnet(ip=str(address))
    if not subnets:
        raise exception.IpAddressGenerationFailure(net_id=network.id)
    return subnets[0]


def _pool_addresses(subnet):
    for pool in subnet.allocation_pools or []:
        address, end = ipaddress.ip_address(pool["start"]), ipaddress.ip_address(pool["end"])
        while address <= end:
            yield str(address)
            address += 1


def _hold(session, network_id, subnet_id, port_id, address):
    """Whether this port now holds the address (False: someone has it)."""
    try:
        with session.begin_nested():
            session.add(IPAllocation(network_id=network_id, ip_address=address,
                                     subnet_id=subnet_id, port_id=port_id))
        return True
    except IntegrityError:
        return False


PORT_UPDATABLE = ("name", "description", "device_id", "device_owner", "admin_state_up",
                  "binding_host_id", "security_groups")


def port_update(session, port_id, values, project_id=None):
    row = port_get(session, port_id, project_id)
    for key in PORT_UPDATABLE:
        if key in values:
            setattr(row, key, values[key])
    if "device_id" in values:
        row.status = "ACTIVE" if row.device_id else "DOWN"
    session.flush()
    return row


def port_delete(session, port_id, project_id=None):
    port_get(session, port_id, project_id)
    session.execute(delete(IPAllocation).where(IPAllocation.port_id == port_id))
    session.execute(delete(Port).where(Port.id == port_id))


def ports_of_device(session, device_id):
    return list(session.scalars(select(Port).where(Port.device_id == device_id)
                                .order_by(Port.created_at, Port.id)))


_ANY_PORT = select(Port.__table__.c.id).where(
    Port.__table__.c.device_id == bindparam("match_device")).limit(1)


def device_has_ports(session, device_id):
    """Whether any port is bound to the device (a Core select built once:
    most builds have none, and loading none through the ORM cost more)."""
    session.flush()  # a Core read sees only what was written
    return session.execute(_ANY_PORT, {"match_device": device_id}).first() is not None
