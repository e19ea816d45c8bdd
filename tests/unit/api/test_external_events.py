"""os-server-external-events on the real eager stack: the service role
(or an admin) reports events, each answered with its code; names are
checked against the microversion; others are refused."""
import pytest

from stratus import config
from tests.unit.api import stack
from tests.unit.api.conftest import act_as, mv

EVENTS = "/v2.1/os-server-external-events"


@pytest.fixture
def api(client, db, roles, tmp_path, monkeypatch):
    stack.configure(monkeypatch, tmp_path)
    reporters = stack.start_hosts(monkeypatch, {"events-a": "nova"})
    yield client
    stack.stop_hosts(reporters)
    monkeypatch.undo()
    config.reset_settings()


def test_a_service_reports_events(api, monkeypatch):
    server = stack.boot_id(api, stack.flavor_id(api), stack.image_id())
    act_as(monkeypatch, "neutron", "service", ("service",))
    reply = api.post(EVENTS, json={"events": [{"name": "network-changed",
                                               "server_uuid": server}]})
    assert reply.status_code == 200
    assert reply.get_json()["events"] == [{"name": "network-changed", "server_uuid": server,
                                           "status": "completed", "code": 200}]
    unknown = "00000000-0000-0000-0000-000000000000"
    mixed = api.post(EVENTS, json={"events": [
        {"name": "network-vif-plugged", "server_uuid": server, "tag": "port-1"},
        {"name": "network-vif-plugged", "server_uuid": unknown}]})
    assert mixed.status_code == 207
    assert [e["code"] for e in mixed.get_json()["events"]] == [200, 404]
    none = api.post(EVENTS, json={"events": [{"name": "network-changed",
                                              "server_uuid": unknown}]})
    assert none.status_code == 404


@pytest.mark.parametrize("body, version", [
    ({"events": []}, "2.1"),
    ({"events": [{"name": "bogus", "server_uuid": "x"}]}, "2.1"),
    ({"events": [{"name": "power-update", "server_uuid": "x"}]}, "2.75"),
    ({"events": [{"name": "network-changed"}]}, "2.1"),
])
def test_bad_events_are_400(api, body, version):
    reply = api.post(EVENTS, json=body, headers=mv(version))
    assert reply.status_code == 400 and reply.get_json()["badRequest"]["code"] == 400


def test_members_may_not_report_events(api, monkeypatch):
    act_as(monkeypatch, "someone", "proj", ("member",))
    assert api.post(EVENTS, json={"events": [{"name": "network-changed",
                                              "server_uuid": "x"}]}).status_code == 403
