"""/servers/{id}/ips: no network service, so a server has no addresses and
is on no network; another project's server is a 404, a reader may look."""
import pytest

from tests.unit.api.conftest import act_as


def test_index_is_empty(client, fake):
    instance = fake.add_instance()
    reply = client.get(f"/v2.1/servers/{instance.uuid}/ips")
    assert reply.status_code == 200 and reply.get_json() == {"addresses": {}}


@pytest.mark.parametrize("label", ["private", "none", "public"])
def test_show_any_label_is_not_found(client, fake, label):
    instance = fake.add_instance()
    reply = client.get(f"/v2.1/servers/{instance.uuid}/ips/{label}")
    assert reply.status_code == 404
    assert reply.get_json() == {"itemNotFound": {
        "message": "Instance is not a member of specified network", "code": 404}}


def test_a_reader_of_the_project_may_list(client, fake, monkeypatch):
    instance = fake.add_instance(project_id="p1")
    act_as(monkeypatch, "auditor", "p1", ["reader"])
    assert client.get(f"/v2.1/servers/{instance.uuid}/ips").status_code == 200


@pytest.mark.parametrize("path", ["ips", "ips/private"])
def test_another_projects_or_unknown_server_is_not_found(client, fake, monkeypatch, path):
    instance = fake.add_instance(project_id="p1")
    act_as(monkeypatch, "alice", "p2", ["member"])
    assert client.get(f"/v2.1/servers/{instance.uuid}/{path}").status_code == 404
    unknown = "3f2a8e7e-6b43-4bd4-9a4a-1c7f5f0b1a11"
    reply = client.get(f"/v2.1/servers/{unknown}/{path}")
    assert reply.status_code == 404 and "itemNotFound" in reply.get_json()
