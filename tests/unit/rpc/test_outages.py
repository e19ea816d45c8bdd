"""A broker out of reach: a send gives up within a few seconds with
MessagingUnavailable (503: nothing was sent); a call sent whose reply was
lost with the result store is a MessagingTimeout (504: outcome unknown).

The sends go to a private Celery app with the project's celeryconfig,
pointed at a loopback port nobody listens on."""
import socket
import time

import pytest
import redis
from celery import Celery

from stratus.common import exception, rpc
from stratus.common.context import RequestContext

# The bounds config/celeryconfig.py promises for a refused connection:
# the result store's retries (3.5 s of pauses), the publish's (0.5 s).
CALL_BOUND, CAST_BOUND = 6.0, 3.0


@pytest.fixture
def ctxt():
    return RequestContext(user_id="u", project_id="p", roles=["member"])


@pytest.fixture
def refused_broker(monkeypatch):
    """rpc sends through a non-eager app whose broker refuses connections."""
    with socket.socket() as probe:  # a port that was free a moment ago
        probe.bind(("127.0.0.1", 0))
        url = f"redis://127.0.0.1:{probe.getsockname()[1]}/0"
    app = Celery("stratus-outage")
    app.config_from_object("stratus.config.celeryconfig")
    app.conf.update(broker_url=url, result_backend=url, task_always_eager=False)
    monkeypatch.setattr(rpc, "app", app)
    yield app
    app.close()


def _timed(send):
    started = time.monotonic()
    with pytest.raises(exception.MessagingUnavailable) as caught:
        send()
    return time.monotonic() - started, caught.value


def test_a_call_to_a_refused_broker_is_unavailable_within_the_bound(refused_broker, ctxt):
    elapsed, error = _timed(lambda: rpc.RPCClient("conductor", "1.0").call(
        ctxt, "service_get_all"))
    assert elapsed < CALL_BOUND and error.code == 503
    assert "conductor.service_get_all was not sent" in error.message


def test_a_cast_to_a_refused_broker_is_unavailable_within_the_bound(refused_broker, ctxt):
    elapsed, error = _timed(lambda: rpc.RPCClient("compute", "1.0").prepare(
        server="h1").cast(ctxt, "reboot_instance", instance_uuid="x"))
    assert elapsed < CAST_BOUND and "Connection refused" in error.message


class _LostReply:
    """A sent call's result whose wait raises what Celery raises."""

    def __init__(self, error):
        self.error = error

    def get(self, **kwargs):
        raise self.error


def _store_gave_up():
    try:
        raise redis.exceptions.ConnectionError("Connection reset by peer")
    except redis.exceptions.ConnectionError as lost:
        try:
            raise RuntimeError("Retry limit exceeded while trying to reconnect") from lost
        except RuntimeError as gave_up:
            return gave_up


def test_a_reply_lost_with_the_result_store_is_an_unknown_outcome(refused_broker, ctxt,
                                                                   monkeypatch):
    monkeypatch.setattr(rpc.RPCClient, "_send", lambda *a, **kw: _LostReply(_store_gave_up()))
    with pytest.raises(exception.MessagingTimeout, match="unknown") as caught:
        rpc.RPCClient("conductor", "1.0").call(ctxt, "service_get_all")
    assert caught.value.code == 504


def test_a_runtime_error_of_the_called_role_stays_a_bug(refused_broker, ctxt, monkeypatch):
    monkeypatch.setattr(rpc.RPCClient, "_send",
                        lambda *a, **kw: _LostReply(RuntimeError("a bug over there")))
    with pytest.raises(RuntimeError, match="a bug over there"):
        rpc.RPCClient("conductor", "1.0").call(ctxt, "service_get_all")
