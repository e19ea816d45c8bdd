"""Power operations on one libvirt domain (Nova's libvirt/guest.py): a
clean shutdown within a bound, a hard power off, a boot, pause and save.

Each is idempotent: asked again, it finds the domain already where it
should be and does nothing, so a redelivered message does no harm."""
import time

import libvirt

from stratus.compute.virt.libvirt.host import is_missing

# Managed-save images and snapshot metadata would otherwise block undefine.
UNDEFINE_FLAGS = (libvirt.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE
                  | libvirt.VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA)
# A guest still booting may miss the first ACPI power button event: press
# it again this often while waiting (Nova's shutdown_retry_interval).
SHUTDOWN_RETRY_INTERVAL = 10.0
_POLL_INTERVAL = 0.2


def is_running(domain):
    """Running, not paused nor off."""
    return domain.state()[0] in (libvirt.VIR_DOMAIN_RUNNING, libvirt.VIR_DOMAIN_BLOCKED)


def is_paused(domain):
    return domain.state()[0] == libvirt.VIR_DOMAIN_PAUSED


def shutdown(domain, timeout):
    """Ask the guest OS to shut down; True once the domain is off, False
    when `timeout` seconds pass first (or it cannot be asked: paused)."""
    deadline = time.monotonic() + timeout
    ask_at = 0.0
    while domain.isActive():
        now = time.monotonic()
        if now >= deadline or is_paused(domain):
            return False
        if now >= ask_at:
            _press_power_button(domain)
            ask_at = now + SHUTDOWN_RETRY_INTERVAL
            continue  # some hypervisors (the test driver) stop at once
        time.sleep(_POLL_INTERVAL)
    return True


def _press_power_button(domain):
    try:
        domain.shutdown()
    except libvirt.libvirtError:
        if domain.isActive():
            raise  # else it went off on its own meanwhile


def power_off(domain, timeout=0):
    """A clean shutdown within `timeout` seconds (0: none), then the plug."""
    if timeout and shutdown(domain, timeout):
        return
    destroy(domain)


def destroy(domain):
    """Pull the plug of an active domain (it stays defined)."""
    try:
        if domain.isActive():
            domain.destroy()
    except libvirt.libvirtError:
        if domain.isActive():
            raise


def boot(domain):
    """A fresh boot of a domain that is off: a saved memory image from a
    suspend is discarded, not restored."""
    if domain.isActive():
        return
    if domain.hasManagedSaveImage(0):
        domain.managedSaveRemove(0)
    domain.create()


def reboot(domain, reboot_type, timeout):
    """SOFT: a clean shutdown and a boot, or HARD when the guest does not
    shut down within `timeout`. HARD: off at once (paused, saved or
    running), then a fresh boot."""
    if reboot_type == "SOFT" and is_running(domain) and shutdown(domain, timeout):
        domain.create()
        return
    destroy(domain)
    boot(domain)


def pause(domain):
    if not is_paused(domain):
        domain.suspend()


def unpause(domain):
    if is_paused(domain):
        domain.resume()


def save(domain):
    """Suspend to disk: libvirt's managed save, which the next create()
    restores."""
    if domain.isActive():
        domain.managedSave(0)


def restore(domain):
    """Start a saved domain from its memory image."""
    if not domain.isActive():
        domain.create()


def remove(domain):
    """Power off and undefine; a domain that vanished meanwhile is gone."""
    try:
        if domain.isActive():
            domain.destroy()
        domain.undefineFlags(UNDEFINE_FLAGS)
    except libvirt.libvirtError as exc:
        if not is_missing(exc):
            raise
