"""A private cloud for a fault test: its own redis-server, database,
conductor, scheduler, API and ONE compute host, so that killing a process
or the broker disturbs no other test (the session `cloud` is left alone).

The compute host's guests live in libvirtd, on libvirt's test driver
served by the daemon (test+unix:///default), not in the compute process:
a compute killed with SIGKILL leaves its guests running, as on a real
hypervisor, and the test can count them from outside."""
import collections
import contextlib
import shutil
import tempfile

import libvirt
import psycopg
import pytest
import requests

from tests.functional import pg_server
from tests.functional.cloud import PG_ADMIN, Cloud, RedisServer, wait_for

LIBVIRT_URI = "test+unix:///default"
HOST = "fault-a"
BATCH = 20
FINAL = ("ACTIVE", "ERROR")
FAULT_ENV = {
    "STRATUS_LIBVIRT_URI": LIBVIRT_URI,
    # The daemon's test host has 16 CPUs and 3 GB: 4x overcommit holds the
    # batch of 1-vCPU, 64 MB servers.
    "STRATUS_CPU_ALLOCATION_RATIO": "4.0",
    # A build or task lost to the fault is failed within the test's bound.
    "STRATUS_INSTANCE_BUILD_TIMEOUT": "20",
    "STRATUS_TASK_STATE_TIMEOUT": "20",
    "STRATUS_SYNC_POWER_STATE_INTERVAL": "5",
    # A call whose reply went with the broker gives up soon.
    "STRATUS_RPC_RESPONSE_TIMEOUT": "10",
    # The whole batch is one project's; quotas are another test's subject.
    "STRATUS_QUOTA_INSTANCES": "-1",
    "STRATUS_QUOTA_CORES": "-1",
    "STRATUS_QUOTA_RAM": "-1",
}


@contextlib.contextmanager
def private_cloud(own_database=False):
    """Start the private cloud; yields a Cloud with `.redis` (its
    RedisServer), `.guests` (a libvirt connection to the compute's
    hypervisor), `.image_id` and `.flavor_id`, and with `own_database`
    `.pg`, a PostgreSQL cluster of its own to stop and start. Ends every
    process it started, removes the guests it made and drops its database."""
    if shutil.which("redis-server") is None:
        pytest.skip("no redis-server here; `make test` installs it")
    if own_database and pg_server.available():
        pytest.skip(pg_server.available())
    try:
        # Held open for the whole test: the daemon keeps the test driver's
        # state only while some connection is open, and the compute's own
        # connection dies with it.
        guests = libvirt.open(LIBVIRT_URI)
    except libvirt.libvirtError as exc:
        pytest.skip(f"no libvirtd for {LIBVIRT_URI} here ({exc}); `make test` starts one "
                    "with tools/ensure-libvirtd.sh")
    workdir = tempfile.mkdtemp(prefix="stratus-fault-")
    broker = RedisServer(workdir)
    pg = pg_server.PostgresServer() if own_database else None
    c = Cloud(workdir, broker_url=broker.url, pg_admin=pg.admin_url if pg else PG_ADMIN)
    c.env.update(FAULT_ENV)
    c.redis, c.guests, c.pg = broker, guests, pg
    try:
        if pg:
            pg.init().start()
        broker.start()
        c.start_services(conductor=8, scheduler=4)
        c.start_compute(HOST)
        c.image_id = c.import_image()
        c.flavor_id = c.create_flavor("fault.tiny", 1, 64, 1)
        yield c
    finally:
        c.stop_all()
        if pg and not pg.running:
            pg.start()  # a test stopped it and failed before starting it again
        _remove_guests(c)
        if pg:
            pg.remove()
        else:
            c.drop_database()
        broker.stop()
        guests.close()


def _remove_guests(c):
    """Leave nothing of ours in the shared daemon, even after a failure."""
    try:
        ours = guests_of(c)
    except psycopg.Error:  # no database yet: no guest either
        return
    for uuid in ours:
        domain = c.guests.lookupByUUIDString(uuid)
        if domain.isActive():
            domain.destroy()
        domain.undefine()


def boot_batch(c, name, count=BATCH):
    """One POST creating `count` servers (min_count = max_count)."""
    body = {"server": {"name": name, "flavorRef": c.flavor_id, "imageRef": c.image_id,
                       "networks": "none", "availability_zone": "nova",
                       "min_count": count, "max_count": count}}
    reply = c.api("POST", "/servers", json=body)
    assert reply.status_code == 202, reply.text


def servers(c):
    """{id: server} of every server, or None while the cloud cannot answer
    (a broker restarting, a call whose reply was lost)."""
    try:
        reply = c.api("GET", "/servers/detail", timeout=15)
    except requests.RequestException:
        return None
    if reply.status_code != 200:
        return None
    return {s["id"]: s for s in reply.json()["servers"]}


