"""A real QEMU guest: `stratus compute` on qemu:///system boots a server
from a qcow2 image (an overlay on it), with VNC on 127.0.0.1, stops,
starts, pauses, unpauses, suspends and resumes it (each checked in
libvirt), and deletes it. Skipped, with the reason, only where libvirtd
cannot be reached."""
import subprocess
import xml.etree.ElementTree as ET

import pytest

from tests.functional.cloud import wait_for

libvirt = pytest.importorskip("libvirt")


def test_boot_and_delete_a_real_qemu_guest(clean, qemu, make_flavor):
    cloud = clean
    image = cloud.import_qcow2("qemu-empty")
    flavor = make_flavor("ft.qemu", 1, 64, 1)
    # The empty guest has no OS to answer the power button: a stop waits
    # shutdown_timeout, then powers it off.
    cloud.start_compute("ft-qemu", env={"STRATUS_LIBVIRT_URI": "qemu:///system",
                                        "STRATUS_AVAILABILITY_ZONE": "qemu",
                                        "STRATUS_SHUTDOWN_TIMEOUT": "1"}, timeout=90)
    try:
        sid = cloud.boot("real-guest", flavor, image, availability_zone="qemu")
        server = cloud.wait_final([sid], timeout=120)[sid]
        assert server["status"] == "ACTIVE", server
        assert server["OS-EXT-SRV-ATTR:host"] == "ft-qemu"
        dom = qemu.lookupByUUIDString(sid)
        assert dom.state()[0] == libvirt.VIR_DOMAIN_RUNNING
        xml = ET.fromstring(dom.XMLDesc())
        assert xml.get("type") in ("kvm", "qemu")
        graphics = xml.find("devices/graphics")
        assert graphics.get("type") == "vnc" and graphics.get("listen") == "127.0.0.1"
        assert int(graphics.get("port")) >= 5900
        source = xml.find("devices/disk/source").get("file")
        info = subprocess.run(["qemu-img", "info", "-U", source], capture_output=True,
                              text=True, check=True).stdout
        assert "backing file:" in info and image in info, info
        assert dom.info()[1] == 64 * 1024  # the flavor's RAM, in KiB
        _power_walk(cloud, sid, dom)
        assert cloud.api("DELETE", f"/servers/{sid}").status_code == 204
        wait_for(lambda: cloud.api("GET", f"/servers/{sid}").status_code == 404, 60)
        with pytest.raises(libvirt.libvirtError):
            qemu.lookupByUUIDString(sid)
    finally:
        cloud.delete_all()
        cloud.retire_compute("ft-qemu")


def _power_walk(cloud, sid, dom):
    """Stop, start, pause and unpause, each seen by libvirt itself."""
    for body, status, state in (
            ({"os-stop": None}, "SHUTOFF", libvirt.VIR_DOMAIN_SHUTOFF),
            ({"os-start": None}, "ACTIVE", libvirt.VIR_DOMAIN_RUNNING),
            ({"pause": None}, "PAUSED", libvirt.VIR_DOMAIN_PAUSED),
            ({"unpause": None}, "ACTIVE", libvirt.VIR_DOMAIN_RUNNING),
            ({"suspend": None}, "SUSPENDED", libvirt.VIR_DOMAIN_SHUTOFF),
            ({"resume": None}, "ACTIVE", libvirt.VIR_DOMAIN_RUNNING)):
        reply = cloud.api("POST", f"/servers/{sid}/action", json=body)
        assert reply.status_code == 202, reply.text

        def settled(status=status):
            server = cloud.server(sid)
            return (server["status"], server["OS-EXT-STS:task_state"]) == (status, None)

        wait_for(settled, 60, 0.1, f"{sid} {status}")
        assert dom.state()[0] == state, body

