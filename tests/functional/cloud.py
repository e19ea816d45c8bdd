"""A real distributed Stratus for functional tests: its own PostgreSQL
database and Redis database number, one process per role started with the
`stratus` command, readiness polled with a bound, every pid ended."""
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg
import redis
import requests

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
STRATUS = str(Path(sys.executable).with_name("stratus"))
ADMIN_PASSWORD = "ft-admin-" + uuid.uuid4().hex[:8]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout, interval=0.1, what="condition"):
    """Poll `predicate` until it returns a truthy value or `timeout` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class Cloud:
    """Processes of one distributed cloud, and an HTTP client to its API."""

    def __init__(self, workdir, redis_db=0, broker_url=None, pg_admin=PG_ADMIN):
        self.workdir = Path(workdir)
        # The server's admin database URL (a test's own cluster, or the shared one).
        self.pg_admin = pg_admin
        pg_server = pg_admin.split("@", 1)[1].rsplit("/", 1)[0]
        # QEMU runs as its own user and must reach the disks kept under here.
        self.workdir.chmod(0o755)
        self.dbname = f"stratus_ft_{uuid.uuid4().hex[:10]}"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # The noVNC proxy's own port: the console URLs the API gives point there.
        self.novnc_port = free_port()
        self.procs = {}
        self.env = dict(os.environ, **{
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "STRATUS_STATE_DIR": str(self.workdir / "state"),
            "STRATUS_DATABASE_URL": f"postgresql+psycopg://postgres@{pg_server}/{self.dbname}",
            "STRATUS_BROKER_URL": broker_url or f"redis://127.0.0.1:6379/{redis_db}",
            "STRATUS_API_PORT": str(self.port),
            "STRATUS_REPORT_INTERVAL": "1",
            "STRATUS_SERVICE_DOWN_TIME": "10",
            "STRATUS_CPU_ALLOCATION_RATIO": "1.0",
            "STRATUS_RPC_RESPONSE_TIMEOUT": "30",
            # The boot tests fill both hosts (and ask for more than a host
            # has): no default limit may stop them first. test_quota sets
            # its project's limits through os-quota-sets.
            "STRATUS_QUOTA_INSTANCES": "-1", "STRATUS_QUOTA_CORES": "-1",
            "STRATUS_QUOTA_RAM": "-1",
            "STRATUS_NOVNCPROXY_PORT": str(self.novnc_port),
            "STRATUS_NOVNCPROXY_BASE_URL": f"http://127.0.0.1:{self.novnc_port}/vnc_lite.html",
            # The admin `stratus bootstrap` (or the all-in-one) makes.
            "STRATUS_ADMIN_PASSWORD": ADMIN_PASSWORD,
        })
        # Sends the admin's token once it has one (see api()).
        self.http = requests.Session()
        self.admin_project_id = None

    # life cycle
    def create_database(self):
        with psycopg.connect(self.pg_admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.dbname}"')
        self.run_cli("db", "sync")
        self.run_cli("bootstrap")

    def drop_database(self):
        with psycopg.connect(self.pg_admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.dbname}" WITH (FORCE)')

    def run_cli(self, *args, env=None):
        return subprocess.run([STRATUS, *args], env=dict(self.env, **(env or {})), check=True,
                              capture_output=True, text=True, timeout=120)

    def start(self, name, *args, env=None, program=None):
        """Run `stratus *args` (or `program *args`: a test's own launcher)."""
        # Appended: a process started again keeps the log of its first life.
        log = open(self.workdir / f"{name}.log", "ab")
        proc = subprocess.Popen([*(program or [STRATUS]), *args],
                                env=dict(self.env, **(env or {})),
                                stdout=log, stderr=subprocess.STDOUT, cwd=self.workdir,
                                start_new_session=True)
        self.procs[name] = proc
        return proc

    def stop(self, name, sig=signal.SIGTERM, timeout=15):
        proc = self.procs.pop(name, None)
        if proc is None or proc.poll() is not None:
            return
        os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout)

    def stop_all(self):
        for name in list(self.procs):
            self.stop(name)

    def start_services(self, conductor=None, scheduler=2, api_threads=8, api_workers=1):
        """A database of its own, then a conductor, a scheduler (none when
        `scheduler` is 0) and the API, once the API answers. `conductor`
        and `scheduler`: their pool threads (None: the command's default)."""
        self.create_database()
        self.start("conductor", "conductor", *_pool(conductor))
        if scheduler != 0:
            self.start("scheduler", "scheduler", *_pool(scheduler))
        self.start("api", "api", "--workers", str(api_workers), "--threads", str(api_threads))
        self.wait_ready(self.answers, 60, "the API")

    def start_compute(self, host, env=None, timeout=60, program=None):
        self.start(f"compute-{host}", "compute", "--host", host, env=env, program=program)
        self.wait_ready(lambda: host in self.up_hosts(), timeout, f"compute {host} up")

    def retire_compute(self, host):
        """Stop a compute host a test added and delete its service, so that
        no later boot is scheduled onto it while it would still look up
        (for service_down_time). Its servers must be gone first."""
        self.stop(f"compute-{host}")
        services = self.api("GET", f"/os-services?host={host}",
                            headers={"OpenStack-API-Version": "compute 2.53"}).json()["services"]
        for service in services:
            reply = self.api("DELETE", f"/os-services/{service['id']}",
                             headers={"OpenStack-API-Version": "compute 2.53"})
            assert reply.status_code == 204, reply.text

    def wait_ready(self, predicate, timeout, what, interval=0.25):
        """Poll like wait_for, but fail at once, with its log, if a process died."""
        def ready():
            for name, proc in self.procs.items():
                if proc.poll() is not None:
                    raise AssertionError(f"{name} exited {proc.returncode}:\n{self.log(name)[-3000:]}")
            return predicate()

        return wait_for(ready, timeout, interval, what)

    def log(self, name):
        path = self.workdir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def answers(self):
        """Whether the API is listening and answers its version document."""
        try:
            return self.http.get(f"{self.url}/v2.1", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    # catalog
    def import_image(self, name="ft-image"):
        """Import an empty 1 MB raw disk; returns the image id."""
        path = self.workdir / f"{name}.raw"
        with open(path, "wb") as handle:
            handle.truncate(1 << 20)
        return self.import_file(path, name)

    def import_qcow2(self, name, write_pattern=None):
        """Import an empty 64 MB qcow2 disk (QEMU guests boot it to "no
        bootable device"), its first 64 KiB filled with the byte
        `write_pattern` if given; returns the image id."""
        path = self.workdir / f"{name}.qcow2"
        subprocess.run(["qemu-img", "create", "-f", "qcow2", str(path), "64M"], check=True,
                       capture_output=True)
        if write_pattern is not None:
            subprocess.run(["qemu-io", "-f", "qcow2", "-c", f"write -P {write_pattern} 0 64k",
                            str(path)], check=True, capture_output=True)
        return self.import_file(path, name)

    def import_file(self, path, name):
        """`stratus image import`; returns the image id."""
        out = self.run_cli("image", "import", str(path), "--name", name).stdout
        return out.split("id=")[1].split()[0]

    def create_flavor(self, name, vcpus, ram, disk):
        body = {"flavor": {"name": name, "vcpus": vcpus, "ram": ram, "disk": disk}}
        reply = self.api("POST", "/flavors", json=body)
        assert reply.status_code == 200, reply.text
        return reply.json()["flavor"]["id"]

    # HTTP
    def api(self, method, path, token=None, **kwargs):
        """A compute API request, as the admin unless `token` is given (the
        admin logs in at the first request)."""
        kwargs.setdefault("timeout", 60)
        if token is not None:
            kwargs["headers"] = {**(kwargs.get("headers") or {}), "X-Auth-Token": token}
        elif "X-Auth-Token" not in self.http.headers:
            self._admin_login()
        return self.http.request(method, f"{self.url}/v2.1{path}", **kwargs)

    def identity(self, method, path, **kwargs):
        """An identity API request (under /identity/v3), with no token of its own."""
        kwargs.setdefault("timeout", 60)
        return requests.request(method, f"{self.url}/identity/v3{path}", **kwargs)

    def login(self, user, password, project):
        """Authenticate; returns the reply (201: the token is in X-Subject-Token)."""
        scope = {"project": {"name": project, "domain": {"name": "Default"}}}
        body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
            "name": user, "domain": {"name": "Default"}, "password": password}}},
            "scope": scope}}
        return self.identity("POST", "/auth/tokens", json=body)

    def token(self, user, password, project):
        reply = self.login(user, password, project)
        assert reply.status_code == 201, reply.text
        return reply.headers["X-Subject-Token"]

    def _admin_login(self):
        """Log the session in as the admin; left out (requests then get a
        401) while the API or the admin is not there yet."""
        reply = self.login("admin", ADMIN_PASSWORD, "admin")
        if reply.status_code == 201:
            self.http.headers["X-Auth-Token"] = reply.headers["X-Subject-Token"]
            self.admin_project_id = reply.json()["token"]["project"]["id"]

    def admin_project(self):
        """The id of the admin's project (where the admin's servers are)."""
        if self.admin_project_id is None:
            self._admin_login()
        return self.admin_project_id

    def up_hosts(self):
        try:
            reply = self.api("GET", "/os-hypervisors/detail",
                             headers={"OpenStack-API-Version": "compute 2.87"}, timeout=5)
        except requests.RequestException:
            return set()
        if reply.status_code != 200:
            return set()
        return {h["service"]["host"] for h in reply.json()["hypervisors"] if h["state"] == "up"}

    def boot(self, name, flavor, image, **extra):
        # Zone `nova` holds the test-driver hosts; other zones are for tests
        # that bring their own hosts.
        extra.setdefault("availability_zone", "nova")
        body = {"server": dict({"name": name, "flavorRef": flavor, "imageRef": image,
                                "networks": "none"}, **extra)}
        reply = self.api("POST", "/servers", json=body)
        assert reply.status_code == 202, reply.text
        return reply.json()["server"]["id"]

    def server(self, server_id):
        reply = self.api("GET", f"/servers/{server_id}")
        return reply.json()["server"] if reply.status_code == 200 else None

    def wait_final(self, server_ids, timeout=120, interval=0.25):
        """Wait until every server is ACTIVE or ERROR; return {id: server}.
        Polls only the servers still building (a light request), then reads
        the details once, so waiting does not load the cloud it measures."""
        wanted = set(server_ids)

        def settled():
            building = self.api("GET", "/servers", params={"status": "BUILD"}).json()["servers"]
            return not wanted & {server["id"] for server in building}

        wait_for(settled, timeout, interval, f"{len(wanted)} servers to settle")
        servers = self.api("GET", "/servers/detail").json()["servers"]
        done = {s["id"]: s for s in servers if s["id"] in wanted}
        assert set(done) == wanted, f"missing: {wanted - set(done)}"
        bad = {sid: s["status"] for sid, s in done.items() if s["status"] not in ("ACTIVE", "ERROR")}
        assert not bad, f"not settled: {bad}"
        return done

    def delete_all(self, timeout=120):
        """Delete every project's servers (the admin sees them all)."""
        every = "/servers?all_tenants=1"
        for server in self.api("GET", every).json()["servers"]:
            assert self.api("DELETE", f"/servers/{server['id']}").status_code == 204
        wait_for(lambda: self.api("GET", every).json()["servers"] == [], timeout, 0.2,
                 "every server deleted")

    def action(self, server_id, body, version="latest"):
        """POST /servers/{id}/action at a microversion; the reply."""
        return self.api("POST", f"/servers/{server_id}/action", json=body,
                        headers={"OpenStack-API-Version": f"compute {version}"})

    def wait_status(self, server_id, status, timeout=60):
        """The server (latest microversion, admin view) once it shows
        `status` with no task under way; fails at once on an unexpected ERROR."""
        def reached():
            server = self.api("GET", f"/servers/{server_id}",
                              headers={"OpenStack-API-Version": "compute latest"}).json()["server"]
            if server["status"] == "ERROR" != status:
                raise AssertionError(f"{server_id} went to ERROR: {server.get('fault')}")
            settled = (server["status"], server["OS-EXT-STS:task_state"]) == (status, None)
            return server if settled else None

        return wait_for(reached, timeout, 0.1, f"{server_id} to be {status}")

    # the database, read directly to check what the API says
    def claims(self, server_id):
        """The room held for a server, {host: (vcpus, memory_mb)}: its own
        claims and those of its migrations (a resize's source room)."""
        rows = self.sql("SELECT n.host, c.vcpus, c.memory_mb FROM resource_claims c "
                        "JOIN compute_nodes n ON n.id = c.compute_node_id "
                        "WHERE c.instance_uuid = %s OR c.instance_uuid IN "
                        "(SELECT uuid FROM migrations WHERE instance_uuid = %s)",
                        server_id, server_id)
        return {host: (vcpus, memory) for host, vcpus, memory in rows}

    def sql(self, query, *params):
        url = self.env["STRATUS_DATABASE_URL"].replace("+psycopg", "")
        with psycopg.connect(url) as conn:
            return conn.execute(query, params).fetchall()


