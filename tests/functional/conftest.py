"""One distributed cloud per test session: PostgreSQL, Redis, a conductor,
a scheduler, compute hosts and the API, all real processes."""
import os
import tempfile

import pytest
import redis

from tests.functional.cloud import Cloud

HOST_SIZE = {"STRATUS_TEST_HOST_VCPUS": "20", "STRATUS_TEST_HOST_MEMORY_MB": "65536",
             "STRATUS_TEST_HOST_DISK_GB": "1000"}


@pytest.fixture(scope="session")
def cloud():
    workdir = tempfile.mkdtemp(prefix="stratus-ft-")
    redis_db = 5 + os.getpid() % 10
    broker = redis.Redis(host="127.0.0.1", port=6379, db=redis_db)
    broker.flushdb()
    c = Cloud(workdir, redis_db)
    c.create_database()
    try:
        c.start("conductor", "conductor", "--concurrency", "16")
        c.start("scheduler", "scheduler", "--concurrency", "8")
        c.start("api", "api", "--workers", "2", "--threads", "16")
        c.wait_ready(lambda: _answers(c), 60, "the API")
        c.start_compute("ft-a", env=HOST_SIZE)
        c.start_compute("ft-b", env=HOST_SIZE)
        c.image_id = _import_image(c, workdir)
        yield c
    finally:
        c.stop_all()
        c.drop_database()
        broker.flushdb()


def _answers(c):
    try:
        return c.api("GET", "", timeout=2).status_code == 200
    except Exception:  # noqa: BLE001 - not listening yet
        return False


def _import_image(c, workdir):
    path = os.path.join(workdir, "disk.raw")
    with open(path, "wb") as handle:
        handle.truncate(1 << 20)
    out = c.run_cli("image", "import", path, "--name", "ft-image").stdout
    return out.split("id=")[1].split()[0]


@pytest.fixture(scope="session")
def flavor(cloud):
    """1 vCPU, 64 MB, 1 GB: 20 fit on each 20-vCPU host."""
    return _flavor(cloud, "ft.small", 1, 64, 1)


def _flavor(cloud, name, vcpus, ram, disk):
    body = {"flavor": {"name": name, "vcpus": vcpus, "ram": ram, "disk": disk}}
    reply = cloud.api("POST", "/flavors", json=body)
    assert reply.status_code == 200, reply.text
    return reply.json()["flavor"]["id"]


@pytest.fixture
def clean(cloud):
    """Every test starts and ends with no server, and no room held."""
    yield cloud
    cloud.delete_all()
    assert cloud.sql("SELECT count(*) FROM resource_claims") == [(0,)]


@pytest.fixture(scope="session")
def make_flavor(cloud):
    return lambda name, vcpus, ram, disk: _flavor(cloud, name, vcpus, ram, disk)
