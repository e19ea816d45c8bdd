"""Two libvirt "hosts" on one machine, for live migrations of real QEMU
guests (after /work/shared/recipes/two-libvirt-hosts.md): each is a
privileged libvirtd in a mount namespace of its own (`unshare -m`) with
private /etc, /run, /var/lib, /var/cache and /var/log libvirt directories
under the test's state directory, its own host UUID (libvirt refuses to
migrate to the "same host"), a TCP port for its peer, and VNC and
migration port ranges of its own, all chosen free.

Started and stopped by pid: stop() removes the guests it holds, kills
any QEMU its pidfiles name, then the daemon its pidfile names."""
import os
import random
import shutil
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path

from tests.functional.cloud import free_port, wait_for

LIBVIRTD = "/usr/sbin/libvirtd"
_MOUNTS = (("etc", "/etc/libvirt"), ("run", "/run/libvirt"), ("lib", "/var/lib/libvirt"),
           ("cache", "/var/cache/libvirt"), ("log", "/var/log/libvirt"))
_RANGE = 8


def unavailable_reason():
    """Why this machine cannot run the two daemons, or None."""
    if not os.path.exists(LIBVIRTD):
        return f"no {LIBVIRTD} (Debian package libvirt-daemon-system)"
    if os.geteuid() != 0:
        return "two private libvirtd need root (unshare -m, bind mounts)"
    for tool in ("unshare", "qemu-system-x86_64", "qemu-img"):
        if shutil.which(tool) is None:
            return f"no {tool} on PATH"
    return None


def _bindable(port):
    with socket.socket() as sock:
        try:
            sock.bind(("0.0.0.0", port))
        except OSError:
            return False
    return True


def free_range(count, taken):
    """`count` consecutive free ports, none in `taken`, below the kernel's
    ephemeral ports (32768+) and away from the system libvirtd's (5900+,
    49152+)."""
    for _ in range(200):
        base = random.randrange(20000, 32000 - count)
        ports = range(base, base + count)
        if not set(ports) & taken and all(_bindable(p) for p in ports):
            taken.update(ports)
            return base, base + count - 1
    raise RuntimeError(f"no {count} consecutive free ports")


