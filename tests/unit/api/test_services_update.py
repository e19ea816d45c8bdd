"""os-services updates and deletes on the eager stack: a disabled or
forced-down compute service gets no new instance; Nova's 2.53 and older
forms and their 400/404/409 answers."""
import pytest

from tests.unit.api import stack
from tests.unit.api.conftest import mv
from stratus.common.context import get_admin_context


@pytest.fixture
def api(client, db, roles, tmp_path, monkeypatch):
    stack.configure(monkeypatch, tmp_path)
    reporters = stack.start_hosts(monkeypatch, {"svc-a": "nova", "svc-b": "nova"})
    yield client
    stack.stop_hosts(reporters)


def _services(client, version="2.53"):
    return {s["host"]: s for s in client.get("/v2.1/os-services", headers=mv(version))
            .get_json()["services"]}


def _put(client, service_id, body, version="2.53"):
    return client.put(f"/v2.1/os-services/{service_id}", json=body, headers=mv(version))


@pytest.fixture
def boot_args(api):
    return stack.flavor_id(api), stack.image_id()


def _hosts_of_boots(client, boot_args, count):
    flavor, image = boot_args
    hosts = []
    for _ in range(count):
        reply = stack.boot(client, flavor, image)
        assert reply.status_code == 202, reply.get_json()
        server = client.get(f"/v2.1/servers/{reply.get_json()['server']['id']}",
                            headers=mv("latest")).get_json()["server"]
        hosts.append((server["status"], server["OS-EXT-SRV-ATTR:host"]))
    return hosts


def test_disabled_with_a_reason_gets_no_instance_until_enabled(api, boot_args):
    b = _services(api)["svc-b"]
    reply = _put(api, b["id"], {"status": "disabled", "disabled_reason": "maintenance"})
    assert reply.status_code == 200
    shown = reply.get_json()["service"]
    assert (shown["status"], shown["disabled_reason"], shown["forced_down"]) == (
        "disabled", "maintenance", False)
    assert _services(api)["svc-b"]["disabled_reason"] == "maintenance"
    assert _hosts_of_boots(api, boot_args, 4) == [("ACTIVE", "svc-a")] * 4
    enabled = _put(api, b["id"], {"status": "enabled"}).get_json()["service"]
    assert (enabled["status"], enabled["disabled_reason"]) == ("enabled", None)
    assert ("ACTIVE", "svc-b") in _hosts_of_boots(api, boot_args, 2)


def test_forced_down_is_down_and_skipped(api, boot_args):
    b = _services(api)["svc-b"]
    assert _put(api, b["id"], {"forced_down": "true"}).get_json()["service"]["state"] == "down"
    listed = _services(api)["svc-b"]
    assert (listed["state"], listed["forced_down"], listed["status"]) == ("down", True, "enabled")
    hypervisors = api.get("/v2.1/os-hypervisors", headers=mv("2.53")).get_json()["hypervisors"]
    assert {h["hypervisor_hostname"]: h["state"] for h in hypervisors}["svc-b"] == "down"
    assert _hosts_of_boots(api, boot_args, 3) == [("ACTIVE", "svc-a")] * 3
    assert _put(api, b["id"], {"forced_down": False}).get_json()["service"]["state"] == "up"


@pytest.mark.parametrize("body, message", [
    ({"status": "enabled", "disabled_reason": "x"}, "Specifying 'disabled_reason'"),
    ({}, "No updates were requested"),
    ({"disabled_reason": "only a reason"}, "No updates were requested"),
    ({"status": "off"}, "status"),
    ({"forced_down": "maybe"}, "forced_down"),
    ({"status": "disabled", "disabled_reason": ""}, "disabled_reason"),
    ({"status": "disabled", "host": "svc-b"}, "host"),
])
def test_bad_2_53_updates_are_400(api, body, message):
    reply = _put(api, _services(api)["svc-b"]["id"], body)
    assert reply.status_code == 400
    assert message in reply.get_json()["badRequest"]["message"]


def test_unknown_or_malformed_ids(api):
    assert _put(api, "not-a-uuid", {"status": "disabled"}).status_code == 400
    missing = _put(api, "5e000000-0000-0000-0000-000000000099", {"status": "disabled"})
    assert missing.status_code == 404
    assert api.delete("/v2.1/os-services/abc", headers=mv("2.1")).status_code == 400
    assert api.delete("/v2.1/os-services/999", headers=mv("2.1")).status_code == 404