def counts(found):
    """'12 ACTIVE, 3 BUILD/spawning, ...' for the figures a test prints."""
    tally = collections.Counter(
        s["status"] + (f"/{s['OS-EXT-STS:task_state']}" if s["OS-EXT-STS:task_state"] else "")
        for s in found.values())
    return ", ".join(f"{n} {state}" for state, n in sorted(tally.items()))


def wait_settled(c, expected, timeout):
    """Wait until `expected` servers exist and all are ACTIVE or ERROR;
    returns {id: server}. On timeout, fails with the servers still not
    final; at once, with its log, if a process of the cloud died."""
    last = {}

    def settled():
        found = servers(c)
        if found is None:
            return False
        last.clear()
        last.update(found)
        return len(found) == expected and all(s["status"] in FINAL for s in found.values())

    try:
        c.wait_ready(settled, timeout, f"{expected} servers to reach ACTIVE or ERROR", 0.5)
    except AssertionError:
        if any(proc.poll() is not None for proc in c.procs.values()):
            raise  # a process of the cloud died: its log says more than the servers
        stuck = {sid: (s["status"], s["OS-EXT-STS:task_state"])
                 for sid, s in last.items() if s["status"] not in FINAL}
        raise AssertionError(f"not final after {timeout}s ({len(last)} of {expected} "
                             f"servers seen; {counts(last)}): {stuck}") from None
    return servers(c)


def guests_of(c):
    """{uuid: running} of the hypervisor's guests that are this cloud's
    instances (the daemon is shared: other guests are not ours)."""
    ours = {uuid for (uuid,) in c.sql("SELECT uuid FROM instances")}
    return {d.UUIDString(): bool(d.isActive()) for d in c.guests.listAllDomains()
            if d.UUIDString() in ours}


def check_outcome(c, final):
    """The promises every fault test shares, once every server is final:
    faults explain errors, guests match servers, claims match servers,
    and no ERROR server keeps a running guest. Returns the figures: ACTIVE,
    ERROR, ERROR servers with a running guest, instances placed twice and
    orphan guests (the last three asserted zero)."""
    by_status = collections.Counter(s["status"] for s in final.values())
    for server in final.values():
        if server["status"] == "ERROR":
            assert server.get("fault", {}).get("message"), f"ERROR without a fault: {server}"

    # Guests. libvirt keys a domain by the instance's UUID, so two domains of
    # one instance cannot coexist on a host; what a second delivery or a
    # lost reply can do wrong is a server ACTIVE without its running guest,
    # a guest nobody's server owns, or an ERROR server whose guest still
    # runs (a build's final save lost: the compute retries it through the
    # outage, and removes the guest if it never lands).
    guests = guests_of(c)
    active = {sid for sid, s in final.items() if s["status"] == "ACTIVE"}
    not_running = {sid for sid in active if not guests.get(sid)}
    assert not not_running, f"ACTIVE without a running guest: {not_running}"
    strays = set(guests) - set(final)
    error_running = {sid for sid, running in guests.items()
                     if running and final.get(sid, {}).get("status") == "ERROR"}

    # Claims: each server placed on the host holds exactly one, and the
    # hypervisor's running_vms (the claim count the API shows) agrees.
    placed = sum(1 for s in final.values() if s["OS-EXT-SRV-ATTR:host"] == HOST)
    twice = c.sql("SELECT instance_uuid FROM resource_claims GROUP BY instance_uuid "
                  "HAVING count(*) > 1")
    figures = {"instances": len(final), "ACTIVE": by_status["ACTIVE"],
               "ERROR": by_status["ERROR"], "ERROR with a running guest": len(error_running),
               "placed twice": len(twice), "orphan guests": len(strays)}
    assert not strays, f"guests without a server: {strays} ({figures})"
    assert not error_running, f"ERROR servers with a running guest: {error_running} ({figures})"
    assert not twice, f"instances placed twice: {twice}"
    assert c.sql("SELECT count(*) FROM resource_claims") == [(placed,)]
    hypervisors = c.api("GET", "/os-hypervisors/detail").json()["hypervisors"]
    assert sum(h["running_vms"] for h in hypervisors) == placed, hypervisors
    return figures


def figures_line(figures):
    return ", ".join(f"{n} {name}" for name, n in figures.items())


def check_all_deleted(c):
    """Deleting every server removes every guest and releases every claim."""
    c.delete_all(timeout=60)
    wait_for(lambda: not guests_of(c), 30, 0.25, "every guest removed")
    assert c.sql("SELECT count(*) FROM resource_claims") == [(0,)]