class LibvirtHost:
    """One private libvirtd: start(), stop(), and its URIs."""

    def __init__(self, state_dir, name, taken):
        self.name = name
        self.dir = Path(state_dir) / name
        self.tcp_port = free_port()
        taken.add(self.tcp_port)
        self.vnc_ports = free_range(_RANGE, taken)
        self.migration_ports = free_range(_RANGE, taken)
        self.pidfile = self.dir / "libvirtd.pid"

    @property
    def unix_uri(self):
        """How this host's compute worker reaches its daemon."""
        return f"qemu+unix:///system?socket={self.dir}/run/libvirt-sock"

    @property
    def tcp_uri(self):
        """How the other daemon reaches this one (live_migration_uri)."""
        return f"qemu+tcp://127.0.0.1:{self.tcp_port}/system"

    def _write_config(self):
        for sub, _target in _MOUNTS:
            (self.dir / sub).mkdir(parents=True, exist_ok=True)
        (self.dir / "etc" / "libvirtd.conf").write_text(f"""listen_tls = 0
listen_tcp = 1
listen_addr = "127.0.0.1"
tcp_port = "{self.tcp_port}"
auth_tcp = "none"
auth_unix_rw = "none"
auth_unix_ro = "none"
unix_sock_rw_perms = "0700"
host_uuid = "{uuid.uuid4()}"
log_outputs = "3:file:/var/log/libvirt/libvirtd.log"
""")
        # No cgroups nor namespaces (both daemons would name the same
        # cgroups), no virtlogd (stdio to files), no security driver. The
        # migration address cannot be 127.0.0.1 here (libvirt refuses to
        # start): the migration passes it per call instead.
        (self.dir / "etc" / "qemu.conf").write_text(f"""user = "root"
group = "root"
dynamic_ownership = 0
security_driver = "none"
cgroup_controllers = [ ]
namespaces = [ ]
stdio_handler = "file"
vnc_listen = "127.0.0.1"
remote_display_port_min = {self.vnc_ports[0]}
remote_display_port_max = {self.vnc_ports[1]}
migration_port_min = {self.migration_ports[0]}
migration_port_max = {self.migration_ports[1]}
""")

    def launch(self):
        """Start the daemon (it daemonizes; its pid is in self.pidfile)."""
        self._write_config()
        self.pidfile.unlink(missing_ok=True)
        mounts = "\n".join(f"mount --bind '{self.dir / sub}' {target}"
                           for sub, target in _MOUNTS)
        script = (f"set -e\n{mounts}\nexec {LIBVIRTD} -d --listen "
                  f"--config /etc/libvirt/libvirtd.conf --pid-file '{self.pidfile}'\n")
        subprocess.run(["unshare", "-m", "--propagation", "private", "/bin/sh", "-c", script],
                       check=True, capture_output=True, timeout=30)

    def wait_ready(self, timeout=90):
        """Poll until the QEMU driver answers (a fresh daemon probes QEMU
        for several seconds first)."""
        import libvirt

        def answers():
            pid = self.pid()
            if pid is not None and not _alive(pid):
                raise AssertionError(f"libvirtd {self.name} died:\n{self.log()[-3000:]}")
            try:
                conn = libvirt.open(self.unix_uri)
            except libvirt.libvirtError:
                return False
            try:
                return conn.getVersion() > 0
            finally:
                conn.close()

        wait_for(answers, timeout, 0.5, f"libvirtd {self.name} on {self.unix_uri}")

    def pid(self):
        try:
            return int(self.pidfile.read_text().strip())
        except (OSError, ValueError):
            return None

    def log(self):
        path = self.dir / "log" / "libvirtd.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def connect(self):
        import libvirt

        return libvirt.open(self.unix_uri)

    def stop(self):
        """Remove the guests, kill leftover QEMU by libvirt's pidfiles,
        then the daemon by its pidfile."""
        pid = self.pid()
        if pid is not None and _alive(pid):
            self._remove_guests()
        for qemu_pidfile in (self.dir / "run" / "qemu").glob("*.pid"):
            try:
                qemu_pid = int(qemu_pidfile.read_text().strip())
                cmdline = Path(f"/proc/{qemu_pid}/cmdline").read_bytes()
            except (OSError, ValueError):
                continue
            if b"qemu-system" in cmdline:
                _kill(qemu_pid)
        if pid is not None and _alive(pid):
            _kill(pid)
        self.pidfile.unlink(missing_ok=True)

    def _remove_guests(self):
        import libvirt

        try:
            conn = self.connect()
        except libvirt.libvirtError:
            return
        try:
            for domain in conn.listAllDomains():
                try:
                    if domain.isActive():
                        domain.destroy()
                    domain.undefine()
                except libvirt.libvirtError:
                    pass  # gone meanwhile
        finally:
            conn.close()

    def occupy_migration_ports(self):
        """Listen on every port of this daemon's migration range, so that
        an incoming migration fails once both hosts have prepared (libvirt
        finds no port for the QEMU that would receive it). Returns the
        sockets; closing them frees the ports."""
        sockets = []
        for port in range(self.migration_ports[0], self.migration_ports[1] + 1):
            sock = socket.socket()
            # A port may still hold the TIME_WAIT of an earlier migration.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("0.0.0.0", port))
            sock.listen(1)
            sockets.append(sock)
        return sockets


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _kill(pid, timeout=10):
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _alive(pid):
        os.kill(pid, signal.SIGKILL)


def start_hosts(state_dir, names):
    """Start one daemon per name (in parallel: each probes QEMU at first
    start); returns the LibvirtHosts. Stops those it started if one fails."""
    taken = set()
    hosts = [LibvirtHost(state_dir, name, taken) for name in names]
    try:
        for host in hosts:
            host.launch()
        for host in hosts:
            host.wait_ready()
    except BaseException:
        for host in hosts:
            host.stop()
        raise
    return hosts
