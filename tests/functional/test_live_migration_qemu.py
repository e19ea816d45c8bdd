"""Live migration of a real QEMU guest between two libvirt daemons
(tests/functional/libvirt_hosts.py), through Stratus: compute workers
lm-a and lm-b, each on its own daemon, sharing the cloud's instances
directory. os-migrateLive moves the running guest from daemon to daemon
and the API shows the new host; a migration that libvirt fails midway
(every migration port of the destination taken) rolls back to ACTIVE on
the source with nothing left on the destination. A resize between the
same two daemons moves the guest's disk and boots it with the new flavor.

Skipped, saying why, only where the machine cannot run the daemons."""

import pytest

from tests.functional import libvirt_hosts
from tests.functional.cloud import wait_for

libvirt = pytest.importorskip("libvirt")
# Lookups of a guest that is not (or no longer) on a daemon are expected here.
libvirt.registerErrorHandler(lambda _ctx, _err: None, None)

ZONE = "lm"
V230 = {"OpenStack-API-Version": "compute 2.30"}


@pytest.fixture(scope="module")
def lm_hosts(cloud):
    """Two daemons and a compute worker on each: {"lm-a": LibvirtHost,
    "lm-b": LibvirtHost}. Retired and stopped at the end of the module."""
    reason = libvirt_hosts.unavailable_reason()
    if reason:
        pytest.skip(f"cannot run two libvirt daemons here: {reason}")
    daemons = dict(zip(("lm-a", "lm-b"), libvirt_hosts.start_hosts(
        cloud.workdir / "libvirt-hosts", ["A", "B"])))
    started = []
    try:
        for host, daemon in daemons.items():
            cloud.start_compute(host, timeout=90, env={
                "STRATUS_LIBVIRT_URI": daemon.unix_uri,
                "STRATUS_LIVE_MIGRATION_URI": daemon.tcp_uri,
                "STRATUS_LIVE_MIGRATION_INBOUND_ADDR": "127.0.0.1",
                "STRATUS_LIVE_MIGRATION_SHARED_STORAGE": "1",
                "STRATUS_AVAILABILITY_ZONE": ZONE,
                "STRATUS_SHUTDOWN_TIMEOUT": "1"})
            started.append(host)
        yield daemons
    finally:
        for host in started:
            cloud.retire_compute(host)
        for daemon in daemons.values():
            daemon.stop()


@pytest.fixture(scope="module")
def lm_image(cloud):
    return cloud.import_qcow2("lm-empty")


def _guest(daemon, sid):
    """The guest's libvirt state on a daemon, or None without one."""
    conn = daemon.connect()
    try:
        return conn.lookupByUUIDString(sid).state()[0]
    except libvirt.libvirtError:
        return None
    finally:
        conn.close()


def _migrations(cloud, sid):
    return cloud.sql("SELECT status, source_compute, dest_compute, memory_total, error "
                     "FROM migrations WHERE instance_uuid = %s ORDER BY id", sid)


def _live_migrate(cloud, sid, host):
    reply = cloud.api("POST", f"/servers/{sid}/action", headers=V230,
                      json={"os-migrateLive": {"host": host, "block_migration": "auto"}})
    assert reply.status_code == 202, reply.text

    def settled():
        server = cloud.server(sid)
        return server if server["OS-EXT-STS:task_state"] is None else None

    return wait_for(settled, 120, 0.2, f"live migration of {sid} to {host} settled")


def _assert_on(cloud, daemons, sid, host):
    other = {"lm-a": "lm-b", "lm-b": "lm-a"}[host]
    server = cloud.server(sid)
    assert (server["status"], server["OS-EXT-SRV-ATTR:host"]) == ("ACTIVE", host), server
    assert _guest(daemons[host], sid) == libvirt.VIR_DOMAIN_RUNNING
    assert _guest(daemons[other], sid) is None
    assert list(cloud.claims(sid)) == [host]


