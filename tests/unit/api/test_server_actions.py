"""Server actions, locks, metadata and instance actions through the API on
the real eager stack: conductor on SQLite, compute on libvirt's test
driver, every message run in this process."""
import libvirt
import pytest

from tests.unit.api.conftest import act_as, mv
from tests.unit.api import stack
from tests.unit.api.stack import act, boot_id, flavor_id, show

LATEST = mv("latest")


@pytest.fixture
def server(client, image, compute_host):
    return boot_id(client, flavor_id(client), image.id)


@pytest.fixture
def as_user(monkeypatch):
    """Make the following requests as another user: as_user(project, admin)."""
    def _as(project_id, is_admin):
        act_as(monkeypatch, f"{project_id}-user", project_id,
               ["admin"] if is_admin else ["member"])
    return _as


@pytest.fixture
def as_member(as_user):
    """Make the following requests as a non-admin member of the project."""
    return lambda: as_user("default", False)


def _states(client, server_id):
    return stack.states(client, server_id) + (show(client, server_id)["OS-EXT-STS:power_state"],)


def _domain_state(server_id):
    from stratus.compute import tasks

    domain = tasks.manager_for("e2e-host").driver.connection.lookupByUUIDString(server_id)
    return domain.state()[0]


def _conflict(reply):
    assert reply.status_code == 409, reply.get_json()
    return reply.get_json()["conflictingRequest"]["message"]


@pytest.mark.parametrize("body, status, vm_state, power, domain", [
    ({"os-stop": None}, "SHUTOFF", "stopped", 4, libvirt.VIR_DOMAIN_SHUTOFF),
    ({"pause": None}, "PAUSED", "paused", 3, libvirt.VIR_DOMAIN_PAUSED),
    ({"suspend": None}, "SUSPENDED", "suspended", 4, libvirt.VIR_DOMAIN_SHUTOFF),
    ({"reboot": {"type": "SOFT"}}, "ACTIVE", "active", 1, libvirt.VIR_DOMAIN_RUNNING),
    ({"reboot": {"type": "hard"}}, "ACTIVE", "active", 1, libvirt.VIR_DOMAIN_RUNNING),
])
def test_action_from_active(client, server, body, status, vm_state, power, domain):
    reply = act(client, server, body)
    assert (reply.status_code, reply.data) == (202, b"")
    assert _states(client, server) == (status, vm_state, None, power)
    assert _domain_state(server) == domain


@pytest.mark.parametrize("first, back", [({"os-stop": None}, {"os-start": None}),
                                         ({"pause": None}, {"unpause": None}),
                                         ({"suspend": None}, {"resume": None})])
def test_action_and_back_to_active(client, server, first, back):
    assert act(client, server, first).status_code == 202
    assert act(client, server, back).status_code == 202
    assert _states(client, server) == ("ACTIVE", "active", None, 1)
    assert _domain_state(server) == libvirt.VIR_DOMAIN_RUNNING


def test_hard_reboot_boots_a_suspended_server_afresh(client, server):
    assert act(client, server, {"suspend": None}).status_code == 202
    assert act(client, server, {"reboot": {"type": "HARD"}}).status_code == 202
    assert _states(client, server) == ("ACTIVE", "active", None, 1)
    from stratus.compute import tasks

    domain = tasks.manager_for("e2e-host").driver.connection.lookupByUUIDString(server)
    assert not domain.hasManagedSaveImage(0)


@pytest.mark.parametrize("body, action, vm_state", [
    ({"os-start": None}, "start", "active"),
    ({"unpause": None}, "unpause", "active"),
    ({"resume": None}, "resume", "active"),
])
def test_wrong_vm_state_is_a_conflict(client, server, body, action, vm_state):
    message = _conflict(act(client, server, body))
    assert message == f"Cannot '{action}' instance {server} while it is in vm_state {vm_state}"
    assert _states(client, server) == ("ACTIVE", "active", None, 1)


def test_soft_reboot_of_a_stopped_server_is_a_conflict(client, server):
    assert act(client, server, {"os-stop": None}).status_code == 202
    assert "vm_state stopped" in _conflict(act(client, server, {"reboot": {"type": "SOFT"}}))
    assert act(client, server, {"os-stop": None}).status_code == 409
    assert act(client, server, {"reboot": {"type": "HARD"}}).status_code == 202
    assert _states(client, server) == ("ACTIVE", "active", None, 1)


