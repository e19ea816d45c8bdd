"""Snapshots of a guest's disk (both paths of the libvirt driver on real
files and real libvirt), and what a compute restart does for an
interrupted snapshot, shelve, offload, unshelve or rebuild (eager stack:
the real conductor on SQLite, libvirt's test driver)."""
import json
import subprocess

import libvirt
import pytest

from tests.unit.compute import eager
from stratus.compute.virt.libvirt import config as vconfig
from stratus.compute.virt.libvirt import guest, qemu_img
from stratus.compute.virt.libvirt import snapshot
from stratus.conductor.rpcapi import ConductorAPI
from stratus.common.vocabulary import MigrationStatus, MigrationType, TaskState, VmState


def _qemu_img(*args):
    return subprocess.run(["qemu-img", *args], check=True, capture_output=True, text=True)


def _qemu_io(path, command):
    subprocess.run(["qemu-io", "-f", "qcow2", "-c", command, str(path)], check=True,
                   capture_output=True)


@pytest.fixture
def domain():
    """A running guest on libvirt's test driver (real libvirt; it has no
    disk, so the QEMU path reads files made beside it)."""
    conn = libvirt.open("test:///default")
    uuid = "5ca95107-0000-4000-8000-000000000001"
    dom = conn.defineXML(vconfig.domain_xml(uuid, "snapshot-test", 64, 1, "test"))
    dom.create()
    yield dom
    if dom.isActive():
        dom.destroy()
    dom.undefineFlags(guest.UNDEFINE_FLAGS)
    conn.close()


@pytest.fixture
def overlay(tmp_path):
    """A qcow2 base image and an instance overlay on it, each with data
    of its own (what a QEMU guest's disk is: workers' create_overlay)."""
    base = tmp_path / "base.qcow2"
    _qemu_img("create", "-f", "qcow2", str(base), "8M")
    _qemu_io(base, "write -P 0xaa 0 64k")
    disk = tmp_path / "instance" / "disk"
    qemu_img.create_overlay(base, "qcow2", disk)
    _qemu_io(disk, "write -P 0x55 1M 64k")
    return disk


@pytest.mark.parametrize("pause_first", [False, True])
def test_qemu_path_flattens_the_backing_chain(domain, overlay, tmp_path, pause_first):
    if pause_first:
        domain.suspend()
    target = tmp_path / "store" / "snap.qcow2"
    assert snapshot.capture(domain, overlay, None, target) == "qcow2"
    info = json.loads(_qemu_img("info", "--output=json", str(target)).stdout)
    assert info["format"] == "qcow2" and "backing-filename" not in info
    _qemu_img("compare", str(overlay), str(target))  # same guest-visible content
    # Both writes are in the standalone file, not only the overlay's own.
    for offset, pattern in ((0, "0xaa"), ("1M", "0x55")):
        subprocess.run(["qemu-io", "-f", "qcow2", "-c", f"read -P {pattern} {offset} 64k",
                        str(target)], check=True, capture_output=True)
    # A running guest runs again; a paused one stays paused.
    expected = libvirt.VIR_DOMAIN_PAUSED if pause_first else libvirt.VIR_DOMAIN_RUNNING
    assert domain.state()[0] == expected


def test_qemu_path_resumes_the_guest_when_the_copy_fails(domain, tmp_path):
    broken = tmp_path / "disk"
    broken.write_text("not a qcow2 image")
    with pytest.raises(Exception, match="Hypervisor error"):
        snapshot.capture(domain, broken, None, tmp_path / "out.qcow2")
    assert domain.state()[0] == libvirt.VIR_DOMAIN_RUNNING


def test_test_driver_path_snapshots_through_libvirt_and_copies_the_base(domain, tmp_path):
    base = tmp_path / "base.img"
    base.write_bytes(b"guest disk bytes")
    target = tmp_path / "store" / "snap"
    assert snapshot.capture(domain, None, base, target) is None  # the base's format
    assert target.read_bytes() == base.read_bytes()
    assert domain.snapshotNum(0) == 0  # no snapshot metadata kept by libvirt
    assert domain.state()[0] == libvirt.VIR_DOMAIN_RUNNING