def test_live_migration_of_a_real_guest_and_a_rollback(clean, lm_hosts, lm_image, make_flavor):
    cloud, daemons = clean, lm_hosts
    flavor = make_flavor("ft.lm", 1, 64, 1)
    sid = cloud.boot("lm-guest", flavor, lm_image, availability_zone=f"{ZONE}:lm-a")
    server = cloud.wait_final([sid], timeout=120)[sid]
    assert server["status"] == "ACTIVE", server
    _assert_on(cloud, daemons, sid, "lm-a")

    # A to B, named; then back with the scheduler's choice (the only other host).
    _live_migrate(cloud, sid, "lm-b")
    _assert_on(cloud, daemons, sid, "lm-b")
    _live_migrate(cloud, sid, None)
    _assert_on(cloud, daemons, sid, "lm-a")
    done = _migrations(cloud, sid)
    assert [m[:3] for m in done] == [("completed", "lm-a", "lm-b"),
                                     ("completed", "lm-b", "lm-a")]
    # libvirt's figures of the copy (about the guest's 64 MB of RAM).
    assert all(m[3] >= 64 * 1024 * 1024 for m in done), done

    # B's daemon cannot receive: libvirt fails after both hosts prepared.
    sockets = daemons["lm-b"].occupy_migration_ports()
    try:
        _live_migrate(cloud, sid, "lm-b")
    finally:
        for sock in sockets:
            sock.close()
    _assert_on(cloud, daemons, sid, "lm-a")
    status, source, dest, _memory, error = _migrations(cloud, sid)[-1]
    assert (status, source, dest) == ("error", "lm-a", "lm-b")
    assert "port" in error, error


def test_resize_of_a_real_guest_between_two_daemons(clean, lm_hosts, lm_image, make_flavor):
    """The cold path: the source powers the guest off and keeps its disk
    aside, the destination boots it with the new flavor from a copy of
    that disk (the hosts share the instances directory); confirm removes
    the source's guest and kept disk, and its claim."""
    cloud, daemons = clean, lm_hosts
    small, big = make_flavor("ft.lm-small", 1, 64, 1), make_flavor("ft.lm-big", 1, 128, 1)
    sid = cloud.boot("lm-resized", small, lm_image, availability_zone=f"{ZONE}:lm-a")
    assert cloud.wait_final([sid], timeout=120)[sid]["status"] == "ACTIVE"
    assert cloud.action(sid, {"resize": {"flavorRef": big}}).status_code == 202
    server = cloud.wait_status(sid, "VERIFY_RESIZE", timeout=120)
    assert server["OS-EXT-SRV-ATTR:host"] == "lm-b"
    assert sorted(cloud.claims(sid)) == ["lm-a", "lm-b"]
    conn = daemons["lm-b"].connect()
    try:
        domain = conn.lookupByUUIDString(sid)
        assert domain.state()[0] == libvirt.VIR_DOMAIN_RUNNING
        assert domain.info()[1] == 128 * 1024  # the new flavor's RAM, in KiB
        disk = domain.XMLDesc().split("<source file='")[1].split("'")[0]
    finally:
        conn.close()
    assert _guest(daemons["lm-a"], sid) == libvirt.VIR_DOMAIN_SHUTOFF  # kept for a revert
    assert cloud.action(sid, {"confirmResize": None}).status_code == 204
    cloud.wait_status(sid, "ACTIVE")
    wait_for(lambda: list(cloud.claims(sid)) == ["lm-b"], 30, 0.2, "the source's claim released")
    assert _guest(daemons["lm-a"], sid) is None
    assert _guest(daemons["lm-b"], sid) == libvirt.VIR_DOMAIN_RUNNING
    assert (cloud.workdir / "state" / "instances" / sid / "disk").exists() and sid in disk
    assert not (cloud.workdir / "state" / "instances" / f"{sid}_resize").exists()
