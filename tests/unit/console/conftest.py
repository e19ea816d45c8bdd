"""Console fixtures on the real eager stack (conductor on SQLite,
consoleauth, compute on libvirt's test driver, all in this process): a
running server, and `give_vnc` to give its guest a VNC port.

libvirt's test driver runs no VNC server, so Stratus defines its guests
without graphics; a test that needs a console port redefines the guest
with a fixed one, as a QEMU guest would report it in its live XML."""
import xml.etree.ElementTree as ET

import pytest

from tests.unit.api.conftest import app, client, compute_host, image, stack  # noqa: F401
from tests.unit.api.stack import boot_id, flavor_id

HOST = "e2e-host"


def connection():
    from stratus.compute import tasks

    return tasks.manager_for(HOST).driver.connection


def give_vnc(server_id, port, listen="127.0.0.1"):
    """Restart the guest with a VNC server on `port` in its live XML."""
    conn = connection()
    domain = conn.lookupByUUIDString(server_id)
    root = ET.fromstring(domain.XMLDesc(0))
    devices = root.find("devices")
    for old in devices.findall("graphics"):
        devices.remove(old)
    ET.SubElement(devices, "graphics", type="vnc", port=str(port), autoport="no", listen=listen)
    domain.destroy()
    conn.defineXML(ET.tostring(root, encoding="unicode")).create()


@pytest.fixture
def server(client, image, compute_host):  # noqa: F811
    """An ACTIVE server on the test host (no VNC yet)."""
    return boot_id(client, flavor_id(client), image.id)


@pytest.fixture
def vnc_server(server):
    """An ACTIVE server whose guest has a VNC port (5999)."""
    give_vnc(server, 5999)
    return server
