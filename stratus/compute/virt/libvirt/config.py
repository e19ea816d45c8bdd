"""XML documents the libvirt driver hands to libvirt, built with
xml.etree: a guest's domain and the node file that sizes a test host."""
import platform
import xml.etree.ElementTree as ET


def _sub(parent, tag, text=None, **attrs):
    node = ET.SubElement(parent, tag, {k: str(v) for k, v in attrs.items()})
    if text is not None:
        node.text = str(text)
    return node


def _to_string(root):
    ET.indent(root)
    return ET.tostring(root, encoding="unicode")


def node_file_xml(vcpus, memory_mb):
    """A node file for libvirt's test driver (`test:///path`): a host with
    `vcpus` CPUs (one socket) and `memory_mb` of RAM, and no guests."""
    root = ET.Element("node")
    cpu = _sub(root, "cpu")
    for tag, value in (("mhz", 2400), ("model", "stratus-test"), ("active", vcpus),
                       ("nodes", 1), ("sockets", 1), ("cores", vcpus), ("threads", 1)):
        _sub(cpu, tag, value)
    _sub(root, "memory", memory_mb * 1024)  # the test driver reads KiB
    return _to_string(root)


def domain_xml(uuid, name, memory_mb, vcpus, virt_type, disk=None, console_log=None,
               interfaces=(), config_drive=None):
    """A guest's domain XML.

    `virt_type` is 'test', 'qemu' or 'kvm'; `disk` is (path, format) of
    the root disk or None; `interfaces` a virtio NIC per (mac, libvirt
    network name); `config_drive` the path of an ISO attached as a
    read-only IDE CD-ROM. Real hypervisors get a VNC console on
    127.0.0.1 with a port libvirt picks, and a serial port whose output
    libvirt writes to `console_log` (the guest's console output)."""
    root = ET.Element("domain", type=virt_type)
    _sub(root, "name", name)
    _sub(root, "uuid", uuid)
    _sub(root, "memory", memory_mb, unit="MiB")
    _sub(root, "vcpu", vcpus)
    _os_element(root, virt_type)
    devices = _sub(root, "devices")
    if disk is not None:
        _disk_element(devices, *disk)
    if config_drive is not None:
        _cdrom_element(devices, config_drive)
    for mac, network in interfaces:
        _interface_element(devices, mac, network)
    if virt_type != "test":
        _sub(devices, "graphics", type="vnc", port=-1, autoport="yes", listen="127.0.0.1")
        if console_log is not None:
            serial = _sub(devices, "serial", type="pty")
            _sub(serial, "log", file=str(console_log), append="off")
            _sub(serial, "target", port=0)
    return _to_string(root)


def _os_element(root, virt_type):
    os_node = _sub(root, "os")
    if virt_type == "test":
        _sub(os_node, "type", "hvm")
        return
    _sub(os_node, "type", "hvm", arch=platform.machine())
    _sub(os_node, "boot", dev="hd")


def _disk_element(devices, path, fmt):
    disk = _sub(devices, "disk", type="file", device="disk")
    _sub(disk, "driver", name="qemu", type=fmt)
    _sub(disk, "source", file=path)
    _sub(disk, "target", dev="vda", bus="virtio")


def _cdrom_element(devices, path):
    # IDE, not virtio: the guest finds it with ata_piix and sr_mod, as
    # cloud-init images expect a config drive.
    cdrom = _sub(devices, "disk", type="file", device="cdrom")
    _sub(cdrom, "driver", name="qemu", type="raw")
    _sub(cdrom, "source", file=str(path))
    _sub(cdrom, "target", dev="hdd", bus="ide")
    _sub(cdrom, "readonly")


def _interface_element(devices, mac, network):
    interface = _sub(devices, "interface", type="network")
    _sub(interface, "mac", address=mac)
    _sub(interface, "source", network=network)
    _sub(interface, "model", type="virtio")
