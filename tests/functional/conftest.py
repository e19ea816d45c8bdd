"""One distributed cloud per test session: PostgreSQL, the broker (Redis,
or RabbitMQ with STRATUS_FT_BROKER=rabbitmq: see brokers.py), a conductor,
a scheduler, compute hosts and the API, all real processes."""
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.functional.brokers import session_broker
from tests.functional.cloud import Cloud

HOST_SIZE = {"STRATUS_TEST_HOST_VCPUS": "20", "STRATUS_TEST_HOST_MEMORY_MB": "65536",
             "STRATUS_TEST_HOST_DISK_GB": "1000"}


@pytest.fixture(scope="session")
def cloud():
    workdir = tempfile.mkdtemp(prefix="stratus-ft-")
    with session_broker() as broker_env:
        c = Cloud(workdir)
        c.env.update(broker_env)
        yield from _session_cloud(c)


def _session_cloud(c):
    try:
        c.start_services(scheduler=8, api_threads=16, api_workers=2)
        c.start_compute("ft-a", env=HOST_SIZE)
        c.start_compute("ft-b", env=HOST_SIZE)
        c.image_id = c.import_image()
        yield c
    finally:
        c.stop_all()
        c.drop_database()


@pytest.fixture(scope="session")
def flavor(cloud):
    """1 vCPU, 64 MB, 1 GB: 20 fit on each 20-vCPU host."""
    return cloud.create_flavor("ft.small", 1, 64, 1)


@pytest.fixture
def clean(cloud):
    """Every test starts and ends with no server, and no room held."""
    yield cloud
    cloud.delete_all()
    assert cloud.sql("SELECT count(*) FROM resource_claims") == [(0,)]


@pytest.fixture(scope="session")
def make_flavor(cloud):
    return cloud.create_flavor


@pytest.fixture(scope="module")
def qemu():
    """A connection to libvirtd's qemu:///system (real QEMU guests); skips,
    saying why, on a machine without the daemon."""
    libvirt = pytest.importorskip("libvirt")
    try:
        conn = libvirt.open("qemu:///system")
    except libvirt.libvirtError as exc:
        pytest.skip(f"no libvirtd on qemu:///system here ({exc}); `make test` starts one "
                    "with tools/ensure-libvirtd.sh")
    yield conn
    conn.close()


@pytest.fixture(scope="session")
def env(cloud):
    """The environment of a shell that sourced the `stratus openrc` file;
    inherited OS_* variables are dropped first, so that nothing but the
    openrc tells the clients where and who to be."""
    path = cloud.workdir / "openrc"
    path.write_text(cloud.run_cli("openrc").stdout)
    clean = {key: value for key, value in os.environ.items() if not key.startswith("OS_")}
    sourced = subprocess.run(["bash", "-c", f". {path} && env -0"], env=clean, check=True,
                             capture_output=True, text=True).stdout
    result = dict(item.split("=", 1) for item in sourced.split("\0") if item)
    assert result["OS_AUTH_URL"] == f"{cloud.url}/identity/v3"
    return result


@pytest.fixture(scope="session")
def names(cloud, flavor):
    """The names of the session's flavor and image: the clients look names
    up (a GET by name that 404s, then a filtered list)."""
    flavor_name = cloud.api("GET", f"/flavors/{flavor}").json()["flavor"]["name"]
    image_name = cloud.api("GET", f"/images/{cloud.image_id}").json()["image"]["name"]
    return flavor_name, image_name


GUEST_IMAGE = Path(__file__).resolve().parents[2] / "var" / "stratus-guest.qcow2"


@pytest.fixture(scope="module")
def guest_image():
    """`make test` builds it first; a direct pytest run builds it here."""
    if not GUEST_IMAGE.is_file():
        GUEST_IMAGE.parent.mkdir(parents=True, exist_ok=True)
        tool = GUEST_IMAGE.parents[1] / "tools" / "guest_image.py"
        subprocess.run([sys.executable, str(tool), str(GUEST_IMAGE)], check=True, timeout=600)
    return GUEST_IMAGE
