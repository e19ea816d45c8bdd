"""One contract, every virt driver: each harness makes a driver for a host
and asks the hypervisor itself (not the driver) what exists."""
import libvirt
import pytest

from stratus.common import exception
from stratus.compute.virt.driver import ComputeDriver
from stratus.compute.virt.libvirt import LibvirtDriver
from stratus.common.objects import Image
from stratus.common.vocabulary import PowerState


class LibvirtTestHarness:
    """LibvirtDriver on libvirt's test driver, probed through libvirt."""

    def make(self, host):
        return LibvirtDriver("test:///default", host)

    def _domain(self, driver, uuid):
        try:
            return driver.connection.lookupByUUIDString(uuid)
        except libvirt.libvirtError:
            return None

    def state(self, driver, uuid):
        """'running', 'paused', 'stopped', 'saved' (suspended to disk), or
        None when the guest does not exist."""
        domain = self._domain(driver, uuid)
        if domain is None:
            return None
        if domain.isActive():
            return "paused" if domain.state()[0] == libvirt.VIR_DOMAIN_PAUSED else "running"
        return "saved" if domain.hasManagedSaveImage(0) else "stopped"

    def power_off(self, driver, uuid):
        self._domain(driver, uuid).destroy()

    def count(self, driver):
        return len(driver.connection.listAllDomains())


HARNESSES = {"libvirt-test": LibvirtTestHarness()}


@pytest.fixture(params=sorted(HARNESSES))
def harness(request, settings):
    return HARNESSES[request.param]


@pytest.fixture
def driver(harness):
    drv = harness.make("host-a")
    drv.init_host("host-a")
    return drv


def test_is_a_compute_driver(driver):
    assert isinstance(driver, ComputeDriver)
    assert isinstance(driver.capabilities, dict)


def test_spawn_runs_the_guest(harness, driver, make_instance, image, flavor):
    instance = make_instance()
    driver.spawn(None, instance, image, flavor)
    assert harness.state(driver, instance.uuid) == "running"
    assert driver.get_info(instance) == PowerState.RUNNING
    assert driver.instance_exists(instance)
    assert driver.list_instance_uuids() == [instance.uuid]


def test_spawn_without_image(harness, driver, make_instance, flavor):
    instance = make_instance()
    driver.spawn(None, instance, None, flavor)
    assert harness.state(driver, instance.uuid) == "running"


def test_destroy_removes_the_guest_and_is_idempotent(harness, driver, make_instance,
                                                     image, flavor):
    instance = make_instance()
    driver.spawn(None, instance, image, flavor)
    driver.destroy(None, instance)
    assert harness.state(driver, instance.uuid) is None
    assert not driver.instance_exists(instance)
    assert driver.list_instance_uuids() == []
    driver.destroy(None, instance)
    with pytest.raises(exception.InstanceNotFound):
        driver.get_info(instance)


def test_destroy_of_a_guest_never_made(driver, make_instance):
    driver.destroy(None, make_instance())


def test_spawn_twice_makes_one_guest(harness, driver, make_instance, image, flavor):
    instance = make_instance()
    driver.spawn(None, instance, image, flavor)
    driver.spawn(None, instance, image, flavor)
    assert harness.count(driver) == 1
    assert harness.state(driver, instance.uuid) == "running"


def test_spawn_starts_an_existing_stopped_guest(harness, driver, make_instance, image,
                                                flavor):
    instance = make_instance()
    driver.spawn(None, instance, image, flavor)
    harness.power_off(driver, instance.uuid)
    assert driver.get_info(instance) == PowerState.SHUTDOWN
    driver.spawn(None, instance, image, flavor)
    assert harness.state(driver, instance.uuid) == "running"
    assert harness.count(driver) == 1


def test_missing_image_file_is_image_not_found(harness, driver, make_instance, flavor):
    instance = make_instance()
    image = Image(id="img-404", name="gone", file="gone.qcow2")
    with pytest.raises(exception.ImageNotFound):
        driver.spawn(None, instance, image, flavor)
    assert harness.state(driver, instance.uuid) is None