class RedisServer:
    """A private redis-server, for tests that stop and restart the broker.

    Append-only with an fsync per write and no snapshots: what Redis held
    when it was stopped (queued messages, results) is there again when it
    starts on the same port and directory."""

    def __init__(self, workdir):
        self.dir = Path(workdir) / "redis"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc = None

    def start(self, timeout=15):
        with open(self.dir / "redis.log", "ab") as log:
            self.proc = subprocess.Popen(
                ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                 "--save", "", "--appendonly", "yes", "--appendfsync", "always",
                 "--dir", str(self.dir)],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        wait_for(self._answers, timeout, 0.05, f"redis-server on port {self.port}")

    def stop(self, sig=signal.SIGTERM, timeout=15):
        """Stop it and wait for the exit (SIGTERM: Redis syncs its log first)."""
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, sig)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout)

    def _answers(self):
        if self.proc.poll() is not None:
            raise AssertionError(f"redis-server exited {self.proc.returncode}:\n"
                                 f"{(self.dir / 'redis.log').read_text()[-2000:]}")
        try:
            return redis.Redis.from_url(self.url, socket_timeout=1).ping()
        except redis.RedisError:  # not listening yet, or still loading its log
            return False


def _pool(threads):
    return ["--concurrency", str(threads)] if threads is not None else []
