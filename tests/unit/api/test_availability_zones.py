"""os-availability-zone on the eager stack: zones come from the compute
hosts' configured zone; a zone whose services are all disabled is not
available; the detail (admin) shows hosts and the internal zone."""
import pytest

from tests.unit.api import stack
from tests.unit.api.conftest import mv
from stratus.common.context import get_admin_context


@pytest.fixture
def api(client, db, roles, tmp_path, monkeypatch):
    stack.configure(monkeypatch, tmp_path)
    reporters = stack.start_hosts(monkeypatch, {"az-a1": "az1", "az-a2": "az1", "az-b": "az2"})
    yield client
    stack.stop_hosts(reporters)


def _zones(client, path="/v2.1/os-availability-zone"):
    return {z["zoneName"]: z for z in client.get(path).get_json()["availabilityZoneInfo"]}


def _disable(client, host):
    services = client.get("/v2.1/os-services", headers=mv("2.53")).get_json()["services"]
    service_id = next(s["id"] for s in services if s["host"] == host)
    reply = client.put(f"/v2.1/os-services/{service_id}", json={"status": "disabled"},
                       headers=mv("2.53"))
    assert reply.status_code == 200


def test_zones_from_the_hosts_config(api):
    assert _zones(api) == {
        "az1": {"zoneName": "az1", "zoneState": {"available": True}, "hosts": None},
        "az2": {"zoneName": "az2", "zoneState": {"available": True}, "hosts": None}}


def test_zone_with_only_disabled_hosts_is_not_available(api):
    _disable(api, "az-b")
    _disable(api, "az-a1")
    zones = _zones(api)
    assert zones["az2"]["zoneState"] == {"available": False}
    assert zones["az1"]["zoneState"] == {"available": True}
    names = [z["zoneName"] for z in api.get("/v2.1/os-availability-zone")
             .get_json()["availabilityZoneInfo"]]
    assert names == ["az1", "az2"]  # available ones first


def test_detail_shows_hosts_and_the_internal_zone(api):
    from stratus.conductor.rpcapi import ConductorAPI

    ConductorAPI().service_update(get_admin_context(), "ctl", "nova-scheduler", "scheduler")
    _disable(api, "az-a2")
    detail = _zones(api, "/v2.1/os-availability-zone/detail")
    az1 = detail["az1"]
    assert az1["zoneState"] == {"available": True}
    assert list(az1["hosts"]) == ["az-a1"]  # disabled services are left out
    state = az1["hosts"]["az-a1"]["nova-compute"]
    assert (state["available"], state["active"]) == (True, True)
    assert state["updated_at"]
    assert detail["internal"]["hosts"] == {"ctl": {"nova-scheduler": {
        "available": True, "active": True,
        "updated_at": detail["internal"]["hosts"]["ctl"]["nova-scheduler"]["updated_at"]}}}
    assert "internal" not in _zones(api)


def test_members_list_but_not_detail(api, monkeypatch):
    stack.as_user(monkeypatch)
    assert api.get("/v2.1/os-availability-zone").status_code == 200
    assert api.get("/v2.1/os-availability-zone/detail").status_code == 403
