"""The libvirt driver's live-migration parts that need no second daemon:
the storage and hypervisor checks, and the migration's watch (progress,
time bound, abort).

migrate() is driven here through a stand-in domain: libvirt's test driver
has no migration API at all, so this is the only way to make a migration
slow, or refuse an abort, in a unit test. The real thing, between two
libvirt daemons, is tests/functional/test_live_migration_qemu.py."""
import threading

import libvirt
import pytest

from stratus.common import exception
from stratus.compute.virt.libvirt import live_migration

DATA = {"dest_uri": "qemu+tcp://127.0.0.1:1/system", "dest_addr": "127.0.0.1",
        "block_migration": False}


class SlowMigration:
    """A domain whose migrateToURI3 copies until `finish` is set, or
    fails when aborted (as libvirt's "operation aborted")."""

    def __init__(self, refuse_aborts=0):
        self.finish, self.aborted = threading.Event(), threading.Event()
        self.refuse_aborts = refuse_aborts
        self.calls = []

    def UUIDString(self):
        return "00000000-0000-0000-0000-000000000001"

    def name(self):
        return "instance-1"

    def migrateToURI3(self, uri, params, flags):
        self.calls.append((uri, params, flags))
        while not self.finish.wait(0.01):
            if self.aborted.is_set():
                raise libvirt.libvirtError("operation aborted: migration out job: "
                                           "canceled by client")

    def jobStats(self, flags=0):
        return {"type": 2, "memory_total": 100, "memory_processed": 40,
                "memory_remaining": 60}

    def abortJob(self):
        if self.refuse_aborts:
            self.refuse_aborts -= 1
            raise libvirt.libvirtError("Requested operation is not valid: no job is active")
        self.aborted.set()


def test_migrate_reports_progress_and_passes_the_flags(settings, override):
    override(STRATUS_LIVE_MIGRATION_SHARED_STORAGE=1)
    domain, seen = SlowMigration(), []

    def progress(values):
        seen.append(values)
        domain.finish.set()

    live_migration.migrate(domain, DATA, progress)
    assert seen[0] == {"memory_total": 100, "memory_processed": 40, "memory_remaining": 60}
    [(uri, params, flags)] = domain.calls
    assert uri == DATA["dest_uri"]
    assert params == {libvirt.VIR_MIGRATE_PARAM_URI: "tcp://127.0.0.1",
                      libvirt.VIR_MIGRATE_PARAM_LISTEN_ADDRESS: "127.0.0.1"}
    for flag in (libvirt.VIR_MIGRATE_LIVE, libvirt.VIR_MIGRATE_PEER2PEER,
                 libvirt.VIR_MIGRATE_PERSIST_DEST, libvirt.VIR_MIGRATE_UNDEFINE_SOURCE,
                 libvirt.VIR_MIGRATE_UNSAFE):
        assert flags & flag
    assert not flags & libvirt.VIR_MIGRATE_NON_SHARED_INC


def test_a_migration_past_the_timeout_is_aborted_and_fails(settings, override):
    override(STRATUS_LIVE_MIGRATION_COMPLETION_TIMEOUT=0.3)
    domain = SlowMigration(refuse_aborts=1)  # the first abort is refused, then asked again
    with pytest.raises(exception.HypervisorError, match="did not complete within 0.3 s"):
        live_migration.migrate(domain, dict(DATA, block_migration=True), lambda values: None)
    assert domain.aborted.is_set()
    assert domain.calls[0][2] & libvirt.VIR_MIGRATE_NON_SHARED_INC
    assert not domain.calls[0][2] & libvirt.VIR_MIGRATE_UNSAFE


def test_decide_block_migration_from_the_storage(settings):
    marker = live_migration.create_marker()
    try:
        shared = {"virt_type": "kvm", "shared_marker": marker, "block_migration": None}
        assert live_migration.decide(shared, "qemu", True) == (False, True)
        with pytest.raises(exception.MigrationPreCheckError, match="shared storage"):
            live_migration.decide(dict(shared, block_migration=True), "kvm", True)
    finally:
        live_migration.remove_marker(marker)
    local = {"virt_type": "kvm", "shared_marker": marker, "block_migration": None}
    assert live_migration.decide(local, "kvm", True) == (True, False)
    with pytest.raises(exception.MigrationPreCheckError, match="requires either shared"):
        live_migration.decide(dict(local, block_migration=False), "kvm", True)
    with pytest.raises(exception.MigrationPreCheckError, match="hypervisor"):
        live_migration.decide(dict(local, virt_type="test"), "kvm", False)
