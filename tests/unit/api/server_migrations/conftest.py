"""The move tests' cloud: compute hosts rz-a and rz-b on libvirt's test
driver in this process, a small and a big flavor, and a small server
ACTIVE on one of the hosts."""
import pytest

from tests.unit.api.server_migrations import two_hosts
from tests.unit.api.stack import boot_id, flavor_id, image_id


@pytest.fixture
def hosts(db, roles, tmp_path, monkeypatch):
    yield from two_hosts.serve_hosts(tmp_path, monkeypatch)


@pytest.fixture
def flavors(client, hosts):
    return {"small": flavor_id(client, "mv.small", vcpus=1, ram=64),
            "big": flavor_id(client, "mv.big", vcpus=2, ram=128)}


@pytest.fixture
def server(client, flavors):
    server_id = boot_id(client, flavors["small"], image_id())
    assert two_hosts.show(client, server_id)["status"] == "ACTIVE"
    return server_id
