"""The all-in-one's own console: one `stratus all-in-one` process on
qemu:///system (its own SQLite database and state dir, free API and noVNC
ports, no broker) boots a real QEMU guest; the console URL the API gives
opens in headless Chromium and noVNC reaches "Connected", the token being
checked by the all-in-one's own consoleauth, and never logged. SIGTERM to the all-in-one,
with the console still open, then closes the proxy's port and leaves no
process behind. Skipped, with the reason, only where libvirtd cannot be
reached."""
import os
import shutil
import signal
import socket
import tempfile
from pathlib import Path

import pytest

from tests.functional import browser
from tests.functional.cloud import Cloud, free_port, wait_for

libvirt = pytest.importorskip("libvirt")

VNC = {"remote_console": {"protocol": "vnc", "type": "novnc"}}
HOST = "aio-console"


@pytest.fixture
def aio(qemu):
    """A running all-in-one (`aio.procs["aio"]`); every process of its
    session and its guests are ended afterwards, whatever happened."""
    workdir = tempfile.mkdtemp(prefix="stratus-ft-aio-")
    cloud = Cloud(workdir)
    cloud.guests = []
    cloud.env.update({
        "STRATUS_DATABASE_URL": f"sqlite:///{workdir}/stratus.sqlite",
        # Local mode sends nothing to a broker: one that is not there proves it.
        "STRATUS_BROKER_URL": f"redis://127.0.0.1:{free_port()}/0",
        "STRATUS_LIBVIRT_URI": "qemu:///system",
    })
    cloud.start("aio", "all-in-one", "--port", str(cloud.port), "--compute-host", HOST)
    pid = cloud.procs["aio"].pid
    try:
        cloud.wait_ready(lambda: HOST in cloud.up_hosts(), 60, "the all-in-one's compute host")
        yield cloud
    finally:
        try:
            _kill_session(pid)
            cloud.procs.pop("aio").wait(10)
        finally:
            _destroy_guests(qemu, cloud.guests)
            shutil.rmtree(workdir, ignore_errors=True)


def test_the_all_in_one_serves_the_browser_console_and_stops_with_it(aio):
    flavor = aio.create_flavor("aio.console", 1, 64, 1)
    # The image the all-in-one seeds: an empty disk, "No bootable device".
    image = {i["name"]: i["id"] for i in aio.api("GET", "/images").json()["images"]}[
        "stratus-empty"]
    sid = aio.boot("aio-guest", flavor, image)
    aio.guests.append(sid)
    assert aio.wait_final([sid], timeout=60)[sid]["status"] == "ACTIVE"
    reply = aio.api("POST", f"/servers/{sid}/remote-consoles", json=VNC,
                    headers={"OpenStack-API-Version": "compute 2.6"})
    assert reply.status_code == 200, reply.text
    url = reply.json()["remote_console"]["url"]
    assert url.startswith(f"http://127.0.0.1:{aio.novnc_port}/vnc_lite.html?path=%3Ftoken%3D")
    driver = browser.chromium()
    try:
        driver.set_page_load_timeout(20)  # a proxy that never answers must not hang the test
        driver.get(url)
        status = browser.wait_status(driver, ("Connected", "Something went wrong"))
        assert status == f"Connected to QEMU (instance-{sid})", (status, aio.log("aio")[-3000:])
        _stop_and_check_nothing_is_left(aio)
    finally:
        driver.quit()
    log = aio.log("aio")
    assert "token%3D***" in log and "token=***" in log  # the proxy logged, scrubbed
    assert url.rsplit("%3D", 1)[1] not in log


def _stop_and_check_nothing_is_left(aio):
    proc = aio.procs["aio"]
    os.kill(proc.pid, signal.SIGTERM)  # the all-in-one alone, not its group
    proc.wait(20)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", aio.novnc_port), timeout=5).close()
    assert _session(proc.pid) == [], "a process of the all-in-one outlived it"


def _session(sid):
    """The pids of live processes in session `sid` (the all-in-one's,
    started in a session of its own). A zombie is dead already: it only
    waits for its parent (or init) to reap it."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone meanwhile
        if int(fields[3]) == sid and fields[0] != "Z":
            pids.append(int(stat.parent.name))
    return pids


def _kill_session(sid):
    """SIGKILL every live process of session `sid`, and wait until none is."""
    for pid in _session(sid):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    wait_for(lambda: not _session(sid), 10, 0.1, "the all-in-one's processes to end")


def _destroy_guests(conn, server_ids):
    """The guests the stopped all-in-one leaves on libvirtd."""
    for sid in server_ids:
        try:
            domain = conn.lookupByUUIDString(sid)
        except libvirt.libvirtError:
            continue
        if domain.isActive():
            domain.destroy()
        domain.undefine()