def test_only_compute_services_can_be_updated(api):
    from stratus.conductor.rpcapi import ConductorAPI

    ConductorAPI().service_update(get_admin_context(), "ctl", "nova-scheduler", "scheduler")
    scheduler = _services(api)["ctl"]
    assert scheduler["zone"] == "internal"
    reply = _put(api, scheduler["id"], {"status": "disabled"})
    assert reply.status_code == 400
    assert reply.get_json()["badRequest"]["message"] == (
        "Updating a nova-scheduler service is not supported. Only nova-compute "
        "services can be updated.")


def test_binary_filter_uses_nova_names(api):
    from stratus.conductor.rpcapi import ConductorAPI

    ConductorAPI().service_update(get_admin_context(), "ctl", "nova-scheduler", "scheduler")

    def listed(binary):
        services = api.get(f"/v2.1/os-services?binary={binary}").get_json()["services"]
        return sorted((s["host"], s["binary"]) for s in services)

    assert listed("nova-compute") == [("svc-a", "nova-compute"), ("svc-b", "nova-compute")]
    assert listed("nova-scheduler") == [("ctl", "nova-scheduler")]
    assert listed("stratus-compute") == []
    reply = api.get("/v2.1/os-services?binary=nova-compute&host=svc-b").get_json()
    assert [s["host"] for s in reply["services"]] == ["svc-b"]


def test_pre_2_53_actions_by_host_and_binary(api):
    body = {"host": "svc-b", "binary": "nova-compute"}
    reply = _put(api, "disable-log-reason", dict(body, disabled_reason="disk"), "2.11")
    assert reply.get_json() == {"service": dict(body, status="disabled", disabled_reason="disk")}
    assert _services(api, "2.11")["svc-b"]["disabled_reason"] == "disk"
    assert _put(api, "enable", body, "2.11").get_json() == {"service": dict(body,
                                                                            status="enabled")}
    assert _put(api, "disable", body, "2.1").get_json()["service"]["status"] == "disabled"
    forced = _put(api, "force-down", dict(body, forced_down=True), "2.11").get_json()
    assert forced == {"service": dict(body, forced_down=True)}
    assert _services(api, "2.11")["svc-b"]["state"] == "down"
    assert _put(api, "force-down", dict(body, forced_down=True), "2.10").status_code == 400
    assert _put(api, "force-down", body, "2.10").status_code == 404
    assert _put(api, "disable-log-reason", body, "2.11").status_code == 400
    assert _put(api, "reboot", body, "2.11").status_code == 404
    assert _put(api, "disable", {"host": "svc-b"}, "2.11").status_code == 400
    assert _put(api, "disable", dict(body, host="nowhere"), "2.11").status_code == 404
    assert _put(api, "disable", dict(body, status="disabled"), "2.11").status_code == 400


def test_delete_refused_while_hosting_then_removes_the_node(api, boot_args):
    ids = {h: s["id"] for h, s in _services(api).items()}
    _put(api, ids["svc-a"], {"status": "disabled"})
    [(status, host)] = _hosts_of_boots(api, boot_args, 1)
    assert (status, host) == ("ACTIVE", "svc-b")
    reply = api.delete(f"/v2.1/os-services/{ids['svc-b']}", headers=mv("2.53"))
    assert reply.status_code == 409
    assert "hosting instances" in reply.get_json()["conflictingRequest"]["message"]
    server_id = api.get("/v2.1/servers").get_json()["servers"][0]["id"]
    assert api.delete(f"/v2.1/servers/{server_id}").status_code == 204
    assert api.delete(f"/v2.1/os-services/{ids['svc-b']}", headers=mv("2.53")).status_code == 204
    assert "svc-b" not in _services(api)
    hypervisors = api.get("/v2.1/os-hypervisors").get_json()["hypervisors"]
    assert [h["hypervisor_hostname"] for h in hypervisors] == ["svc-a"]
    assert api.delete(f"/v2.1/os-services/{ids['svc-b']}", headers=mv("2.53")).status_code == 404


def test_members_may_not_update_or_delete(api, monkeypatch):
    service_id = _services(api)["svc-b"]["id"]
    stack.as_user(monkeypatch)
    assert _put(api, service_id, {"status": "disabled"}).status_code == 403
    assert api.delete(f"/v2.1/os-services/{service_id}", headers=mv("2.53")).status_code == 403
