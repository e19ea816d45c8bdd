"""The same_host and different_host scheduler hints on the real eager
stack with two hosts: a server lands beside the named ones, or away from
them; a bad hint is a 400; a same_host hint with nowhere to go fails the
build (no valid host), as Nova's."""
import pytest

from stratus import config
from tests.unit.api import stack


@pytest.fixture
def api(client, db, roles, tmp_path, monkeypatch):
    stack.configure(monkeypatch, tmp_path)
    reporters = stack.start_hosts(monkeypatch, {"hint-a": "nova", "hint-b": "nova"})
    client.flavor = stack.flavor_id(client)
    yield client
    stack.stop_hosts(reporters)
    monkeypatch.undo()
    config.reset_settings()


def _boot(api, hints, **extra):
    body = {"server": {"name": "s", "flavorRef": api.flavor,
                       "imageRef": stack.image_id(), "networks": "none", **extra},
            "os:scheduler_hints": hints}
    reply = api.post("/v2.1/servers", json=body)
    assert reply.status_code == 202, reply.get_json()
    return reply.get_json()["server"]["id"]


def _host(api, server):
    return stack.show(api, server)["OS-EXT-SRV-ATTR:host"]


def test_same_and_different_host(api):
    first = _boot(api, {})
    for _ in range(3):
        assert _host(api, _boot(api, {"same_host": first})) == _host(api, first)
        assert _host(api, _boot(api, {"different_host": [first]})) != _host(api, first)


def test_bad_hints_and_nowhere_to_go(api):
    first = _boot(api, {})
    both = _boot(api, {"same_host": [first], "different_host": [first]})
    assert stack.show(api, both)["status"] == "ERROR"
    for hints in ({"same_host": "not-a-uuid"}, {"different_host": [1]}):
        reply = api.post("/v2.1/servers", json={
            "server": {"name": "s", "flavorRef": api.flavor,
                       "imageRef": stack.image_id(), "networks": "none"},
            "os:scheduler_hints": hints})
        assert reply.status_code == 400, hints
