"""A private PostgreSQL cluster, for tests that stop and restart the
database: initdb into a directory of its own, served on a free port,
stopped and started with pg_ctl. PostgreSQL refuses to run as root, so
as root the cluster runs as the `postgres` user."""
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg

from tests.functional.cloud import free_port, wait_for

BINDIR = Path("/usr/lib/postgresql/15/bin")


def available():
    """Why the cluster cannot be made here, or None."""
    if not (BINDIR / "initdb").exists():
        return f"no PostgreSQL 15 server binaries in {BINDIR}"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no postgres user to run the cluster as"
    return None


class PostgresServer:
    """One cluster: `admin_url` to create databases, `stop()`/`start()`
    to take it down and bring it back with its data."""

    def __init__(self):
        # Not under the test's work directory: that one is root's, and the
        # cluster's owner must reach its data directory.
        self.dir = Path(tempfile.mkdtemp(prefix="stratus-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.admin_url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self.running = False
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(self.dir, user.pw_uid, user.pw_gid)

    def _run(self, *args, timeout=60):
        command = [str(BINDIR / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=timeout)

    def init(self):
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
                  "--no-sync", "-E", "UTF8")
        return self

    def start(self, timeout=30):
        # fsync off: the test restarts the server, it does not crash the machine.
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 "
                   f"-c unix_socket_directories={self.dir} -c fsync=off "
                   "-c max_connections=200")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.dir / "postgres.log"),
                  "-o", options, "-w", "-t", str(timeout), "start", timeout=timeout + 10)
        self.running = True
        wait_for(self._answers, timeout, 0.1, f"PostgreSQL on port {self.port}")

    def stop(self, mode="fast"):
        """Stop it: `fast` ends every session (their transactions roll
        back), as a restart or a failover does."""
        if self.running:
            self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")
            self.running = False

    def remove(self):
        self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)

    def _answers(self):
        try:
            with psycopg.connect(self.admin_url, connect_timeout=2) as conn:
                return conn.execute("SELECT 1").fetchone() == (1,)
        except psycopg.Error:
            return False
