"""createImage, shelve/unshelve and rebuild through the whole distributed
stack (PostgreSQL, Redis, conductor, scheduler, API, compute hosts ft-a
and ft-b on libvirt's test driver): a snapshot boots, a shelved server
leaves its host with its claim and comes back with exactly one, and a
rebuild changes the image on the same host."""
import subprocess
import xml.etree.ElementTree as ET

import pytest

from tests.functional.cloud import wait_for

LATEST = {"OpenStack-API-Version": "compute latest"}


def _image(cloud, image_id):
    reply = cloud.http.get(f"{cloud.url}/v2/images/{image_id}", timeout=30)
    return reply.json() if reply.status_code == 200 else None


def test_snapshot_boots(clean, flavor):
    cloud = clean
    sid = cloud.boot("snapped", flavor, cloud.image_id)
    assert cloud.wait_final([sid])[sid]["status"] == "ACTIVE"
    reply = cloud.action(sid, {"createImage": {"name": "ft-snap"}})
    assert reply.status_code == 202, reply.text
    image_id = reply.json()["image_id"]
    image = wait_for(lambda: (_image(cloud, image_id) or {}).get("status") == "active"
                     and _image(cloud, image_id), 30, 0.1, "the snapshot to be active")
    assert image["size"] > 0 and image["checksum"] and image["name"] == "ft-snap"
    cloud.wait_status(sid, "ACTIVE")
    booted = cloud.boot("from-snapshot", flavor, image_id)
    server = cloud.wait_final([booted])[booted]
    assert server["status"] == "ACTIVE" and server["image"]["id"] == image_id


def test_shelve_offloads_and_unshelve_comes_back(clean, flavor):
    cloud = clean
    sid = cloud.boot("shelved", flavor, cloud.image_id)
    old_host = cloud.wait_final([sid])[sid]["OS-EXT-SRV-ATTR:host"]
    assert list(cloud.claims(sid)) == [old_host]
    assert cloud.action(sid, {"shelve": None}).status_code == 202
    server = cloud.wait_status(sid, "SHELVED_OFFLOADED")
    assert server["OS-EXT-SRV-ATTR:host"] is None
    assert cloud.claims(sid) == {}

    assert cloud.action(sid, {"unshelve": None}).status_code == 202
    server = cloud.wait_status(sid, "ACTIVE")
    assert server["OS-EXT-SRV-ATTR:host"] in ("ft-a", "ft-b")
    assert list(cloud.claims(sid)) == [server["OS-EXT-SRV-ATTR:host"]]


def test_rebuild_with_another_image(clean, flavor):
    cloud = clean
    other = cloud.import_image("ft-rebuild-image")
    sid = cloud.boot("rebuilt", flavor, cloud.image_id)
    host = cloud.wait_final([sid])[sid]["OS-EXT-SRV-ATTR:host"]
    reply = cloud.action(sid, {"rebuild": {"imageRef": other}})
    assert reply.status_code == 202, reply.text
    assert reply.json()["server"]["adminPass"]
    wait_for(lambda: cloud.server(sid)["image"]["id"] == other, 30, 0.1, "the new image")
    server = cloud.wait_status(sid, "ACTIVE")
    assert server["OS-EXT-SRV-ATTR:host"] == host
    assert list(cloud.claims(sid)) == [host]


def test_qemu_snapshot_shelve_and_unshelve(clean, qemu, make_flavor):
    """On qemu:///system: the snapshot of a running guest is its disk
    flattened (no backing file, the data of image and overlay), and an
    offloaded server comes back on a standalone disk, its shelved image
    deleted."""
    libvirt = pytest.importorskip("libvirt")
    cloud = clean
    image = cloud.import_qcow2("qemu-data", write_pattern="0xab")
    flavor = make_flavor("ft.qemu-snap", 1, 64, 1)
    cloud.start_compute("ft-qemu-snap", env={"STRATUS_LIBVIRT_URI": "qemu:///system",
                                             "STRATUS_AVAILABILITY_ZONE": "qemu-snap",
                                             "STRATUS_SHUTDOWN_TIMEOUT": "1"}, timeout=90)
    store = cloud.workdir / "state" / "images"
    try:
        sid = cloud.boot("qemu-snapped", flavor, image, availability_zone="qemu-snap")
        assert cloud.wait_final([sid], timeout=120)[sid]["status"] == "ACTIVE"
        reply = cloud.action(sid, {"createImage": {"name": "qemu-snap"}})
        assert reply.status_code == 202, reply.text
        snap = reply.json()["image_id"]
        wait_for(lambda: (_image(cloud, snap) or {}).get("status") == "active", 60, 0.2,
                 "the QEMU snapshot")
        cloud.wait_status(sid, "ACTIVE")
        assert qemu.lookupByUUIDString(sid).state()[0] == libvirt.VIR_DOMAIN_RUNNING
        [(file_name,)] = cloud.sql("SELECT file FROM images WHERE id = %s", snap)
        info = subprocess.run(["qemu-img", "info", str(store / file_name)], check=True,
                              capture_output=True, text=True).stdout
        assert "backing file" not in info and "file format: qcow2" in info, info
        subprocess.run(["qemu-io", "-f", "qcow2", "-c", "read -P 0xab 0 64k",
                        str(store / file_name)], check=True, capture_output=True)

        assert cloud.action(sid, {"shelve": None}).status_code == 202
        cloud.wait_status(sid, "SHELVED_OFFLOADED", timeout=60)
        with pytest.raises(libvirt.libvirtError):
            qemu.lookupByUUIDString(sid)
        assert cloud.action(sid, {"unshelve": None}).status_code == 202
        server = cloud.wait_status(sid, "ACTIVE", timeout=60)
        assert server["OS-EXT-SRV-ATTR:host"] == "ft-qemu-snap"
        assert not cloud.sql("SELECT id FROM images WHERE name = %s", "qemu-snapped-shelved")
        source = ET.fromstring(qemu.lookupByUUIDString(sid).XMLDesc()).find(
            "devices/disk/source").get("file")
        info = subprocess.run(["qemu-img", "info", "-U", source], check=True,
                              capture_output=True, text=True).stdout
        assert "backing file" not in info, info
    finally:
        cloud.delete_all()
        cloud.retire_compute("ft-qemu-snap")
