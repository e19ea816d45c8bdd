"""The noVNC proxy's rules, each on its own: the token's place in a
request, the Origin check (CVE-2015-0259), tokens scrubbed from every log
line (CVE-2015-9543), and the admission of a websocket on the eager stack
(forged, expired, purged and stale-port tokens refused). The same rules
against a real proxy process are in tests/functional/test_console.py."""
import datetime
import logging

import pytest

from stratus import config
from tests.unit.console.conftest import give_vnc
from stratus.consoleauth.rpcapi import ConsoleAuthAPI, hash_token
from stratus.common.context import get_admin_context
from stratus.novncproxy import proxy, security
from stratus.common.timeutils import utcnow

BASE = "http://127.0.0.1:6080/vnc_lite.html"


# where the token is
@pytest.mark.parametrize("path, cookie, token", [
    ("/?token=abc", None, "abc"),
    ("/websockify?token=abc&x=1", "token=other", "abc"),
    ("/", "token=abc", "abc"),
    ("/", "a=1; token=abc; b=2", "abc"),
    ("/", "bad cookie\x00; token=abc", "abc"),
    ("/", None, ""),
    ("/?x=1", "a=1", ""),
])
def test_token_from_the_query_else_novncs_cookie(path, cookie, token):
    assert security.token_from(path, cookie) == token


# CVE-2015-0259: the Origin
@pytest.mark.parametrize("headers, allowed, refused", [
    ({"Host": "127.0.0.1:6080"}, (), None),  # not a browser
    ({"Host": "127.0.0.1:6080", "Origin": "http://127.0.0.1:6080"}, (), None),
    ({"Host": "console.example:6080", "Origin": "http://console.example"}, (), None),
    ({"Host": "127.0.0.1:6080", "Origin": "http://evil.example"}, (),
     "Origin header does not match this host."),
    ({"Host": "127.0.0.1:6080", "Origin": "http://evil.example"}, ("evil.example",), None),
    ({"Host": "127.0.0.1:6080", "Origin": "http://dash.example"}, ("DASH.example",), None),
    ({"Host": "[::1]:6080", "Origin": "http://[::1]:6080"}, (), None),
    ({"Host": "127.0.0.1:6080", "Origin": "null"}, (), "Origin header not valid."),
    ({"Host": "127.0.0.1:6080", "Origin": "https://127.0.0.1:6080"}, (),
     "Origin header protocol does not match this host."),
    ({"Host": "127.0.0.1:6080", "Origin": "https://127.0.0.1",
      "X-Forwarded-Proto": "http"}, (), None),
])
def test_origin_must_be_this_host_or_an_allowed_one(headers, allowed, refused):
    assert security.origin_refusal(headers, allowed, BASE) == refused


# CVE-2015-9543: tokens in logs
@pytest.mark.parametrize("line", [
    '"GET /vnc_lite.html?path=%3Ftoken%3DSECRET-tok_en HTTP/1.1" 200 -',
    "127.0.0.1: Path: '/?token=SECRET-tok_en'",
    '"GET /?TOKEN=SECRET-tok_en&x=1 HTTP/1.1" 101 -',
    "path=%253Ftoken%253DSECRET-tok_en",
])
def test_scrub_hides_every_token(line):
    scrubbed = security.scrub(line)
    assert "SECRET" not in scrubbed and "***" in scrubbed


def test_the_log_filter_scrubs_formatted_records(caplog):
    logger = logging.getLogger("test.scrubber")
    logger.addFilter(security.TokenScrubber())
    with caplog.at_level(logging.INFO, "test.scrubber"):
        logger.info("Path: %s", "/?token=SECRET")
    assert caplog.messages == ["Path: /?token=***"]


# admission, on the eager stack
TOKEN = "admitted-token-0123456789abcdef"


@pytest.fixture
def console(vnc_server):
    ConsoleAuthAPI().authorize_console(get_admin_context(), hash_token(TOKEN), vnc_server,
                                       "127.0.0.1", 5999, "novnc")
    return vnc_server


def _admit(token=TOKEN, **headers):
    return proxy.admit(dict({"Host": "127.0.0.1:6080"}, **headers), f"/?token={token}")


def _refused(token=TOKEN, **headers):
    with pytest.raises(proxy.Refused) as refused:
        _admit(token, **headers)
    return refused.value.reason


def test_a_valid_token_is_admitted_to_its_guest(console):
    info = _admit(Origin="http://127.0.0.1:6080")
    assert (info["instance_uuid"], info["host"], info["port"]) == (console, "127.0.0.1", 5999)


def test_forged_tokens_are_refused(console):
    assert _refused(TOKEN[:-1] + "0") == proxy.INVALID_TOKEN
    assert _refused("") == proxy.INVALID_TOKEN
    assert _refused(hash_token(TOKEN)) == proxy.INVALID_TOKEN


def test_an_expired_token_is_refused(console, monkeypatch):
    from stratus.conductor.db import consoles

    later = utcnow() + datetime.timedelta(seconds=config.get_settings().console_token_ttl + 1)
    monkeypatch.setattr(consoles, "utcnow", lambda: later)
    assert _refused() == proxy.INVALID_TOKEN


def test_a_purged_token_is_refused(console, client):
    assert client.delete(f"/v2.1/servers/{console}").status_code == 204
    assert _refused() == proxy.INVALID_TOKEN


def test_a_token_for_a_port_the_guest_no_longer_has_is_refused(console):
    give_vnc(console, 5998)  # restarted: another port, someone else may have 5999
    assert _refused() == proxy.INVALID_TOKEN


def test_a_wrong_origin_is_refused_before_the_token_is_looked_at(console, monkeypatch):
    monkeypatch.setattr(ConsoleAuthAPI, "check_token", lambda *args: pytest.fail("asked"))
    assert _refused(Origin="http://evil.example") == "Origin header does not match this host."


def test_a_tunnelled_console_is_refused(vnc_server):
    """No driver here asks for an HTTP CONNECT tunnel; a token that does
    is refused rather than proxied straight to the tunnel's end."""
    ConsoleAuthAPI().authorize_console(get_admin_context(), hash_token(TOKEN), vnc_server,
                                       "127.0.0.1", 5999, "novnc", "/tunnel")
    assert _refused() == "Tunnelled consoles are not supported by this proxy."
