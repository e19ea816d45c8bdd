"""A guest's ports on libvirt (Nova's vif driver, for one kind of port):
each network of the cloud is a libvirt NAT network of its own on this
host, whose dnsmasq hands every port its fixed address by MAC.

The network holds no dynamic DHCP range: every address on it belongs to
a port, so a guest gets only the address the cloud gave it. Networks
are created transient with their first port's entry and destroyed with
their last: a subnet can sit on one bridge only, so a network kept
after its ports would block a new cloud network on the same CIDR.

Two libvirt daemons on one machine share its network namespace (the
live-migration tests run two): the second cannot make a bridge of the
same name and subnet, so it gets a network over the first one's bridge,
whose DHCP serves both; an entry whose port is still on the bridge (the
guest now runs under the other daemon) is kept."""
import ipaddress
import threading
from pathlib import Path
import xml.etree.ElementTree as ET

import libvirt

from stratus.compute.config_drive import hostname
from stratus.compute.virt.libvirt.host import translate_errors

NETWORK_PREFIX = "stratus-"
BRIDGE_PREFIX = "stbr-"  # Linux caps an interface name at 15 characters
_UPDATE = (libvirt.VIR_NETWORK_SECTION_IP_DHCP_HOST, -1)
# Read-modify-write of a network's host entries must not interleave
# within this process; another process's creation is met by lookup.
_LOCK = threading.Lock()


def network_name(vif):
    """The libvirt network of the vif's cloud network on every host."""
    return NETWORK_PREFIX + vif["network_id"][:8]


def bridge_name(vif):
    return BRIDGE_PREFIX + vif["network_id"][:8]


def network_xml(vif, hosts=()):
    """A NAT network routing the vif's subnet, its gateway on the bridge,
    DHCP serving only the `hosts` entries (mac, ip, name or None)."""
    subnet = ipaddress.ip_network(vif["cidr"], strict=False)
    root = ET.Element("network")
    ET.SubElement(root, "name").text = network_name(vif)
    ET.SubElement(root, "bridge", name=bridge_name(vif))
    ET.SubElement(root, "forward", mode="nat")
    if vif.get("mtu"):
        ET.SubElement(root, "mtu", size=str(vif["mtu"]))
    gateway = vif.get("gateway") or str(next(subnet.hosts()))
    ip = ET.SubElement(root, "ip", address=gateway, netmask=str(subnet.netmask))
    dhcp = ET.SubElement(ip, "dhcp")
    for mac, address, name in hosts:
        dhcp.append(_host_element(mac, address, name))
    return ET.tostring(root, encoding="unicode")


def _host_element(mac, ip, name=None):
    attrs = {"mac": mac, "ip": ip}
    if name:
        attrs["name"] = name
    return ET.Element("host", attrs)


def host_bridge_xml(vif):
    """A network over the vif's bridge made by another daemon."""
    root = ET.Element("network")
    ET.SubElement(root, "name").text = network_name(vif)
    ET.SubElement(root, "forward", mode="bridge")
    ET.SubElement(root, "bridge", name=bridge_name(vif))
    return ET.tostring(root, encoding="unicode")


def ensure_network(conn, vif, hosts=()):
    """The vif's network, created (with `hosts`) unless it exists, active."""
    with translate_errors():
        network = _lookup(conn, network_name(vif))
        if network is not None and _over_host_bridge(network) and not _bridge(vif).exists():
            network.destroy()  # the daemon that owned the bridge removed it
            network = None
        if network is None:
            network = _create(conn, vif, hosts)
        if not network.isActive():
            network.create()
        return network


def _create(conn, vif, hosts):
    try:
        # Born with its first entry: libvirt would otherwise restart
        # dnsmasq at that entry (static DHCP is off in a network with none).
        return conn.networkCreateXML(network_xml(vif, hosts))
    except libvirt.libvirtError:
        # Another spawn (maybe another process) created it first, or
        # another daemon of this machine holds the bridge.
        network = _lookup(conn, network_name(vif))
        if network is not None:
            return network
        if not _bridge(vif).exists():
            raise
        return conn.networkCreateXML(host_bridge_xml(vif))


