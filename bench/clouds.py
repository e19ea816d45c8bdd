"""The clouds the benchmarks measure, started and stopped in one place:
the functional suite's Cloud (tests/functional/cloud.py) on Redis database
15 (the functional sessions share out 5-14) with a PostgreSQL database of
its own, or the all-in-one with eager tasks and SQLite."""
import contextlib
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.functional.cloud import Cloud, free_port, wait_for  # noqa: E402

# STRATUS_BENCH_REDIS_DB: another database for a second benchmark run beside this one.
REDIS_DB = int(os.environ.get("STRATUS_BENCH_REDIS_DB", "15"))
REDIS_URL = f"redis://127.0.0.1:6379/{REDIS_DB}"
# Room for any number of 1-vCPU boots.
BIG_HOST = {"STRATUS_TEST_HOST_VCPUS": "100000", "STRATUS_TEST_HOST_MEMORY_MB": "10000000"}


def _flush():
    import redis

    redis.Redis(db=REDIS_DB).flushdb()


@contextlib.contextmanager
def distributed_cloud(prefix, env=None):
    """A Cloud with its database created (no process started yet); every
    process stopped, the database dropped and Redis emptied at the end."""
    cloud = Cloud(tempfile.mkdtemp(prefix=prefix), redis_db=REDIS_DB)
    cloud.env.update(env or {})
    _flush()
    cloud.create_database()
    try:
        yield cloud
    finally:
        cloud.stop_all()
        cloud.drop_database()
        _flush()


def wait_hosts(cloud, names):
    wait_for(lambda: cloud.up_hosts() >= set(names), 120, 0.5, "compute hosts")


@contextlib.contextmanager
def all_in_one(prefix, env=None):
    """`stratus all-in-one` (one compute host, `local`), up; stopped at the end."""
    cloud = Cloud(tempfile.mkdtemp(prefix=prefix), redis_db=REDIS_DB)
    cloud.port = free_port()
    cloud.url = f"http://127.0.0.1:{cloud.port}"
    cloud.env.update({"CELERY_TASK_ALWAYS_EAGER": "1", **(env or {})})
    cloud.env.pop("STRATUS_DATABASE_URL")
    try:
        cloud.start("aio", "all-in-one", "--port", str(cloud.port), "--compute-host", "local")
        wait_hosts(cloud, ["local"])
        yield cloud
    finally:
        cloud.stop_all()


def flavor_and_image(cloud, import_image=True):
    """A 1-vCPU flavor and an image to boot (a 1 KB raw disk imported
    unless the cloud seeded one, as the all-in-one does)."""
    if import_image:
        path = Path(cloud.workdir) / "disk.raw"
        path.write_bytes(b"\0" * 1024)
        cloud.run_cli("image", "import", str(path), "--name", "bench")
    reply = cloud.api("POST", "/flavors", json={"flavor": {
        "name": "bench", "vcpus": 1, "ram": 1, "disk": 0}})
    flavor = reply.json()["flavor"]["id"]
    images = cloud.http.get(f"{cloud.url}/image/v2/images").json()["images"]
    return flavor, images[0]["id"]
