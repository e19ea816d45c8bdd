"""The guest image `make run` builds for real guests
(tools/guest_image.py: Debian's kernel, BusyBox, SYSLINUX) boots to a
login prompt as a Stratus server on qemu:///system: the prompt, named
for the server (the hostname its config drive gives), shows in the
console log libvirt writes for the server's serial port, and in the
API's os-getConsoleOutput.

Software emulation (STRATUS_LIBVIRT_VIRT_TYPE=qemu): on these machines
KVM fails in the boot loader's real-mode code ("emulation failure")."""
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.functional.cloud import wait_for

libvirt = pytest.importorskip("libvirt")
def test_the_guest_image_boots_to_a_login_prompt(clean, qemu, make_flavor, guest_image):
    cloud = clean
    image = cloud.import_file(guest_image, "ft-guest")
    flavor = make_flavor("ft.guest", 1, 256, 1)
    cloud.start_compute("ft-guest", env={"STRATUS_LIBVIRT_URI": "qemu:///system",
                                         "STRATUS_LIBVIRT_VIRT_TYPE": "qemu",
                                         "STRATUS_AVAILABILITY_ZONE": "guest"}, timeout=90)
    try:
        sid = cloud.boot("login-guest", flavor, image, availability_zone="guest")
        server = cloud.wait_final([sid], timeout=120)[sid]
        assert server["status"] == "ACTIVE", server
        xml = ET.fromstring(qemu.lookupByUUIDString(sid).XMLDesc())
        log = Path(xml.find("devices/serial/log").get("file"))

        def prompted():
            return log.is_file() and "login-guest login:" in log.read_text(errors="replace")

        wait_for(prompted, 180, 1, "a login prompt on the guest's serial console")
        text = log.read_text(errors="replace")
        assert "Stratus guest, Linux" in text
        assert "stratus-init: config drive" in text and "stratus-init: no eth0" in text
        # The same output through the API (os-getConsoleOutput), its last lines.
        reply = cloud.api("POST", f"/servers/{sid}/action",
                          json={"os-getConsoleOutput": {"length": 3}})
        assert reply.status_code == 200, reply.text
        output = reply.json()["output"]
        assert "login-guest login:" in output and len(output.splitlines()) <= 3
    finally:
        cloud.delete_all()
        cloud.retire_compute("ft-guest")
