"""One contract, every virt driver: each harness makes a driver for a host
and asks the hypervisor itself (not the driver) what exists."""
import libvirt
import pytest

from workers import exception
from workers.compute.virt.driver import ComputeDriver
from workers.compute.virt.libvirt import LibvirtDriver
from workers.objects import Image, states


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
        """'running', 'stopped', or None when the guest does not exist."""
        domain = self._domain(driver, uuid)
        if domain is None:
            return None
        return "running" if domain.isActive() else "stopped"

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
    assert driver.get_info(instance) == states.RUNNING
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
    assert driver.get_info(instance) == states.SHUTDOWN
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
