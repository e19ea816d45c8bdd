"""The consoleauth role through its rpcapi on the eager stack: a token is
kept as its hash, for the TTL, bound to one instance's host and port;
forged, expired and purged tokens are refused."""
import datetime

import pytest

from stratus import config
from tests.unit.console.conftest import give_vnc
from stratus.consoleauth.rpcapi import ConsoleAuthAPI, hash_token
from stratus.common.context import get_admin_context
from stratus.common.timeutils import utcnow

TOKEN = "a-console-token-0123456789"


@pytest.fixture
def consoleauth(db, roles):
    return ConsoleAuthAPI()


def _authorize(consoleauth, instance_uuid="11111111-2222-3333-4444-555555555555",
               token=TOKEN, port=5901):
    consoleauth.authorize_console(get_admin_context(), hash_token(token), instance_uuid,
                                  "127.0.0.1", port, "novnc")
    return instance_uuid


def _check(consoleauth, token=TOKEN):
    return consoleauth.check_token(get_admin_context(), hash_token(token))


def test_a_token_grants_its_instance_host_and_port_for_the_ttl(consoleauth):
    before = utcnow()
    uuid = _authorize(consoleauth)
    info = _check(consoleauth)
    assert (info["instance_uuid"], info["host"], info["port"], info["console_type"]) == \
        (uuid, "127.0.0.1", 5901, "novnc")
    expires = datetime.datetime.fromisoformat(info["expires"])
    ttl = config.get_settings().console_token_ttl
    assert ttl == 600
    assert before + datetime.timedelta(seconds=ttl) <= expires <= \
        utcnow() + datetime.timedelta(seconds=ttl)


def test_only_the_hash_is_stored(consoleauth):
    from sqlalchemy import text

    from stratus.conductor.db.session import transaction

    _authorize(consoleauth)
    with transaction() as session:
        dump = " ".join(str(value) for row in session.execute(
            text("SELECT * FROM console_auth_tokens")) for value in row)
    assert hash_token(TOKEN) in dump and TOKEN not in dump


@pytest.mark.parametrize("forged", ["", "a-console-token-0123456788", TOKEN.upper(),
                                    hash_token(TOKEN)])
def test_a_forged_token_is_refused(consoleauth, forged):
    _authorize(consoleauth)
    assert _check(consoleauth, forged) is None


@pytest.fixture
def short_ttl(monkeypatch):
    monkeypatch.setenv("STRATUS_CONSOLE_TOKEN_TTL", "30")
    config.reset_settings()
    yield
    monkeypatch.undo()
    config.reset_settings()


def test_an_expired_token_is_refused(consoleauth, short_ttl, monkeypatch):
    _authorize(consoleauth)
    assert _check(consoleauth) is not None
    from stratus.conductor.db import consoles

    later = utcnow() + datetime.timedelta(seconds=31)
    monkeypatch.setattr(consoles, "utcnow", lambda: later)
    assert _check(consoleauth) is None


def test_expired_tokens_are_dropped_when_a_new_one_is_stored(consoleauth, monkeypatch):
    from sqlalchemy import text

    from stratus.conductor.db import consoles
    from stratus.conductor.db.session import transaction

    _authorize(consoleauth, token="old")
    later = utcnow() + datetime.timedelta(seconds=601)
    monkeypatch.setattr(consoles, "utcnow", lambda: later)
    _authorize(consoleauth, token="new")
    with transaction() as session:
        hashes = {row[0] for row in session.execute(
            text("SELECT token_hash FROM console_auth_tokens"))}
    assert hashes == {hash_token("new")}


def test_delete_tokens_for_instance_purges_only_that_instance(consoleauth):
    moved = _authorize(consoleauth, "aaaaaaaa-0000-0000-0000-000000000001", token="t1")
    _authorize(consoleauth, moved, token="t2")
    _authorize(consoleauth, "aaaaaaaa-0000-0000-0000-000000000002", token="t3")
    assert consoleauth.delete_tokens_for_instance(get_admin_context(), moved) == 2
    assert [_check(consoleauth, t) is None for t in ("t1", "t2", "t3")] == [True, True, False]


def test_deleting_a_server_purges_its_tokens(client, vnc_server):
    consoleauth = ConsoleAuthAPI()
    _authorize(consoleauth, vnc_server)
    assert client.delete(f"/v2.1/servers/{vnc_server}").status_code == 204
    assert client.get(f"/v2.1/servers/{vnc_server}").status_code == 404
    assert _check(consoleauth) is None


def test_a_restarted_guest_keeps_its_token_but_the_port_is_checked_again(vnc_server):
    """The token stays; the compute host's answer changes (see test_proxy)."""
    from stratus.compute import tasks
    from stratus.conductor.rpcapi import ConductorAPI

    manager = tasks.manager_for("e2e-host")
    instance = ConductorAPI().instance_get(get_admin_context(), vnc_server)
    ctxt = get_admin_context()
    assert manager.consoles.validate_console_port(ctxt, instance, "5999", "novnc")
    give_vnc(vnc_server, 5998)
    assert not manager.consoles.validate_console_port(ctxt, instance, "5999", "novnc")
    assert manager.consoles.validate_console_port(ctxt, instance, "5998", "novnc")
    assert not manager.consoles.validate_console_port(ctxt, instance, "5998", "spice-html5")
