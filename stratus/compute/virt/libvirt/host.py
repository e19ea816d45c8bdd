"""One compute host's connection to libvirt (Nova's libvirt/host.py):
opened on first use, libvirt errors turned into HypervisorError."""
import contextlib
import threading

import libvirt

from stratus.config import get_settings
from stratus.common import exception
from stratus.compute.virt.libvirt import config as vconfig

DEFAULT_TEST_URI = "test:///default"


def _ignore_libvirt_error(_ctx, _err):
    """libvirt prints every error on stderr by default; we raise them instead."""


@contextlib.contextmanager
def translate_errors():
    """Raise libvirt's errors as HypervisorError, which crosses RPC."""
    try:
        yield
    except libvirt.libvirtError as exc:
        raise exception.HypervisorError(reason=str(exc)) from exc


def is_missing(exc):
    """Whether a libvirtError says the domain does not exist."""
    return exc.get_error_code() == libvirt.VIR_ERR_NO_DOMAIN


def node_file_path(host):
    """Where the node file sizing `host` on libvirt's test driver lives."""
    return get_settings().state_dir / "libvirt-test" / f"{host}.xml"


def write_node_file(host):
    """Write the test host's node file from settings; returns its path."""
    settings = get_settings()
    path = node_file_path(host).resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(vconfig.node_file_xml(settings.test_host_vcpus,
                                          settings.test_host_memory_mb))
    return path


class Host:
    """The libvirt connection of one compute host."""

    def __init__(self, uri, host):
        self.uri = uri
        self.host = host
        self._conn = None
        self._lock = threading.Lock()

    @property
    def is_test(self):
        return self.uri.startswith("test://")

    def connection(self):
        """The open connection; reopened if a daemon connection dropped."""
        with self._lock:
            # A test:// connection never drops, and reopening it would lose
            # its guests, so only daemon connections are ever reopened.
            if self._conn is None or (not self.is_test and not self._conn.isAlive()):
                self._conn = self._open()
            return self._conn

    def _open(self):
        libvirt.registerErrorHandler(_ignore_libvirt_error, None)
        with translate_errors():
            return libvirt.open(self._effective_uri())

    def _effective_uri(self):
        if self.uri != DEFAULT_TEST_URI:
            return self.uri
        # test:///default is one state shared by every connection of the
        # process, so hosts served by one process would see each other's
        # guests. A test:///<file> connection gets private state: libvirt's
        # test driver is still real libvirt, the file only sizes the host.
        return f"test://{write_node_file(self.host)}"

    def lookup(self, uuid):
        """The domain with this uuid, or None."""
        try:
            return self.connection().lookupByUUIDString(uuid)
        except libvirt.libvirtError as exc:
            if is_missing(exc):
                return None
            raise
