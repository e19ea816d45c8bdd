"""Live migration on libvirt (Nova's libvirt driver, its live-migration
parts): the checks both hosts make, the destination's preparation, the
migration itself with progress and a time bound, and each side's clean-up.

Two kinds of host:
- QEMU hosts (qemu:// URIs): libvirt's migration API moves the running
  guest, peer to peer, from the source's libvirtd to the destination's.
- libvirt's test driver (test://): it has no migration API, and each test
  host holds its guests in a private connection of its own process. There
  the driver moves the domain definition and state between the hosts
  itself: the source sends its domain XML in migrate_data, the destination
  defines it before the migration and starts it (paused if the source
  was) after, and the source removes its domain once the destination
  owns the server."""
import logging
import shutil
import threading
import time
import uuid as uuidlib

import libvirt

from stratus.config import get_settings
from stratus.common import exception

LOG = logging.getLogger(__name__)

_POLL_INTERVAL = 0.2
_MARKER_PREFIX = ".live-migration-check-"
# What libvirt's job statistics call the progress fields of a migration.
PROGRESS_FIELDS = ("memory_total", "memory_processed", "memory_remaining",
                   "disk_total", "disk_processed", "disk_remaining")


def dest_uri(inbound_addr):
    """This host's libvirt URI as another host's libvirtd dials it: the
    live_migration_uri setting, its %s filled with `inbound_addr`."""
    uri = get_settings().live_migration_uri
    return uri % inbound_addr if "%s" in uri else uri


def create_marker():
    """A file in the instances directory, named in the destination's check
    data: the source sees it only if both hosts share that directory
    (Nova's check for shared instance storage)."""
    path = get_settings().instances_path
    path.mkdir(parents=True, exist_ok=True)
    name = f"{_MARKER_PREFIX}{uuidlib.uuid4().hex}"
    (path / name).touch()
    return name


def remove_marker(name):
    if name and name.startswith(_MARKER_PREFIX):
        (get_settings().instances_path / name).unlink(missing_ok=True)


def sees_marker(name):
    return bool(name) and (get_settings().instances_path / name).exists()


def decide(dest_data, source_virt_type, has_local_disk):
    """The source's half of the checks: (block_migration, shared) once the
    hypervisors match. "auto" (None) block-migrates unless the instances
    directory is shared; an explicit choice must fit the storage."""
    if dest_data.get("virt_type") != source_virt_type and not (
            {dest_data.get("virt_type"), source_virt_type} <= {"qemu", "kvm"}):
        raise exception.MigrationPreCheckError(
            reason=f"the destination's hypervisor ({dest_data.get('virt_type')}) is not the "
                   f"source's ({source_virt_type})")
    shared = sees_marker(dest_data.get("shared_marker"))
    block = dest_data.get("block_migration")
    if block is None:
        block = not shared
    if has_local_disk and block and shared:
        raise exception.MigrationPreCheckError(
            reason="Block migration can not be used with shared storage.")
    if has_local_disk and not block and not shared:
        raise exception.MigrationPreCheckError(
            reason="Shared storage live-migration requires either shared storage or "
                   "boot-from-volume with no local disks.")
    return block, shared


def define_from_source(conn, lookup, migrate_data):
    """Test driver, destination: define the source's domain (not started)."""
    if lookup() is None:
        conn.defineXML(migrate_data["domain_xml"])


def start_as_source(domain, was_paused):
    """Test driver, destination: run the domain defined from the source's
    XML, paused if the source's guest was."""
    if not domain.isActive():
        domain.create()
    if was_paused and domain.state()[0] != libvirt.VIR_DOMAIN_PAUSED:
        domain.suspend()


def migrate(domain, migrate_data, on_progress):
    """Move a running QEMU guest to the destination's libvirtd, peer to
    peer, defining it there and undefining it here. libvirt's call blocks
    for the whole migration, so it runs in a thread while this one reads
    the job's progress into `on_progress(dict)` and aborts the job after
    live_migration_completion_timeout seconds. Raises HypervisorError
    when the migration fails or is aborted: the guest then still runs here."""
    settings = get_settings()
    flags = (libvirt.VIR_MIGRATE_LIVE | libvirt.VIR_MIGRATE_PEER2PEER
             | libvirt.VIR_MIGRATE_PERSIST_DEST | libvirt.VIR_MIGRATE_UNDEFINE_SOURCE)
    if settings.live_migration_shared_storage:
        # Both ends see the disk files: libvirt would call a writable
        # qcow2 "unsafe" without knowing that.
        flags |= libvirt.VIR_MIGRATE_UNSAFE
    if migrate_data.get("block_migration"):
        flags |= libvirt.VIR_MIGRATE_NON_SHARED_INC
    addr = migrate_data["dest_addr"]
    # The migration stream goes straight to the destination's QEMU on
    # this address (a daemon refuses migration_host = its own loopback).
    params = {libvirt.VIR_MIGRATE_PARAM_URI: f"tcp://{addr}",
              libvirt.VIR_MIGRATE_PARAM_LISTEN_ADDRESS: addr}
    outcome = {}

    def run():
        try:
            domain.migrateToURI3(migrate_data["dest_uri"], params, flags)
        except libvirt.libvirtError as exc:
            outcome["error"] = exc

    worker = threading.Thread(target=run, name=f"live-migration-{domain.UUIDString()}",
                              daemon=True)
    worker.start()
    timeout = settings.live_migration_completion_timeout
    aborted = _watch(domain, worker, timeout, on_progress)
    if "error" in outcome:
        reason = str(outcome["error"])
        if aborted:
            reason = f"live migration did not complete within {timeout} s: {reason}"
        raise exception.HypervisorError(reason=reason)
    # No error: the guest runs on the destination, even if an abort came
    # too late to stop it.


def _watch(domain, worker, timeout, on_progress):
    """Poll the job until the thread ends; whether it was aborted (an
    abort libvirt refuses, say between two phases, is asked again)."""
    deadline = time.monotonic() + timeout if timeout else None
    aborted = False
    while worker.is_alive():
        worker.join(_POLL_INTERVAL)
        if not worker.is_alive():
            break
        _report(domain, on_progress)
        if deadline is not None and not aborted and time.monotonic() > deadline:
            LOG.warning("Live migration of %s exceeded %s s: aborting", domain.name(), timeout)
            try:
                domain.abortJob()
                aborted = True
            except libvirt.libvirtError as exc:
                LOG.warning("Could not abort the migration of %s: %s", domain.name(), exc)
    return aborted


def completed_progress(domain):
    """Destination: the final figures of the migration that brought the
    domain here (libvirt keeps them on the receiving side), or {}."""
    try:
        stats = domain.jobStats(libvirt.VIR_DOMAIN_JOB_STATS_COMPLETED)
    except libvirt.libvirtError:
        return {}
    return {key: int(stats[key]) for key in PROGRESS_FIELDS if key in stats}


def _report(domain, on_progress):
    try:
        stats = domain.jobStats()
    except libvirt.libvirtError:
        return  # the job ended between two polls
    progress = {key: int(stats[key]) for key in PROGRESS_FIELDS if key in stats}
    if progress:
        try:
            on_progress(progress)
        except Exception:  # progress is informative; the migration goes on
            LOG.exception("Could not record the progress of %s", domain.name())


def remove_local_files(instance_dir, migrate_data):
    """Remove an instance's directory on a host that no longer runs it,
    unless the other host uses the very same directory (shared storage)."""
    if not migrate_data.get("is_shared_instance_path"):
        shutil.rmtree(instance_dir, ignore_errors=True)
