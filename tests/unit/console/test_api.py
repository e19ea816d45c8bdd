"""Console URLs through the API on the real eager stack: POST
/servers/{id}/remote-consoles (2.6+) and the os-getVNCConsole action
(2.1-2.5), Nova's answers for what is refused, and what consoleauth keeps."""
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.unit.api.conftest import act_as, mv
from tests.unit.console.conftest import give_vnc
from stratus.consoleauth.rpcapi import ConsoleAuthAPI, hash_token
from stratus.common.context import get_admin_context

VNC = {"remote_console": {"protocol": "vnc", "type": "novnc"}}


def _console(client, server_id, body=None, version="2.6"):
    return client.post(f"/v2.1/servers/{server_id}/remote-consoles", json=body or VNC,
                       headers=mv(version))


def _token(url):
    """The token in a console URL: `...?path=%3Ftoken%3D<token>`."""
    path = parse_qs(urlsplit(url).query)["path"][0]
    return parse_qs(urlsplit(path).query)["token"][0]


def _message(reply, code, fault):
    assert reply.status_code == code, reply.get_json()
    return reply.get_json()[fault]["message"]


def test_remote_console_url_carries_a_token_that_consoleauth_knows_by_hash(
        client, vnc_server):
    from stratus.conductor.db.models import ConsoleAuthToken
    from stratus.conductor.db.session import transaction

    reply = _console(client, vnc_server)
    assert reply.status_code == 200, reply.get_json()
    console = reply.get_json()["remote_console"]
    assert (console["protocol"], console["type"]) == ("vnc", "novnc")
    assert console["url"].startswith("http://127.0.0.1:6080/vnc_lite.html?path=%3Ftoken%3D")
    token = _token(console["url"])
    info = ConsoleAuthAPI().check_token(get_admin_context(), hash_token(token))
    assert (info["instance_uuid"], info["host"], info["port"], info["console_type"]) == \
        (vnc_server, "127.0.0.1", 5999, "novnc")
    with transaction() as session:
        [row] = session.query(ConsoleAuthToken).all()
        stored = [str(getattr(row, c.key)) for c in ConsoleAuthToken.__table__.columns]
    assert row.token_hash == hash_token(token)
    assert not any(token in value for value in stored)


def test_each_request_gets_a_new_token(client, vnc_server):
    first, second = (_token(_console(client, vnc_server).get_json()["remote_console"]["url"])
                     for _ in range(2))
    assert first != second and len(first) >= 40


def test_base_url_from_settings(client, vnc_server, monkeypatch):
    from stratus import config

    monkeypatch.setenv("STRATUS_NOVNCPROXY_BASE_URL", "https://console.example/vnc.html?x=1")
    config.reset_settings()
    url = _console(client, vnc_server).get_json()["remote_console"]["url"]
    assert url.startswith("https://console.example/vnc.html?x=1&path=%3Ftoken%3D")


def test_get_vnc_console_action_before_2_6(client, vnc_server):
    reply = client.post(f"/v2.1/servers/{vnc_server}/action",
                        json={"os-getVNCConsole": {"type": "novnc"}}, headers=mv("2.5"))
    assert reply.status_code == 200, reply.get_json()
    console = reply.get_json()["console"]
    assert console["type"] == "novnc"
    assert ConsoleAuthAPI().check_token(get_admin_context(), hash_token(_token(console["url"])))


def test_the_action_is_gone_in_2_6_and_remote_consoles_starts_there(client, vnc_server):
    reply = client.post(f"/v2.1/servers/{vnc_server}/action",
                        json={"os-getVNCConsole": {"type": "novnc"}}, headers=mv("2.6"))
    assert reply.status_code == 404
    assert _console(client, vnc_server, version="2.5").status_code == 404


def test_a_test_driver_guest_has_no_vnc_console(client, server):
    message = _message(_console(client, server), 400, "badRequest")
    assert message == "Unavailable console type vnc."


@pytest.mark.parametrize("body, message", [
    ({"remote_console": {"protocol": "spice", "type": "spice-html5"}},
     "Unavailable console type spice."),
    ({"remote_console": {"protocol": "rdp", "type": "rdp-html5"}},
     "Unavailable console type rdp."),
    ({"remote_console": {"protocol": "vnc", "type": "xvpvnc"}}, "Invalid console type xvpvnc"),
])
def test_other_consoles_are_refused_as_nova(client, vnc_server, body, message):
    assert _message(_console(client, vnc_server, body), 400, "badRequest") == message


@pytest.mark.parametrize("body", [
    {"remote_console": {"protocol": "vnc"}},
    {"remote_console": {"protocol": "telnet", "type": "novnc"}},
    {"remote_console": {"protocol": "vnc", "type": "novnc", "extra": 1}},
    {"console": {"protocol": "vnc", "type": "novnc"}},
])
def test_malformed_bodies_are_400(client, vnc_server, body):
    assert _console(client, vnc_server, body).status_code == 400


def test_action_with_a_bad_type_is_400(client, vnc_server):
    reply = client.post(f"/v2.1/servers/{vnc_server}/action",
                        json={"os-getVNCConsole": {"type": "spice-html5"}}, headers=mv("2.1"))
    assert reply.status_code == 400


@pytest.mark.parametrize("action, state", [({"os-stop": None}, "vm_state stopped"),
                                           ({"pause": None}, "vm_state paused")])
def test_a_server_that_is_not_running_is_a_conflict(client, vnc_server, action, state):
    assert client.post(f"/v2.1/servers/{vnc_server}/action", json=action).status_code == 202
    message = _message(_console(client, vnc_server), 409, "conflictingRequest")
    assert message == f"Cannot 'get_vnc_console' instance {vnc_server} while it is in {state}"


def test_a_moving_server_is_a_conflict(client, vnc_server):
    from stratus.conductor.rpcapi import ConductorAPI

    ConductorAPI().instance_update(get_admin_context(), vnc_server, {"task_state": "migrating"})
    message = _message(_console(client, vnc_server), 409, "conflictingRequest")
    assert message.endswith("while it is in task_state migrating")


def test_members_get_consoles_of_their_project_only(client, vnc_server, monkeypatch):
    act_as(monkeypatch, "someone", "other-project", ["member"])
    assert _console(client, vnc_server).status_code == 404
    act_as(monkeypatch, "someone", "default", ["reader"])
    assert _message(_console(client, vnc_server), 403, "forbidden") == \
        "Policy doesn't allow os_compute_api:os-remote-consoles to be performed."
    act_as(monkeypatch, "someone", "default", ["member"])
    assert _console(client, vnc_server).status_code == 200


def test_an_unknown_server_is_404(client, stack):
    assert _console(client, "00000000-0000-0000-0000-00000000abcd").status_code == 404


def test_the_console_port_is_the_guests_current_one(client, vnc_server):
    give_vnc(vnc_server, 5988)
    token = _token(_console(client, vnc_server).get_json()["remote_console"]["url"])
    assert ConsoleAuthAPI().check_token(get_admin_context(), hash_token(token))["port"] == 5988