def test_a_busy_server_is_a_conflict(client, server):
    from stratus.conductor.rpcapi import ConductorAPI
    from stratus.common.context import get_admin_context

    ConductorAPI().instance_update(get_admin_context(), server, {"task_state": "pausing"})
    assert "task_state pausing" in _conflict(act(client, server, {"os-stop": None}))
    # A hard reboot may take over a pause in progress, as in Nova.
    assert act(client, server, {"reboot": {"type": "HARD"}}).status_code == 202
    assert _states(client, server) == ("ACTIVE", "active", None, 1)


def test_a_server_without_a_host_cannot_be_acted_on(client, image):
    server_id = boot_id(client, flavor_id(client), image.id)  # no compute host: ERROR
    assert _conflict(act(client, server_id, {"os-stop": None})) == \
        f"Instance {server_id} is not ready"


@pytest.mark.parametrize("body, message", [
    ({"fly": None}, "There is no such action: fly"),
    ({"pause": None, "unpause": None}, "Malformed request body"),
    ({}, "Malformed request body"),
    ({"reboot": {"type": "GENTLE"}}, "Invalid input for field/attribute reboot.type"),
    ({"reboot": {}}, "Invalid input for field/attribute reboot.type"),
    ({"reboot": "SOFT"}, "Invalid input for field/attribute reboot"),
    ({"os-resetState": {"state": "paused"}},
     "Invalid input for field/attribute os-resetState.state"),
])
def test_bad_action_bodies(client, server, body, message):
    reply = act(client, server, body)
    assert reply.status_code == 400, reply.get_json()
    assert reply.get_json()["badRequest"]["message"].startswith(message)


def test_inject_network_info_is_accepted_for_admins(client, server, monkeypatch):
    """Nothing to inject (DHCP and the config drive carry a guest's
    network): 202, as Nova's libvirt driver; a member may not."""
    assert act(client, server, {"injectNetworkInfo": None}).status_code == 202
    project = client.get(f"/v2.1/servers/{server}").get_json()["server"]["tenant_id"]
    act_as(monkeypatch, "member-user", project, ["member"])
    assert act(client, server, {"injectNetworkInfo": None}).status_code == 403


def test_actions_not_done_yet_are_not_implemented(client, server):
    reply = act(client, server, {"trigger_crash_dump": None})
    assert reply.status_code == 501
    assert reply.get_json() == {"notImplemented": {
        "message": "The requested functionality is not supported.", "code": 501}}
    assert act(client, server, {"changePassword": {"adminPass": "x"}}).status_code == 501
    assert act(client, server, {"resetNetwork": None}).status_code == 410
    assert act(client, "00000000-0000-0000-0000-000000000000",
                {"resize": {}}).status_code == 404


def test_lock_keeps_members_out(client, server, as_user, as_member):
    as_user("ops", True)  # an admin of another project: Nova's "admin" lock
    assert act(client, server, {"lock": {"locked_reason": "maintenance"}}).status_code == 202
    shown = show(client, server)
    assert (shown["locked"], shown["locked_reason"]) == (True, "maintenance")
    assert "locked_reason" not in client.get(f"/v2.1/servers/{server}",
                                             headers=mv("2.72")).get_json()["server"]
    as_member()
    locked = f"Instance {server} is locked"
    assert _conflict(act(client, server, {"os-stop": None})) == locked
    assert _conflict(act(client, server, {"reboot": {"type": "HARD"}})) == locked
    assert _conflict(client.post(f"/v2.1/servers/{server}/metadata",
                                 json={"metadata": {"a": "b"}})) == locked
    assert _conflict(client.delete(f"/v2.1/servers/{server}")) == locked
    # An admin locked it: only an admin may unlock it.
    reply = act(client, server, {"unlock": None})
    assert reply.status_code == 403
    assert "unlock:unlock_override" in reply.get_json()["forbidden"]["message"]
    assert _states(client, server) == ("ACTIVE", "active", None, 1)
    assert show(client, server)["locked"] is True


