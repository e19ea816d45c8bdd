"""The api's deferred token check (RequestContext.token_check): carried
by a call to servers that check it, done by the sender itself before any
other message."""
import pytest

from stratus.common import exception, rpc
from stratus.common.context import RequestContext
from stratus.common.endpoint import endpoint

SEEN = []


class TokenManager:
    @endpoint(since="1.0")
    def show(self, ctxt):
        return "ran"


def _checking(function, ctxt, kwargs, reply):
    """What a checking server does first (the conductor's, with its
    revocation list: here, the token "revoked")."""
    token, ctxt.token_check = ctxt.token_check, None
    SEEN.append(token)
    if token == "revoked":
        raise exception.NotAuthenticated()
    return function(ctxt, **kwargs)


rpc.expose("tokened", lambda server: TokenManager(), TokenManager, around=_checking,
           since="1.1")
rpc.expose("plain", lambda server: TokenManager(), TokenManager)


@pytest.fixture
def checks():
    SEEN.clear()
    return []


def _ctxt(checks, token="tok"):
    def check(token_id):
        checks.append(token_id)
        if token_id == "revoked":
            raise exception.NotAuthenticated()
    return RequestContext(user_id="u", project_id="p", token_check=token, check_token=check)


def _checking_client(cap=None):
    return rpc.RPCClient("tokened", "1.0", version_cap=cap, checks_token="1.1")


def test_a_call_to_a_checking_server_carries_the_token_once(checks):
    ctxt = _ctxt(checks)
    assert _checking_client().call(ctxt, "show") == "ran"
    assert SEEN == ["tok"] and checks == [] and ctxt.token_check is None
    _checking_client().call(ctxt, "show")  # checked: the next call carries nothing
    assert SEEN == ["tok", None]


def test_a_revoked_token_is_refused_by_the_server_and_stays_unchecked(checks):
    ctxt = _ctxt(checks, "revoked")
    with pytest.raises(exception.NotAuthenticated):
        _checking_client().call(ctxt, "show")
    assert ctxt.token_check == "revoked"  # an error reply settles nothing


@pytest.mark.parametrize("send", [
    lambda ctxt: _checking_client(cap="1.0").call(ctxt, "show"),  # a capped server
    lambda ctxt: _checking_client().cast(ctxt, "show"),  # nobody waits for a refusal
    lambda ctxt: rpc.RPCClient("plain", "1.0").call(ctxt, "show"),  # a role that does not check
])
def test_before_any_other_message_the_sender_checks_the_token_itself(checks, send):
    ctxt = _ctxt(checks)
    send(ctxt)
    assert checks == ["tok"] and ctxt.token_check is None
    assert SEEN in ([], [None])  # the message carried no token
    revoked = _ctxt(checks, "revoked")
    SEEN.clear()
    with pytest.raises(exception.NotAuthenticated):
        send(revoked)
    assert SEEN == [] and revoked.token_check == "revoked"  # nothing was sent


def test_the_carrying_call_is_sent_at_the_checking_version(checks, monkeypatch):
    sent = []
    real = rpc.RPCClient._send

    def record(client, ctxt, method, kwargs, reply):
        sent.append(client.version)
        return real(client, ctxt, method, kwargs, reply)

    monkeypatch.setattr(rpc.RPCClient, "_send", record)
    _checking_client().call(_ctxt(checks), "show")
    _checking_client().call(RequestContext(user_id="u", project_id="p"), "show")
    # A server older than the check refuses the message, not skips the check.
    assert sent == ["1.1", "1.0"]
