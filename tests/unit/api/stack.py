"""Helpers for API tests on the real eager stack (conductor, scheduler and
compute on libvirt's test driver, all in this process, on the test SQLite):
settings, hosts in zones, a flavor and an image, boots, and requests made
as a user who is not an admin."""
from stratus import config
from tests.unit.api.conftest import act_as, mv
from stratus.common.context import get_admin_context


def configure(monkeypatch, tmp_path, **env):
    """Fresh settings with an image store holding one image file, and no
    scheduler cache (so a service update shows at the next boot)."""
    monkeypatch.setenv("STRATUS_IMAGES_PATH", str(tmp_path / "images"))
    monkeypatch.setenv("STRATUS_INSTANCES_PATH", str(tmp_path / "instances"))
    monkeypatch.setenv("STRATUS_SCHEDULER_HOST_STATE_TTL", "0")
    for key, value in env.items():
        monkeypatch.setenv(key, str(value))
    config.reset_settings()
    (tmp_path / "images").mkdir(exist_ok=True)
    (tmp_path / "images" / "cirros.qcow2").write_bytes(b"not really qcow2")


def client_with_hosts(zones):
    """A fixture `api`: the test client on the stack with compute hosts
    {host: zone} up, stopped (and settings reset) after the test."""
    import pytest

    @pytest.fixture
    def api(client, db, roles, tmp_path, monkeypatch):
        configure(monkeypatch, tmp_path)
        reporters = start_hosts(monkeypatch, zones)
        yield client
        stop_hosts(reporters)
        monkeypatch.undo()
        config.reset_settings()
    return api


def start_hosts(monkeypatch, zones):
    """Compute hosts on test:///default, {host: zone}; stop with stop_hosts."""
    from stratus.compute import service

    reporters = []
    for host, zone in zones.items():
        monkeypatch.setenv("STRATUS_AVAILABILITY_ZONE", zone)
        config.reset_settings()
        reporters += service.start_compute([host], "test:///default", periodic=False)
    return reporters


def stop_hosts(reporters):
    from stratus.compute import service

    service.stop_compute(reporters)


def image_id():
    from stratus.conductor.rpcapi import ConductorAPI

    return ConductorAPI().image_create(get_admin_context(), {
        "name": "cirros", "file": "cirros.qcow2", "size": 16}).id


def flavor_id(client, name="op.tiny", vcpus=1, ram=64):
    body = {"flavor": {"name": name, "ram": ram, "vcpus": vcpus, "disk": 1, "id": None}}
    reply = client.post("/v2.1/flavors", json=body)
    assert reply.status_code == 200, reply.get_json()
    return reply.get_json()["flavor"]["id"]


def boot(client, flavor, image, version="latest", **extra):
    """POST /servers; returns the reply (the caller checks the code)."""
    body = {"server": {"name": "op", "flavorRef": flavor, "imageRef": image,
                       "networks": "none", **extra}}
    return client.post("/v2.1/servers", json=body, headers=mv(version))


def as_user(monkeypatch, user_id="u-member", project_id="p-member", roles=("member",)):
    """Make every following request act as this user (a plain member)."""
    act_as(monkeypatch, user_id, project_id, roles)


def boot_id(client, flavor, image, **extra):
    """POST one server that must be accepted; returns its id."""
    reply = boot(client, flavor, image, **extra)
    assert reply.status_code == 202, reply.get_json()
    return reply.get_json()["server"]["id"]


def act(client, server_id, body, headers=None):
    """POST /servers/{id}/action (latest microversion unless `headers`)."""
    return client.post(f"/v2.1/servers/{server_id}/action", json=body,
                       headers=headers or mv("latest"))


def show(client, server_id):
    return client.get(f"/v2.1/servers/{server_id}", headers=mv("latest")).get_json()["server"]


def states(client, server_id):
    """(status, vm_state, task_state) as the API shows them."""
    server = show(client, server_id)
    return server["status"], server["OS-EXT-STS:vm_state"], server["OS-EXT-STS:task_state"]
