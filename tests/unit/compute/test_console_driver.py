"""The libvirt driver's console: the guest's VNC address from its live
domain XML, and the compute manager's answers built on it."""
import pytest

from stratus.common import exception
from stratus.compute.manager import ComputeManager
from stratus.compute.virt.libvirt import LibvirtDriver
from stratus.common.vocabulary import VmState


@pytest.fixture
def driver(settings):
    return LibvirtDriver("test:///default", "console-host")


@pytest.fixture
def guest(driver, make_instance, image, flavor):
    instance = make_instance(vm_state=VmState.ACTIVE, task_state=None)
    driver.spawn(None, instance, image, flavor)
    return instance


def _with_graphics(driver, instance, graphics):
    domain = driver.connection.lookupByUUIDString(instance.uuid)
    xml = domain.XMLDesc(0).replace("<devices>", f"<devices>{graphics}")
    domain.destroy()
    driver.connection.defineXML(xml).create()


def test_a_test_driver_guest_has_no_vnc_server(driver, guest):
    with pytest.raises(exception.ConsoleTypeUnavailable):
        driver.get_vnc_console(None, guest)


def test_the_port_and_address_come_from_the_live_xml(driver, guest):
    _with_graphics(driver, guest, "<graphics type='vnc' port='5912' autoport='no' "
                                  "listen='127.0.0.2'/>")
    assert driver.get_vnc_console(None, guest) == {"host": "127.0.0.2", "port": 5912,
                                                   "internal_access_path": None}


def test_a_guest_listening_everywhere_is_reached_at_the_hosts_address(driver, guest):
    _with_graphics(driver, guest, "<graphics type='vnc' port='5913' autoport='no' "
                                  "listen='0.0.0.0'/>")
    assert driver.get_vnc_console(None, guest)["host"] == "127.0.0.1"  # the test host's IP


def test_an_autoport_not_yet_allocated_is_unavailable(driver, guest):
    _with_graphics(driver, guest, "<graphics type='vnc' port='-1' autoport='yes'/>")
    with pytest.raises(exception.ConsoleTypeUnavailable):
        driver.get_vnc_console(None, guest)


def test_no_guest_is_instance_not_found(driver, make_instance):
    with pytest.raises(exception.InstanceNotFound):
        driver.get_vnc_console(None, make_instance())


def test_manager_answers(driver, guest, make_instance):
    manager = ComputeManager("console-host", driver, conductor_api=object(),
                             compute_task_api=object())
    with pytest.raises(exception.ConsoleTypeInvalid):
        manager.consoles.get_vnc_console(None, guest, "xvpvnc")
    with pytest.raises(exception.InstanceNotReady):
        manager.consoles.get_vnc_console(None, make_instance(), "novnc")  # still building
    with pytest.raises(exception.InstanceNotFound):
        manager.consoles.get_vnc_console(None, make_instance(vm_state=VmState.ACTIVE), "novnc")
    assert manager.consoles.validate_console_port(None, guest, "5900", "novnc") is False  # no VNC
    _with_graphics(driver, guest, "<graphics type='vnc' port='5914' autoport='no'/>")
    assert manager.consoles.get_vnc_console(None, guest, "novnc")["port"] == 5914
    assert manager.consoles.validate_console_port(None, guest, "5914", "novnc") is True
    assert manager.consoles.validate_console_port(None, make_instance(), "5914", "novnc") is False
