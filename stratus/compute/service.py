"""Starting the compute role in a process: one driver and manager per
host, registered for its messages, initialised and heartbeating. Used by
`stratus compute --host NAME ...` and by the all-in-one.

`forbid_database()` is the runtime half of "compute never touches the
database" (Nova's DISABLE_DB_ACCESS); the import-linter contract is the
static half."""
import importlib.abc
import sys

from stratus.config import get_settings
from stratus.compute import tasks
from stratus.compute.manager import ComputeManager
from stratus.compute.periodic import PeriodicReporter
from stratus.compute.virt.libvirt import LibvirtDriver

FORBIDDEN_MODULES = ("sqlalchemy", "stratus.conductor.db")


def _forbidden(name):
    return any(name == top or name.startswith(top + ".") for top in FORBIDDEN_MODULES)


class DatabaseImportBlocker(importlib.abc.MetaPathFinder):
    """An import hook refusing the database layer to this process."""

    def find_spec(self, fullname, path=None, target=None):
        if _forbidden(fullname):
            # ImportError, so optional imports (`try: import sqlalchemy`) in
            # third-party code degrade instead of crashing.
            raise ImportError(f"{fullname}: compute reaches the database only "
                              f"through the conductor", name=fullname)
        return None


def forbid_database():
    """Refuse any later import of SQLAlchemy or the conductor's models.

    Call it first in a compute-only process; raises RuntimeError when one
    of them is already loaded, since a hook cannot unload it."""
    loaded = sorted(name for name in sys.modules if _forbidden(name))
    if loaded:
        raise RuntimeError(f"database modules already imported: {', '.join(loaded)}")
    if not any(isinstance(f, DatabaseImportBlocker) for f in sys.meta_path):
        sys.meta_path.insert(0, DatabaseImportBlocker())


def start_compute(hosts, uri=None, periodic=True):
    """Serve each of `hosts` in this process on libvirt `uri` (default:
    settings.libvirt_uri). Returns the PeriodicReporter of each host
    (its `.manager` is the host's ComputeManager); stop with stop_compute."""
    uri = uri or get_settings().libvirt_uri
    reporters = []
    for host in hosts:
        manager = ComputeManager(host, LibvirtDriver(uri, host))
        # Routable before the service row exists: once registered, the
        # scheduler may pick the host at once.
        tasks.register_manager(manager)
        manager.init_host()
        reporter = PeriodicReporter(manager)
        reporters.append(reporter.start() if periodic else reporter)
    return reporters


def stop_compute(reporters):
    """Stop the periodic threads and stop serving those hosts."""
    for reporter in reporters:
        reporter.stop()
        tasks.unregister_manager(reporter.manager.host)
