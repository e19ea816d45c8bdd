"""A guest's console output: the libvirt driver reads the serial log
named in the domain (libvirt's test driver accepts the element, so a
defined guest can carry one), the compute keeps the last lines asked for
and strips control characters, and a guest without a log has no console."""
import uuid as uuidlib

import pytest

from stratus.common import exception
from stratus.compute.console_output import ConsoleOutput
from stratus.compute.virt.libvirt.driver import LibvirtDriver


class _Manager:
    host = "h"
    conductor_api = compute_task_api = compute_rpc = failures = None

    def __init__(self, driver):
        self.driver = driver


@pytest.fixture
def driver(settings):
    return LibvirtDriver("test:///default", "h")


def _guest(driver, serial=""):
    uuid = str(uuidlib.uuid4())
    xml = (f"<domain type='test'><name>c-{uuid[:8]}</name><uuid>{uuid}</uuid>"
           f"<memory unit='MiB'>64</memory><os><type>hvm</type></os>"
           f"<devices>{serial}</devices></domain>")
    driver.connection.defineXML(xml)
    return type("Instance", (), {"uuid": uuid})()


def test_the_log_is_read_and_trimmed_to_the_last_lines(driver, tmp_path):
    log = tmp_path / "console.log"
    log.write_bytes(b"boot\r\n\x1b[0mStratus guest\r\nstratus-guest login: ")
    guest = _guest(driver, f"<serial type='pty'><log file='{log}'/></serial>")
    output = ConsoleOutput(_Manager(driver))
    assert output.get_console_output(None, guest) == "boot\n[0mStratus guest\nstratus-guest login: "
    assert output.get_console_output(None, guest, length=1) == "stratus-guest login: "
    assert output.get_console_output(None, guest, length=0) == ""


def test_a_guest_without_a_serial_log_has_no_console(driver):
    guest = _guest(driver)
    with pytest.raises(exception.ConsoleNotAvailable):
        ConsoleOutput(_Manager(driver)).get_console_output(None, guest)


def test_no_guest_is_instance_not_found(driver):
    missing = type("Instance", (), {"uuid": str(uuidlib.uuid4())})()
    with pytest.raises(exception.InstanceNotFound):
        driver.get_console_output(None, missing)


def test_the_read_is_capped(driver, tmp_path, monkeypatch):
    from stratus.compute.virt.libvirt import driver as libvirt_driver

    monkeypatch.setattr(libvirt_driver, "MAX_CONSOLE_BYTES", 10)
    log = tmp_path / "console.log"
    log.write_bytes(b"0123456789abcdefghij")
    guest = _guest(driver, f"<serial type='pty'><log file='{log}'/></serial>")
    assert driver.get_console_output(None, guest) == b"abcdefghij"

