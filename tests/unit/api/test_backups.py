"""createBackup through the API on the eager stack: a snapshot marked as
a backup, and rotation keeping only the newest backups of a server and
type."""
import pytest

from tests.unit.api import stack
from tests.unit.api.conftest import mv
from stratus.common.context import get_admin_context


@pytest.fixture
def cloud(db, roles, tmp_path, monkeypatch):
    stack.configure(monkeypatch, tmp_path)
    reporters = stack.start_hosts(monkeypatch, {"bk-a": "nova"})
    yield tmp_path
    stack.stop_hosts(reporters)


@pytest.fixture
def server(client, cloud):
    return stack.boot_id(client, stack.flavor_id(client), stack.image_id())


def _backup(client, server, name, rotation, backup_type="daily", headers=None):
    body = {"createBackup": {"name": name, "backup_type": backup_type, "rotation": rotation}}
    return stack.act(client, server, body, headers)


def _images(**properties):
    from stratus.conductor.rpcapi import ConductorAPI

    return ConductorAPI().image_get_all(get_admin_context(), {"properties": properties})


def test_backup_is_an_active_image_of_the_server(client, cloud, server):
    reply = _backup(client, server, "b1", 2)
    assert reply.status_code == 202
    image_id = reply.get_json()["image_id"]
    [image] = _images(instance_uuid=server)
    assert (image.id, image.status, image.name) == (image_id, "active", "b1")
    assert image.properties["image_type"] == "backup"
    assert image.properties["backup_type"] == "daily"
    assert (cloud / "images" / image.file).exists()
    assert stack.states(client, server) == ("ACTIVE", "active", None)


def test_rotation_keeps_the_newest(client, cloud, server):
    ids = [_backup(client, server, f"b{i}", 2).get_json()["image_id"] for i in range(3)]
    _backup(client, server, "w", 2, backup_type="weekly")
    daily = _images(instance_uuid=server, backup_type="daily")
    assert sorted(i.id for i in daily) == sorted(ids[1:])
    assert not (cloud / "images" / f"{ids[0]}.qcow2").exists()
    assert len(_images(instance_uuid=server, backup_type="weekly")) == 1
    # rotation 0: the new backup is rotated out too, as Nova's.
    _backup(client, server, "none", 0)
    assert _images(instance_uuid=server, backup_type="daily") == []


def test_backup_before_2_45_answers_a_location(client, server):
    reply = _backup(client, server, "b", 1, headers=mv("2.44"))
    assert (reply.status_code, reply.data) == (202, b"")
    assert reply.headers["Location"].rsplit("/", 1)[1] == _images(instance_uuid=server)[0].id


@pytest.mark.parametrize("body", [
    {"name": "b", "backup_type": "daily"},
    {"name": "b", "backup_type": "daily", "rotation": -1},
    {"name": "b", "backup_type": "daily", "rotation": "x"},
    {"name": "b", "rotation": 1},
    {"backup_type": "daily", "rotation": 1},
    {"name": "b", "backup_type": "daily", "rotation": 1, "other": 1},
])
def test_bad_bodies(client, server, body):
    assert stack.act(client, server, {"createBackup": body}).status_code == 400


def test_backup_of_a_busy_server_is_a_conflict(client, server):
    from stratus.conductor.rpcapi import ConductorAPI

    ConductorAPI().instance_update(get_admin_context(), server, {"task_state": "rebooting"})
    assert _backup(client, server, "b", 1).status_code == 409
    assert _images(instance_uuid=server) == []
