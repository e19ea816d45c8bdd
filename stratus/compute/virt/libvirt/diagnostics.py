"""What an admin's diagnostics show of a guest and of its host: Nova's
libvirt figures (CPU times, memory, disk and NIC counters read from
libvirt), in the 2.48 shape (the API flattens it for older requests), and
the host's `uptime` line."""
import subprocess
import xml.etree.ElementTree as ET

import libvirt

from stratus.common.timeutils import utcnow

_STATES = {libvirt.VIR_DOMAIN_NOSTATE: "pending", libvirt.VIR_DOMAIN_RUNNING: "running",
           libvirt.VIR_DOMAIN_BLOCKED: "running", libvirt.VIR_DOMAIN_PAUSED: "paused",
           libvirt.VIR_DOMAIN_SHUTDOWN: "shutdown", libvirt.VIR_DOMAIN_SHUTOFF: "shutdown",
           libvirt.VIR_DOMAIN_CRASHED: "crashed", libvirt.VIR_DOMAIN_PMSUSPENDED: "suspended"}


def _or_none(read):
    """A counter, or None where the hypervisor keeps none (Nova's too)."""
    try:
        return read()
    except libvirt.libvirtError:
        return None


def _disks(domain, xml):
    details = []
    for target in xml.findall("./devices/disk/target"):
        stats = _or_none(lambda dev=target.get("dev"): domain.blockStats(dev))
        read_req, read_bytes, write_req, write_bytes, errors = stats or (None,) * 5
        details.append({"read_bytes": read_bytes, "read_requests": read_req,
                        "write_bytes": write_bytes, "write_requests": write_req,
                        "errors_count": errors})
    return details


def _nics(domain, xml):
    details = []
    for nic in xml.findall("./devices/interface"):
        target, mac = nic.find("target"), nic.find("mac")
        stats = _or_none(lambda: domain.interfaceStats(target.get("dev"))) \
            if target is not None else None
        rx, rx_pk, rx_err, rx_drop, tx, tx_pk, tx_err, tx_drop = stats or (None,) * 8
        details.append({"mac_address": mac.get("address") if mac is not None else None,
                        "rx_octets": rx, "rx_errors": rx_err, "rx_drop": rx_drop,
                        "rx_packets": rx_pk, "rx_rate": None, "tx_octets": tx,
                        "tx_errors": tx_err, "tx_drop": tx_drop, "tx_packets": tx_pk,
                        "tx_rate": None})
    return details


def instance(domain, hypervisor_type, launched_at):
    """Nova's 2.48 diagnostics of a domain; `launched_at` (a naive UTC
    datetime, or None) gives the uptime."""
    state, max_kib, used_kib, num_cpus, _cpu_time = domain.info()
    xml = ET.fromstring(domain.XMLDesc(0))
    vcpus = _or_none(domain.vcpus)
    cpus = [{"id": number, "time": cpu_time, "utilisation": None}
            for number, _state, cpu_time, _cpu in (vcpus[0] if vcpus else [])]
    disks, nics = _disks(domain, xml), _nics(domain, xml)
    return {"state": _STATES.get(state, "pending"), "driver": "libvirt",
            "hypervisor": hypervisor_type.lower(), "hypervisor_os": "linux",
            "uptime": int((utcnow() - launched_at).total_seconds()) if launched_at else None,
            "config_drive": False, "num_cpus": num_cpus, "num_nics": len(nics),
            "num_disks": len(disks),
            "memory_details": {"maximum": max_kib // 1024, "used": used_kib // 1024},
            "cpu_details": cpus, "nic_details": nics, "disk_details": disks}


def host_uptime():
    """The host's `uptime` line, as Nova's libvirt driver answers it."""
    return subprocess.run(["uptime"], env={"LANG": "C", "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True, check=True).stdout.rstrip("\n")
