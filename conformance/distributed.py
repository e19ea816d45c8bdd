"""The second cloud of `make tempest`: Stratus distributed over real
processes, for Tempest's migration tests. It is the functional suite's
Cloud (tests/functional/cloud.py), started the same way: a PostgreSQL
database of its own (created, then dropped), a Redis database of its own
(claimed as a functional session claims one, tests/functional/brokers.py),
a conductor, a scheduler, the API under gunicorn and two compute workers
(`stratus compute --host dist-a`, `--host dist-b`), each a process with
libvirt's test driver of its own. Separate processes are what lets a
server live-migrate: the source's domain really travels to the other
process in the messages, which the all-in-one's two hosts (one process,
one test:///default) cannot do.

Readiness is polled with a bound; every process is ended by its pid and
the database dropped when the block ends, whatever happened."""
import contextlib
import shutil
import tempfile

from tests.functional.brokers import session_broker
from tests.functional.cloud import Cloud

HOSTS = ("dist-a", "dist-b")
# The all-in-one's flavors (stratus/cmd/seed.py), by the same ids.
FLAVORS = (("1", "m1.tiny", 1, 512, 1), ("2", "m1.small", 1, 2048, 20))
# A 2-core machine runs this beside Tempest's own two workers.
SMALL = {"conductor": ("--concurrency", "4"), "scheduler": ("--concurrency", "2"),
         "api": ("--workers", "1", "--threads", "8")}


@contextlib.contextmanager
def distributed_cloud(log_dir):
    """Yield a ready Cloud (with `image_ids` and `flavor_ids`); stop it at
    the end and keep its processes' logs in `log_dir`."""
    workdir = tempfile.mkdtemp(prefix="stratus-tempest-dist-")
    with session_broker("redis") as broker_env:
        cloud = Cloud(workdir)
        cloud.env.update(broker_env)
        try:
            cloud.create_database()
            _start(cloud)
            yield cloud
        finally:
            cloud.stop_all()
            cloud.drop_database()
            _keep_logs(cloud, log_dir)
            shutil.rmtree(workdir, ignore_errors=True)


def _start(cloud):
    for role in ("conductor", "scheduler", "api"):
        cloud.start(role, role, *SMALL[role])
    cloud.wait_ready(cloud.answers, 60, "the API")
    for host in HOSTS:
        cloud.start_compute(host, timeout=60)
    cloud.image_ids = [cloud.import_image("stratus-empty"), cloud.import_image("tempest-alt")]
    cloud.flavor_ids = [_flavor(cloud, *flavor) for flavor in FLAVORS]
    # Tempest's fixed_network_name; the all-in-one seeds its own.
    cloud.run_cli("network", "create", "default", "--cidr", "10.43.0.0/24")


def _flavor(cloud, flavor_id, name, vcpus, ram, disk):
    body = {"flavor": {"id": flavor_id, "name": name, "vcpus": vcpus, "ram": ram, "disk": disk}}
    reply = cloud.api("POST", "/flavors", json=body)
    if reply.status_code != 200:
        raise SystemExit(f"flavor {name}: {reply.status_code} {reply.text}")
    return reply.json()["flavor"]["id"]


def _keep_logs(cloud, log_dir):
    log_dir.mkdir(parents=True, exist_ok=True)
    for log in cloud.workdir.glob("*.log"):
        shutil.copy(log, log_dir / log.name)