# start-up recovery of interrupted work
@pytest.fixture
def host(db, roles, tmp_path, monkeypatch):
    with eager.one_host("snap-host", tmp_path, monkeypatch) as manager:
        yield manager


def _booted(ctxt, host):
    instance, _spec = eager.boot(ctxt)
    assert instance.vm_state == VmState.ACTIVE and instance.host == host.host
    return instance


def _set(ctxt, instance, **values):
    return ConductorAPI().instance_update(ctxt, instance.uuid, values)


def test_restart_removes_a_half_written_snapshot(ctxt, host, tmp_path):
    instance = _booted(ctxt, host)
    image = ConductorAPI().image_create(ctxt, {"name": "half", "status": "saving"})
    staged = tmp_path / "images" / f".{image.id}.snapshot"
    staged.write_bytes(b"half")
    _set(ctxt, instance, task_state=TaskState.IMAGE_UPLOADING,
         system_metadata={"snapshot_image_id": image.id, "other": "kept"})
    host.recovery.init_instances(ctxt)
    after = ConductorAPI().instance_get(ctxt, instance.uuid)
    assert (after.vm_state, after.task_state) == (VmState.ACTIVE, None)
    assert after.system_metadata == {"other": "kept"}
    assert not ConductorAPI().image_get_all(ctxt, {"ids": [image.id]})
    assert not staged.exists()


def test_restart_leaves_a_snapshot_not_started_to_its_message(ctxt, host):
    instance = _booted(ctxt, host)
    _set(ctxt, instance, task_state=TaskState.IMAGE_SNAPSHOT_PENDING)
    host.recovery.init_instances(ctxt)
    assert ConductorAPI().instance_get(ctxt, instance.uuid).task_state == \
        TaskState.IMAGE_SNAPSHOT_PENDING


def test_restart_finishes_an_interrupted_offload(ctxt, host):
    instance = _booted(ctxt, host)
    _set(ctxt, instance, vm_state=VmState.SHELVED, task_state=TaskState.SHELVING_OFFLOADING)
    host.recovery.init_instances(ctxt)
    after = ConductorAPI().instance_get(ctxt, instance.uuid)
    assert (after.vm_state, after.task_state, after.host) == (VmState.SHELVED_OFFLOADED,
                                                              None, None)
    assert not host.driver.instance_exists(after)
    node = [n for n in ConductorAPI().compute_node_get_all(ctxt) if n.host == host.host][0]
    assert node.vcpus_used == 0


def test_restart_undoes_an_interrupted_unshelve(ctxt, host):
    instance = _booted(ctxt, host)
    _set(ctxt, instance, vm_state=VmState.SHELVED_OFFLOADED, task_state=TaskState.SPAWNING)
    host.recovery.init_instances(ctxt)
    after = ConductorAPI().instance_get(ctxt, instance.uuid)
    assert (after.vm_state, after.task_state, after.host) == (VmState.SHELVED_OFFLOADED,
                                                              None, None)
    assert "Unshelve" in after.fault["message"]


def test_restart_fails_an_interrupted_rebuild(ctxt, host):
    instance = _booted(ctxt, host)
    _set(ctxt, instance, task_state=TaskState.REBUILD_SPAWNING)
    host.recovery.init_instances(ctxt)
    after = ConductorAPI().instance_get(ctxt, instance.uuid)
    assert (after.vm_state, after.task_state) == (VmState.ERROR, None)
    assert "Rebuild" in after.fault["message"]


def test_restart_leaves_an_evacuation_in_rebuild_spawning_alone(ctxt, host):
    instance = _booted(ctxt, host)
    ConductorAPI().migration_create(ctxt, {
        "instance_uuid": instance.uuid, "migration_type": MigrationType.EVACUATION,
        "status": MigrationStatus.PRE_MIGRATING, "source_compute": host.host,
        "dest_compute": "elsewhere"})
    _set(ctxt, instance, task_state=TaskState.REBUILD_SPAWNING)
    host.recovery.init_instances(ctxt)
    after = ConductorAPI().instance_get(ctxt, instance.uuid)
    assert (after.vm_state, after.task_state) == (VmState.ACTIVE, TaskState.REBUILD_SPAWNING)