def plug(conn, instance, vif):
    """The vif's network exists here and its DHCP gives the vif's MAC the
    vif's address. Idempotent; an entry left behind for the same MAC or
    address by a port that is gone is replaced."""
    name = hostname(instance)
    with _LOCK, translate_errors():
        network = ensure_network(conn, vif, [(vif["mac"], vif["ip"], name)])
        if _over_host_bridge(network):
            return  # the bridge's own daemon serves DHCP; its entry is its
        hosts = _hosts(network)
        if any(h.get("mac") == vif["mac"] and h.get("ip") == vif["ip"] for h in hosts):
            return
        stale = [h for h in hosts if vif["mac"] == h.get("mac") or vif["ip"] == h.get("ip")]
        for entry in stale:
            _update(network, libvirt.VIR_NETWORK_UPDATE_COMMAND_DELETE, entry)
        # libvirt refuses two entries of one name: servers may share a
        # display name, and the second goes without (dnsmasq then takes
        # the name the guest asks for).
        taken = any(h.get("name") == name for h in hosts if h not in stale)
        _update(network, libvirt.VIR_NETWORK_UPDATE_COMMAND_ADD_LAST,
                _host_element(vif["mac"], vif["ip"], None if taken else name))


def unplug(conn, vif):
    """The vif's DHCP entry removed, and the network with its last entry;
    nothing to do without network or entry."""
    with _LOCK, translate_errors():
        network = _lookup(conn, network_name(vif))
        if network is None or not network.isActive():
            return
        taps = _bridge_ports(vif)
        if _tap_mac(vif["mac"]) in taps:
            return  # the guest runs on under another daemon of this machine
        hosts = _hosts(network)
        mine = [h for h in hosts if h.get("mac") == vif["mac"]]
        if len(mine) == len(hosts) and not taps:
            network.destroy()
            return
        for entry in mine:
            _update(network, libvirt.VIR_NETWORK_UPDATE_COMMAND_DELETE, entry)


def plug_all(conn, instance):
    for vif in instance.network_info or ():
        plug(conn, instance, vif)


def unplug_all(conn, instance):
    for vif in instance.network_info or ():
        unplug(conn, vif)


def interfaces(instance):
    """(mac, libvirt network name) of each port, for the domain XML."""
    return [(vif["mac"], network_name(vif)) for vif in instance.network_info or ()]


def _lookup(conn, name):
    try:
        return conn.networkLookupByName(name)
    except libvirt.libvirtError as exc:
        if exc.get_error_code() == libvirt.VIR_ERR_NO_NETWORK:
            return None
        raise


def _bridge(vif):
    return Path("/sys/class/net", bridge_name(vif))


def _bridge_ports(vif):
    """The MACs of the ports on the vif's bridge, whichever daemon's."""
    ports = _bridge(vif) / "brif"
    if not ports.is_dir():
        return set()
    macs = set()
    for port in ports.iterdir():
        try:
            macs.add(Path("/sys/class/net", port.name, "address").read_text().strip())
        except OSError:
            pass  # the port went meanwhile
    return macs


def _tap_mac(mac):
    # libvirt gives a guest's tap device the guest's MAC with the first
    # byte FE (FA when it already is FE), so the bridge never takes the
    # guest's own address.
    return ("fa" if mac[:2].lower() == "fe" else "fe") + mac[2:].lower()


def _over_host_bridge(network):
    return ET.fromstring(network.XMLDesc(0)).find("ip") is None


def _hosts(network):
    return ET.fromstring(network.XMLDesc(0)).findall("./ip/dhcp/host")


def _update(network, command, host):
    # The live network only: a transient network has no persistent config.
    network.update(command, *_UPDATE, ET.tostring(host, encoding="unicode"),
                   libvirt.VIR_NETWORK_UPDATE_AFFECT_LIVE)
