"""Server actions through the whole distributed stack: each request walks
its states (the API's task_state, the compute host's driver call on
libvirt, the final vm_state and the power state the driver read back),
wrong-state requests get 409, and every action is in os-instance-actions
with its event and the Celery task that ran it."""

LATEST = {"OpenStack-API-Version": "compute latest"}
POWER = {"running": 1, "paused": 3, "shutdown": 4}


def _conflict(cloud, sid, body, expected):
    reply = cloud.action(sid, body)
    assert reply.status_code == 409, reply.text
    assert expected in reply.json()["conflictingRequest"]["message"], reply.text


# (action body, status after, vm_state after, power state after)
WALK = [
    ({"os-stop": None}, "SHUTOFF", "stopped", "shutdown"),
    ({"os-start": None}, "ACTIVE", "active", "running"),
    ({"reboot": {"type": "SOFT"}}, "ACTIVE", "active", "running"),
    ({"reboot": {"type": "HARD"}}, "ACTIVE", "active", "running"),
    ({"pause": None}, "PAUSED", "paused", "paused"),
    ({"unpause": None}, "ACTIVE", "active", "running"),
    ({"suspend": None}, "SUSPENDED", "suspended", "shutdown"),
    ({"resume": None}, "ACTIVE", "active", "running"),
]
# What each state refuses, with the vm_state Nova names in its message.
REFUSED = {
    "active": [({"os-start": None}, "start"), ({"unpause": None}, "unpause"),
               ({"resume": None}, "resume")],
    "stopped": [({"os-stop": None}, "stop"), ({"pause": None}, "pause"),
                ({"reboot": {"type": "SOFT"}}, "reboot")],
    "paused": [({"pause": None}, "pause"), ({"suspend": None}, "suspend")],
    "suspended": [({"os-stop": None}, "stop"), ({"unpause": None}, "unpause")],
}


def test_every_action_walks_its_states(clean, flavor):
    cloud = clean
    sid = cloud.boot("walker", flavor, cloud.image_id)
    assert cloud.wait_final([sid])[sid]["status"] == "ACTIVE"
    request_ids = []
    for body, status, vm_state, power in WALK:
        reply = cloud.action(sid, body)
        assert (reply.status_code, reply.text) == (202, ""), (body, reply.text)
        request_ids.append(reply.headers["x-openstack-request-id"])
        server = cloud.wait_status(sid, status)
        assert server["OS-EXT-STS:vm_state"] == vm_state, body
        assert server["OS-EXT-STS:power_state"] == POWER[power], body
        for refused, action in REFUSED.get(vm_state, []):
            _conflict(cloud, sid, refused,
                      f"Cannot '{action}' instance {sid} while it is in vm_state {vm_state}")
    for body in ({"lock": {"locked_reason": "ft"}}, {"unlock": None}):
        reply = cloud.action(sid, body)
        assert reply.status_code == 202, reply.text
        request_ids.append(reply.headers["x-openstack-request-id"])
        server = cloud.api("GET", f"/servers/{sid}", headers=LATEST).json()["server"]
        assert server["locked"] is ("lock" in body)
        assert server["locked_reason"] == ("ft" if "lock" in body else None)
    _check_instance_actions(cloud, sid, request_ids)


def _check_instance_actions(cloud, sid, request_ids):
    listed = cloud.api("GET", f"/servers/{sid}/os-instance-actions",
                       headers=LATEST).json()["instanceActions"]
    names = ["stop", "start", "reboot", "reboot", "pause", "unpause", "suspend", "resume",
             "lock", "unlock"]
    assert [a["action"] for a in reversed(listed)] == ["create"] + names
    assert [a["request_id"] for a in reversed(listed)][1:] == request_ids
    for name, request_id in zip(names, request_ids):
        action = cloud.api("GET", f"/servers/{sid}/os-instance-actions/{request_id}",
                           headers=LATEST).json()["instanceAction"]
        [event] = action["events"]
        expected = f"api_{name}" if name in ("lock", "unlock") else f"compute_{name}_instance"
        assert (event["event"], event["result"]) == (expected, "Success"), action
        if name not in ("lock", "unlock"):
            assert event["host"] in ("ft-a", "ft-b") and event["task_id"], event
            assert event["start_time"] and event["finish_time"]


def test_wrong_requests_on_a_busy_or_unknown_server(clean, flavor):
    cloud = clean
    sid = cloud.boot("busy", flavor, cloud.image_id)
    assert cloud.wait_final([sid])[sid]["status"] == "ACTIVE"
    assert cloud.action(sid, {"fly": None}).status_code == 400
    assert cloud.action(sid, {"changePassword": {"adminPass": "x"}}).status_code == 501
    missing = "00000000-0000-0000-0000-000000000000"
    assert cloud.action(missing, {"os-stop": None}).status_code == 404
    # Two stops at once: the second finds the first's task_state.
    first, second = cloud.action(sid, {"os-stop": None}), cloud.action(sid, {"os-stop": None})
    assert first.status_code == 202
    assert second.status_code == 409, second.text
    assert cloud.wait_status(sid, "SHUTOFF")["OS-EXT-STS:power_state"] == POWER["shutdown"]
