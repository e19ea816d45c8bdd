"""A role whose endpoints never wait on a call (expose's waits=False):
they go on in continuations, and hand their caller's reply on."""
import pytest

from stratus.common import exception, rpc
from stratus.common.context import RequestContext
from stratus.common.endpoint import endpoint


class Helper:
    """A role that may wait (as compute and the scheduler do)."""
    @endpoint(since="1.0")
    def double(self, ctxt, value):
        if value < 0:
            raise exception.FlavorNotFound(flavor_id=value)
        return value * 2

    @endpoint(since="1.0")
    def double_via_keeper(self, ctxt, value):
        return rpc.RPCClient("keeper", "1.0").call(ctxt, "stored", value=value) * 2


class Keeper:
    """A role that never waits (as the conductor)."""
    @endpoint(since="1.0")
    def stored(self, ctxt, value):
        return value

    @endpoint(since="1.0")
    def waits(self, ctxt, value):
        return rpc.RPCClient("helper", "1.0").call(ctxt, "double", value=value)

    @endpoint(since="1.0")
    def waits_when_allowed(self, ctxt, value):
        with rpc.waiting_allowed():
            return rpc.RPCClient("helper", "1.0").call(ctxt, "double_via_keeper", value=value)

    @endpoint(since="1.0")
    def defers(self, ctxt, value):
        keeper = rpc.RPCClient("keeper", "1.0")
        rpc.RPCClient("helper", "1.0").call_then(ctxt, "double", keeper, "answer",
                                                 {"reply_id": rpc.reply_later()}, value=value)
        return rpc.DEFERRED

    @endpoint(since="1.0")
    def answer(self, ctxt, reply_id, reply):
        try:
            rpc.send_reply(reply_id, rpc.unwrap(reply) + 1)
        except exception.StratusException as exc:
            rpc.send_reply(reply_id, error=exc)


rpc.expose("helper", lambda server: Helper(), Helper)
rpc.expose("keeper", lambda server: Keeper(), Keeper, waits=False)


@pytest.fixture
def ctxt():
    return RequestContext(user_id="u", project_id="p", roles=["member"])


def test_an_endpoint_that_never_waits_is_refused_a_call(ctxt):
    with pytest.raises(RuntimeError, match="a keeper endpoint may not wait on helper.double"):
        rpc.RPCClient("keeper", "1.0").call(ctxt, "waits", value=2)
    # The refusal ended with the endpoint: this thread may wait again.
    assert rpc.RPCClient("helper", "1.0").call(ctxt, "double", value=2) == 4


def test_waiting_allowed_lets_it_wait_and_the_role_it_calls_call_back(ctxt):
    assert rpc.RPCClient("keeper", "1.0").call(ctxt, "waits_when_allowed", value=3) == 6


def test_a_deferred_reply_reaches_the_caller_from_the_continuation(ctxt):
    keeper = rpc.RPCClient("keeper", "1.0")
    assert keeper.call(ctxt, "defers", value=5) == 11
    with pytest.raises(exception.FlavorNotFound):
        keeper.call(ctxt, "defers", value=-1)
    assert rpc._INLINE_REPLIES == {}  # each taken by its call
    keeper.cast(ctxt, "defers", value=5)  # nobody waits: nothing kept
    assert rpc._INLINE_REPLIES == {}


def test_a_deferred_reply_never_sent_is_an_error_not_a_hang(ctxt, monkeypatch):
    monkeypatch.setattr(rpc, "send_reply", lambda *args, **kwargs: None)
    with pytest.raises(RuntimeError, match="keeper.defers deferred its reply and none was sent"):
        rpc.RPCClient("keeper", "1.0").call(ctxt, "defers", value=5)


def test_reply_later_outside_an_endpoint_is_an_error():
    with pytest.raises(RuntimeError, match="outside an endpoint"):
        rpc.reply_later()
