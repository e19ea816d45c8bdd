"""Admins' views of guests and hosts on the real eager stack (libvirt's
test driver): server diagnostics (2.48 shape and the flat one before),
hypervisor statistics, uptime, search and servers, each gone from the
microversion where Nova removed it."""
import pytest

from stratus import config
from tests.unit.api import stack
from tests.unit.api.conftest import act_as, mv


@pytest.fixture
def api(client, db, roles, tmp_path, monkeypatch):
    stack.configure(monkeypatch, tmp_path)
    reporters = stack.start_hosts(monkeypatch, {"diag-a": "nova"})
    yield client
    stack.stop_hosts(reporters)
    monkeypatch.undo()
    config.reset_settings()


@pytest.fixture
def server(api):
    return stack.boot_id(api, stack.flavor_id(api, ram=128), stack.image_id(), name="diag")


def test_server_diagnostics_in_both_shapes(api, server):
    new = api.get(f"/v2.1/servers/{server}/diagnostics", headers=mv("2.48")).get_json()
    assert (new["state"], new["driver"], new["num_cpus"]) == ("running", "libvirt", 1)
    assert new["memory_details"] == {"maximum": 128, "used": 128}
    assert new["num_disks"] == len(new["disk_details"]) and new["uptime"] >= 0
    assert {cpu["id"] for cpu in new["cpu_details"]} == {0}
    old = api.get(f"/v2.1/servers/{server}/diagnostics", headers=mv("2.47")).get_json()
    assert old["memory"] == 128 * 1024 and "cpu0_time" in old


def test_server_diagnostics_are_for_admins(api, server, monkeypatch):
    act_as(monkeypatch, "someone", "default", ("member",))
    reply = api.get(f"/v2.1/servers/{server}/diagnostics")
    assert reply.status_code == 403 and "forbidden" in reply.get_json()


def test_hypervisor_statistics_uptime_search_and_servers(api, server):
    stats = api.get("/v2.1/os-hypervisors/statistics", headers=mv("2.87")).get_json()
    stats = stats["hypervisor_statistics"]
    assert (stats["count"], stats["running_vms"], stats["memory_mb_used"]) == (1, 1, 128)
    node = api.get("/v2.1/os-hypervisors", headers=mv("2.1")).get_json()["hypervisors"][0]
    uptime = api.get(f"/v2.1/os-hypervisors/{node['id']}/uptime", headers=mv("2.1")).get_json()
    assert " up " in uptime["hypervisor"]["uptime"]
    found = api.get("/v2.1/os-hypervisors/diag/search", headers=mv("2.1")).get_json()
    assert [h["hypervisor_hostname"] for h in found["hypervisors"]] == ["diag-a"]
    on_it = api.get("/v2.1/os-hypervisors/diag/servers", headers=mv("2.1")).get_json()
    assert on_it["hypervisors"][0]["servers"] == [{"name": "diag", "uuid": server}]
    assert api.get("/v2.1/os-hypervisors/nothing/search", headers=mv("2.1")).status_code == 404

    detail = api.get("/v2.1/os-hypervisors/detail", headers=mv("2.88")).get_json()
    assert " up " in detail["hypervisors"][0]["uptime"]
    for path, removed in (("statistics", "2.88"), (f"{node['id']}/uptime", "2.88"),
                          ("diag/search", "2.53"), ("diag/servers", "2.53")):
        assert api.get(f"/v2.1/os-hypervisors/{path}", headers=mv(removed)).status_code == 404