def test_admins_act_on_locked_servers_and_unlock(client, server):
    assert act(client, server, {"lock": None}).status_code == 202
    assert act(client, server, {"os-stop": None}).status_code == 202
    assert act(client, server, {"unlock": None}).status_code == 202
    shown = show(client, server)
    assert (shown["locked"], shown["locked_reason"], shown["status"]) == (False, None, "SHUTOFF")


def test_the_owner_locks_and_unlocks(client, server, as_member):
    as_member()
    assert act(client, server, {"lock": None}).status_code == 202
    assert _conflict(act(client, server, {"pause": None})).endswith("is locked")
    assert act(client, server, {"unlock": None}).status_code == 202
    assert act(client, server, {"pause": None}).status_code == 202
    assert _states(client, server)[0] == "PAUSED"


def test_lock_reason_needs_2_73(client, server):
    body = {"lock": {"locked_reason": "x"}}
    assert act(client, server, body, mv("2.72")).status_code == 202  # ignored before
    assert show(client, server)["locked_reason"] is None
    assert act(client, server, {"lock": {"locked_reason": ""}}).status_code == 400
    assert act(client, server, {"lock": {"other": 1}}).status_code == 400


def test_reset_state_is_for_admins(client, server, as_member):
    assert act(client, server, {"os-resetState": {"state": "error"}}).status_code == 202
    assert _states(client, server)[:3] == ("ERROR", "error", None)
    # ERROR servers may be stopped (Nova's rule), and reset to active.
    assert act(client, server, {"os-resetState": {"state": "active"}}).status_code == 202
    assert _states(client, server)[:3] == ("ACTIVE", "active", None)
    as_member()
    reply = act(client, server, {"os-resetState": {"state": "error"}})
    assert reply.status_code == 403
    assert "os-admin-actions:reset_state" in reply.get_json()["forbidden"]["message"]


def test_error_server_shows_its_fault_details_to_admins_only(client, image, as_member):
    server_id = boot_id(client, flavor_id(client), image.id)  # no host: ERROR with a fault
    fault = show(client, server_id)["fault"]
    assert fault["code"] == 500 and "No valid host" in fault["message"]
    assert fault["created"].endswith("Z") and fault["details"]
    as_member()
    fault = show(client, server_id)["fault"]
    assert "No valid host" in fault["message"] and "details" not in fault


# metadata
def _metadata(client, server_id, method="get", key=None, **kwargs):
    url = f"/v2.1/servers/{server_id}/metadata" + (f"/{key}" if key else "")
    return getattr(client, method)(url, **kwargs)


def test_metadata_round_trip(client, server):
    assert _metadata(client, server).get_json() == {"metadata": {}}
    reply = _metadata(client, server, "post", json={"metadata": {"a": "1", "b": "2"}})
    assert reply.get_json() == {"metadata": {"a": "1", "b": "2"}}
    reply = _metadata(client, server, "post", json={"metadata": {"b": "3", "c": "4"}})
    assert reply.get_json() == {"metadata": {"a": "1", "b": "3", "c": "4"}}
    assert _metadata(client, server, key="b").get_json() == {"meta": {"b": "3"}}
    reply = _metadata(client, server, "put", key="d", json={"meta": {"d": "5"}})
    assert (reply.status_code, reply.get_json()) == (200, {"meta": {"d": "5"}})
    assert _metadata(client, server, "delete", key="a").status_code == 204
    assert show(client, server)["metadata"] == {"b": "3", "c": "4", "d": "5"}
    reply = _metadata(client, server, "put", json={"metadata": {"only": "this"}})
    assert reply.get_json() == {"metadata": {"only": "this"}}
    assert _metadata(client, server).get_json() == {"metadata": {"only": "this"}}


def test_metadata_errors(client, server):
    missing = _metadata(client, server, key="nope")
    assert missing.status_code == 404
    assert missing.get_json()["itemNotFound"]["message"] == "Metadata item was not found"
    assert _metadata(client, server, "delete", key="nope").status_code == 404
    mismatch = _metadata(client, server, "put", key="a", json={"meta": {"b": "1"}})
    assert mismatch.get_json()["badRequest"]["message"] == "Request body and URI mismatch"
    for body in ({"meta": {"a": "1", "b": "2"}}, {"meta": {}}):
        assert _metadata(client, server, "put", key="a", json=body).status_code == 400
    for metadata in ({"k" * 256: "v"}, {"": "v"}, {"k": "v" * 256}, {"k": None}, {"k": 1},
                     {"bad/key": "v"}):
        reply = _metadata(client, server, "post", json={"metadata": metadata})
        assert reply.status_code == 400, metadata
    assert _metadata(client, server, "post", json={"metadata": {"k" * 255: "v" * 255}}
                     ).status_code == 200


