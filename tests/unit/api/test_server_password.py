"""/servers/{id}/os-server-password: the password's chunks in
system_metadata (Nova's keys), '' when none; DELETE clears them only."""
from tests.unit.api.conftest import act_as

CHUNKS = {"password_0": "a" * 255, "password_1": "b" * 10, "password_2": "", "password_3": "",
          "auto_disk_config": False}


def _url(instance):
    return f"/v2.1/servers/{instance.uuid}/os-server-password"


def test_no_password_is_empty(client, fake):
    reply = client.get(_url(fake.add_instance()))
    assert reply.status_code == 200 and reply.get_json() == {"password": ""}


def test_stored_chunks_are_joined(client, fake):
    instance = fake.add_instance(system_metadata=dict(CHUNKS))
    assert client.get(_url(instance)).get_json() == {"password": "a" * 255 + "b" * 10}


def test_delete_clears_the_password_and_keeps_the_rest(client, fake):
    instance = fake.add_instance(system_metadata=dict(CHUNKS))
    reply = client.delete(_url(instance))
    assert reply.status_code == 204
    assert fake.instances[instance.uuid].system_metadata == {"auto_disk_config": False}
    assert client.get(_url(instance)).get_json() == {"password": ""}


def test_delete_without_password_is_204(client, fake):
    assert client.delete(_url(fake.add_instance())).status_code == 204


def test_a_reader_may_show_but_not_clear(client, fake, monkeypatch):
    instance = fake.add_instance(project_id="p1", system_metadata=dict(CHUNKS))
    act_as(monkeypatch, "auditor", "p1", ["reader"])
    assert client.get(_url(instance)).status_code == 200
    reply = client.delete(_url(instance))
    assert reply.status_code == 403
    assert reply.get_json()["forbidden"]["message"] == (
        "Policy doesn't allow os_compute_api:os-server-password:clear to be performed.")
    assert fake.instances[instance.uuid].system_metadata == CHUNKS


def test_another_projects_server_is_not_found(client, fake, monkeypatch):
    instance = fake.add_instance(project_id="p1")
    act_as(monkeypatch, "alice", "p2", ["member"])
    assert client.get(_url(instance)).status_code == 404
    assert client.delete(_url(instance)).status_code == 404
