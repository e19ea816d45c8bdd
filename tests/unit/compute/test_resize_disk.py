"""The libvirt side of a resize between two hosts sharing instances_path
(stratus.compute.virt.libvirt.migration_disk): each host on its own
private test:/// connection, a real file standing in for the guest's qcow2
disk (the test driver's guests have none), so that whose disk is kept,
copied, removed and restored is checked on the file system."""
import libvirt
import pytest

from stratus.common import exception
from stratus.compute.virt.libvirt import LibvirtDriver, migration_disk
from stratus.compute.virt.libvirt.driver import instance_dir
from stratus.compute.virt.libvirt.layout import console_log_path, resize_dir
from stratus.common.objects import Flavor
from stratus.common.vocabulary import VmState


@pytest.fixture
def pair(settings, make_instance, image, flavor):
    """(source driver, destination driver, an ACTIVE instance spawned on
    the source with a disk file)."""
    source, dest = LibvirtDriver("test:///default", "src"), LibvirtDriver("test:///default", "dst")
    for drv in (source, dest):
        drv.init_host(drv.host)
    instance = make_instance(vm_state=VmState.ACTIVE, task_state=None)
    source.spawn(None, instance, image, flavor)
    disk = instance_dir(instance.uuid) / "disk"
    disk.parent.mkdir(parents=True)
    disk.write_bytes(b"the guest's data")
    return source, dest, instance


BIG = Flavor(id=2, flavorid="2", name="m1.big", vcpus=2, memory_mb=1024, root_gb=1)


def _state(drv, uuid):
    try:
        return drv.connection.lookupByUUIDString(uuid).state()[0]
    except libvirt.libvirtError:
        return None


def _moved(source, dest, instance):
    disk_info = source.migrate_disk_and_power_off(None, instance, 0)
    dest.finish_migration(None, instance, BIG, disk_info, power_on=True)
    return disk_info


def test_source_keeps_the_disk_aside_and_destination_runs_a_copy(pair):
    source, dest, instance = pair
    disk_info = _moved(source, dest, instance)
    assert disk_info == {"disk": str(resize_dir(instance.uuid) / "disk")}
    assert _state(source, instance.uuid) == libvirt.VIR_DOMAIN_SHUTOFF
    assert _state(dest, instance.uuid) == libvirt.VIR_DOMAIN_RUNNING
    assert dest.connection.lookupByUUIDString(instance.uuid).info()[3] == 2
    assert (instance_dir(instance.uuid) / "disk").read_bytes() == b"the guest's data"
    assert (resize_dir(instance.uuid) / "disk").read_bytes() == b"the guest's data"


def test_confirm_removes_the_kept_disk_never_the_destinations(pair):
    source, dest, instance = pair
    _moved(source, dest, instance)
    source.confirm_migration(None, instance)
    assert _state(source, instance.uuid) is None
    assert not resize_dir(instance.uuid).exists()
    assert (instance_dir(instance.uuid) / "disk").read_bytes() == b"the guest's data"
    assert _state(dest, instance.uuid) == libvirt.VIR_DOMAIN_RUNNING


def test_revert_restores_the_kept_disk_and_the_old_flavor(pair, flavor):
    source, dest, instance = pair
    _moved(source, dest, instance)
    (instance_dir(instance.uuid) / "disk").write_bytes(b"written on the destination")
    dest.destroy(None, instance)
    source.finish_revert_migration(None, instance, flavor, power_on=True)
    assert _state(dest, instance.uuid) is None
    assert _state(source, instance.uuid) == libvirt.VIR_DOMAIN_RUNNING
    assert source.connection.lookupByUUIDString(instance.uuid).info()[3] == 1
    assert (instance_dir(instance.uuid) / "disk").read_bytes() == b"the guest's data"
    assert not resize_dir(instance.uuid).exists()


def test_each_step_done_twice_is_done_once(pair):
    source, dest, instance = pair
    first = source.migrate_disk_and_power_off(None, instance, 0)
    assert source.migrate_disk_and_power_off(None, instance, 0) == first
    dest.finish_migration(None, instance, BIG, first, power_on=True)
    dest.finish_migration(None, instance, BIG, first, power_on=True)
    source.confirm_migration(None, instance)
    source.confirm_migration(None, instance)
    assert _state(dest, instance.uuid) == libvirt.VIR_DOMAIN_RUNNING
    assert (instance_dir(instance.uuid) / "disk").read_bytes() == b"the guest's data"


def test_a_disk_the_destination_cannot_read_fails_clearly(pair, tmp_path):
    source, dest, instance = pair
    with pytest.raises(exception.HypervisorError, match="shared by the hosts"):
        dest.finish_migration(None, instance, BIG, {"disk": str(tmp_path / "elsewhere/disk")},
                              power_on=True)
    assert _state(dest, instance.uuid) is None


def test_destroy_guest_only_leaves_the_files(pair):
    source, _dest, instance = pair
    source.destroy_guest_only(None, instance)
    assert _state(source, instance.uuid) is None
    assert (instance_dir(instance.uuid) / "disk").exists()


def test_moved_and_reverted_guests_keep_writing_their_console_log(pair, flavor, monkeypatch):
    """The console output (`openstack console log show`) survives a resize
    and its revert: both definitions ask for the serial console's log
    (the test driver's XML has no serial port, so the builder's arguments
    are read)."""
    source, dest, instance = pair
    asked = []

    def domain_xml(*args, **kwargs):
        asked.append(kwargs.get("console_log"))
        return real(*args, **kwargs)

    real = migration_disk.vconfig.domain_xml
    monkeypatch.setattr(migration_disk.vconfig, "domain_xml", domain_xml)
    _moved(source, dest, instance)
    dest.destroy(None, instance)
    source.finish_revert_migration(None, instance, flavor, power_on=True)
    assert asked == [console_log_path(instance.uuid)] * 2