def test_metadata_quota(client, server, monkeypatch):
    from stratus import config

    monkeypatch.setenv("STRATUS_QUOTA_METADATA_ITEMS", "2")
    config.reset_settings()
    assert _metadata(client, server, "post", json={"metadata": {"a": "1", "b": "2"}}
                     ).status_code == 200
    reply = _metadata(client, server, "put", key="c", json={"meta": {"c": "3"}})
    assert reply.status_code == 403
    assert reply.get_json()["forbidden"]["message"] == \
        "Maximum number of metadata items exceeds 2"
    # Changing an existing item or replacing the whole set stays within it.
    assert _metadata(client, server, "put", key="a", json={"meta": {"a": "9"}}
                     ).status_code == 200
    assert _metadata(client, server, "put", json={"metadata": {"x": "1", "y": "2"}}
                     ).status_code == 200


def test_metadata_state_rules(client, image):
    server_id = boot_id(client, flavor_id(client), image.id)  # ERROR, never launched
    message = _conflict(_metadata(client, server_id, "post", json={"metadata": {"a": "b"}}))
    assert message == f"Cannot 'update metadata' instance {server_id} while it is in " \
                      "vm_state error"


# instance actions
def _actions(client, server_id, headers=LATEST, query=""):
    reply = client.get(f"/v2.1/servers/{server_id}/os-instance-actions{query}", headers=headers)
    assert reply.status_code == 200, reply.get_json()
    return reply.get_json()


def _action(client, server_id, request_id, headers=LATEST):
    reply = client.get(f"/v2.1/servers/{server_id}/os-instance-actions/{request_id}",
                       headers=headers)
    assert reply.status_code == 200, reply.get_json()
    return reply.get_json()["instanceAction"]


def test_instance_actions_list_every_action_with_its_events(client, server):
    request_ids = {}
    for body in ({"os-stop": None}, {"os-start": None}, {"reboot": {"type": "SOFT"}},
                 {"pause": None}, {"unpause": None}, {"suspend": None}, {"resume": None},
                 {"lock": None}, {"unlock": None}):
        reply = act(client, server, body)
        assert reply.status_code == 202
        request_ids[next(iter(body))] = reply.headers["x-openstack-request-id"]
    listed = _actions(client, server)["instanceActions"]
    assert [a["action"] for a in listed] == ["unlock", "lock", "resume", "suspend", "unpause",
                                             "pause", "reboot", "start", "stop", "create"]
    assert listed[0]["request_id"] == request_ids["unlock"]
    assert all(a["instance_uuid"] == server and a["message"] is None for a in listed)
    assert listed[0]["updated_at"] and listed[0]["start_time"]
    for key, action in (("os-stop", "stop"), ("pause", "pause"), ("reboot", "reboot")):
        shown = _action(client, server, request_ids[key])
        [event] = shown["events"]
        assert (shown["action"], event["event"], event["result"]) == (
            action, f"compute_{action}_instance", "Success")
        assert event["task_id"] and event["host"] == "e2e-host" and event["traceback"] is None
        assert event["start_time"] and event["finish_time"] and event["hostId"]
        assert "details" in event
    [event] = _action(client, server, request_ids["lock"])["events"]
    assert (event["event"], event["result"]) == ("api_lock", "Success")


def test_a_compute_event_records_the_compute_task_id(client, server, monkeypatch):
    from stratus.common import rpc

    ran, dispatch = {}, rpc.dispatch

    def record(role, manager_for, method, envelope, task_id=None, *args, **kwargs):
        ran.setdefault(f"{role}.{method}", task_id)
        return dispatch(role, manager_for, method, envelope, task_id, *args, **kwargs)

    monkeypatch.setattr(rpc, "dispatch", record)
    reply = act(client, server, {"os-stop": None})
    [event] = _action(client, server, reply.headers["x-openstack-request-id"])["events"]
    # The task that ran on the compute host, not the conductor's task that
    # wrote the row.
    assert event["task_id"] == ran["compute.stop_instance"]