def test_available_resource_keys(driver):
    nodes = driver.get_available_nodes()
    assert len(nodes) == 1
    resources = driver.get_available_resource(nodes[0])
    assert set(resources) == {"vcpus", "memory_mb", "local_gb", "hypervisor_type",
                              "hypervisor_version", "hypervisor_hostname", "host_ip"}
    assert resources["hypervisor_hostname"] == nodes[0]
    assert resources["vcpus"] > 0 and resources["memory_mb"] > 0


def test_hosts_in_one_process_are_apart(harness, make_instance, image, flavor):
    host_a, host_b = harness.make("host-a"), harness.make("host-b")
    instance = make_instance()
    host_a.spawn(None, instance, image, flavor)
    assert harness.state(host_b, instance.uuid) is None
    assert not host_b.instance_exists(instance)
    assert host_b.list_instance_uuids() == []
    host_b.destroy(None, instance)
    assert harness.state(host_a, instance.uuid) == "running"


# power and pause actions
@pytest.fixture
def running(driver, make_instance, image, flavor):
    instance = make_instance()
    driver.spawn(None, instance, image, flavor)
    return instance


def test_power_off_and_on(harness, driver, running):
    driver.power_off(running, timeout=5)
    assert harness.state(driver, running.uuid) == "stopped"
    assert driver.get_info(running) == PowerState.SHUTDOWN
    driver.power_off(running, timeout=5)
    driver.power_on(None, running)
    assert harness.state(driver, running.uuid) == "running"
    driver.power_on(None, running)
    assert harness.state(driver, running.uuid) == "running"
    assert harness.count(driver) == 1


def test_power_off_without_timeout_and_of_a_paused_guest(harness, driver, running):
    driver.power_off(running)
    assert harness.state(driver, running.uuid) == "stopped"
    driver.power_on(None, running)
    driver.pause(running)
    # A paused guest cannot react to a shutdown request: no waiting.
    driver.power_off(running, timeout=60)
    assert harness.state(driver, running.uuid) == "stopped"


def test_pause_and_unpause(harness, driver, running):
    driver.pause(running)
    driver.pause(running)
    assert harness.state(driver, running.uuid) == "paused"
    assert driver.get_info(running) == PowerState.PAUSED
    driver.unpause(running)
    driver.unpause(running)
    assert harness.state(driver, running.uuid) == "running"


def test_suspend_and_resume(harness, driver, running):
    driver.suspend(None, running)
    driver.suspend(None, running)
    assert harness.state(driver, running.uuid) == "saved"
    assert driver.get_info(running) == PowerState.SHUTDOWN
    driver.resume(None, running)
    driver.resume(None, running)
    assert harness.state(driver, running.uuid) == "running"


@pytest.mark.parametrize("reboot_type", ["SOFT", "HARD"])
def test_reboot_of_a_running_guest(harness, driver, running, reboot_type):
    driver.reboot(None, running, reboot_type)
    assert harness.state(driver, running.uuid) == "running"
    assert harness.count(driver) == 1


@pytest.mark.parametrize("before", ["pause", "suspend", "power_off"])
def test_reboot_starts_afresh_from_any_state(harness, driver, running, before):
    getattr(driver, before)(*((None, running) if before == "suspend" else (running,)))
    driver.reboot(None, running, "SOFT" if before == "pause" else "HARD")
    assert harness.state(driver, running.uuid) == "running"


@pytest.mark.parametrize("call", ["power_off", "pause", "unpause"])
def test_actions_without_a_guest(driver, make_instance, call):
    with pytest.raises(exception.InstanceNotFound):
        getattr(driver, call)(make_instance())


def test_capabilities_say_pause_and_suspend(driver):
    assert driver.capabilities["supports_pause"] and driver.capabilities["supports_suspend"]