def test_instance_action_events_by_microversion_and_role(client, server, as_member):
    request_id = act(client, server, {"os-stop": None}).headers["x-openstack-request-id"]
    [event] = _action(client, server, request_id, mv("2.1"))["events"]
    assert set(event) == {"event", "start_time", "finish_time", "result", "traceback",
                          "task_id"}
    [event] = _action(client, server, request_id, mv("2.83"))["events"]
    assert {"host", "hostId"} <= set(event) and "details" not in event
    as_member()
    assert "events" not in _action(client, server, request_id, mv("2.50"))
    [event] = _action(client, server, request_id)["events"]
    assert set(event) == {"event", "start_time", "finish_time", "result", "hostId"}
    missing = client.get(f"/v2.1/servers/{server}/os-instance-actions/req-nope")
    assert missing.status_code == 404
    assert missing.get_json()["itemNotFound"]["message"] == "Action req-nope not found"


def test_instance_actions_paging_and_filters(client, server):
    for body in ({"pause": None}, {"unpause": None}):
        assert act(client, server, body).status_code == 202
    page = _actions(client, server, query="?limit=2")
    assert [a["action"] for a in page["instanceActions"]] == ["unpause", "pause"]
    marker = page["instanceActions"][-1]["request_id"]
    assert f"marker={marker}" in page["links"][0]["href"]
    rest = _actions(client, server, query=f"?limit=2&marker={marker}")
    assert [a["action"] for a in rest["instanceActions"]] == ["create"] and "links" not in rest
    since = page["instanceActions"][0]["updated_at"]
    recent = _actions(client, server, query=f"?changes-since={since}")["instanceActions"]
    assert [a["action"] for a in recent] == ["unpause"]
    base = f"/v2.1/servers/{server}/os-instance-actions"
    assert client.get(f"{base}?marker=req-nope", headers=LATEST).status_code == 400
    assert client.get(f"{base}?foo=1", headers=LATEST).status_code == 400
    assert client.get(f"{base}?foo=1", headers=mv("2.57")).status_code == 200
    assert client.get(f"{base}?changes-since=yesterday", headers=LATEST).status_code == 400


def test_a_deleted_servers_actions_from_2_21(client, server):
    assert client.delete(f"/v2.1/servers/{server}").status_code == 204
    listed = _actions(client, server, mv("2.21"))["instanceActions"]
    assert [a["action"] for a in listed] == ["delete", "create"]
    assert client.get(f"/v2.1/servers/{server}/os-instance-actions",
                      headers=mv("2.20")).status_code == 404


def test_rescue_and_unrescue_on_the_test_driver(client, server):
    reply = stack.act(client, server, {"rescue": {"adminPass": "r3scue"}})
    assert reply.status_code == 200 and reply.get_json() == {"adminPass": "r3scue"}
    assert stack.states(client, server) == ("RESCUE", "rescued", None)
    for action in ({"reboot": {"type": "SOFT"}}, {"rescue": None}, {"pause": None}):
        assert stack.act(client, server, action).status_code == 409, action
    assert stack.act(client, server, {"unrescue": None}).status_code == 202
    assert stack.states(client, server) == ("ACTIVE", "active", None)
    assert stack.act(client, server, {"unrescue": None}).status_code == 409
    generated = stack.act(client, server, {"rescue": None}).get_json()["adminPass"]
    assert len(generated) >= 8
    assert stack.act(client, server, {"unrescue": None}).status_code == 202
    bad = stack.act(client, server, {"rescue": {"rescue_image_ref": "nope"}})
    assert bad.status_code == 400


def test_console_output_of_a_guest_without_a_serial_log(client, server):
    """libvirt's test driver gives guests no serial port: Nova's 404. The
    output itself is read in tests/unit/compute/test_console_output.py and
    from a real guest in tests/functional/test_guest_image.py."""
    reply = act(client, server, {"os-getConsoleOutput": {"length": 10}})
    assert reply.status_code == 404
    assert reply.get_json()["itemNotFound"]["message"] == \
        "Guest does not have a console available."
    for length in ("abc", -2, True, 1.5):
        bad = act(client, server, {"os-getConsoleOutput": {"length": length}})
        assert bad.status_code == 400, length
