"""A call's reply on a Redis list of its own (stratus.common.rpc.ReplyBackend), on
the session's real result store: the worker side stores as Celery does
(store_result), the caller pops. Every call of the other functional
tests goes through it too: a worker storing the old way (a string key)
would fail their BLPOP with a wrong-type error."""
import threading
import time
import uuid

import pytest
from celery import Celery, states
from celery.exceptions import TimeoutError as CeleryTimeout

from stratus.common import rpc
from stratus.config.celeryconfig import reply_store


@pytest.fixture
def backend(cloud):
    app = Celery("stratus-replies")
    app.config_from_object("stratus.config.celeryconfig")
    app.conf.update(result_backend=reply_store(cloud.env["STRATUS_RESULT_BACKEND"]),
                    task_always_eager=False)
    yield app.backend
    app.close()


def _stored(backend, result, state=states.SUCCESS):
    task_id = str(uuid.uuid4())
    backend.store_result(task_id, result, state)
    return task_id


def test_the_store_is_the_reply_backend(backend):
    assert isinstance(backend, rpc.ReplyBackend)


def test_a_reply_stored_before_the_wait_is_taken_once(backend):
    task_id = _stored(backend, {"result": 1})
    key = backend.get_key_for_task(task_id)
    assert 0 < backend.client.ttl(key) <= backend.expires
    # A reader that only looks (AsyncResult.state, Flower) leaves it.
    assert backend.get_task_meta(task_id)["status"] == states.SUCCESS
    assert backend.wait_reply(task_id, 5) == {"result": 1}
    assert not backend.client.exists(key)


def test_a_second_store_waits_behind_the_first_and_reads_nothing(backend, monkeypatch):
    # A redelivered task stores its reply again: pushed behind the first
    # (the one its caller pops), with no read of what is stored first.
    task_id = _stored(backend, {"result": "first"})
    monkeypatch.setattr(backend, "get", None)  # a read would fail
    backend.store_result(task_id, {"result": "again"}, states.SUCCESS)
    assert backend.client.llen(backend.get_key_for_task(task_id)) == 2
    assert backend.wait_reply(task_id, 5) == {"result": "first"}


def test_a_store_without_an_expiry_keeps_the_reply_until_taken(backend, monkeypatch):
    monkeypatch.setattr(backend, "expires", None)
    task_id = _stored(backend, {"result": 5})
    assert backend.client.ttl(backend.get_key_for_task(task_id)) == -1  # no expiry
    assert backend.wait_reply(task_id, 5) == {"result": 5}


def test_a_reply_stored_while_the_caller_waits_wakes_it(backend):
    task_id = str(uuid.uuid4())
    timer = threading.Timer(0.3, backend.store_result, (task_id, {"result": 2}, states.SUCCESS))
    started = time.monotonic()
    timer.start()
    try:
        assert backend.wait_reply(task_id, 10) == {"result": 2}
    finally:
        timer.join()
    assert time.monotonic() - started < 5


def test_no_reply_is_a_timeout_at_its_bound(backend):
    started = time.monotonic()
    with pytest.raises(CeleryTimeout):
        backend.wait_reply(str(uuid.uuid4()), 0.5)
    assert 0.5 <= time.monotonic() - started < 3


def test_a_failed_task_raises_what_it_failed_with(backend):
    task_id = _stored(backend, KeyError("gone"), states.FAILURE)
    with pytest.raises(KeyError, match="gone"):
        backend.wait_reply(task_id, 5)


def test_a_long_wait_is_cut_below_the_socket_timeout(backend, monkeypatch):
    """Each BLPOP ends before redis-py's socket timeout would cut it."""
    waits = []
    blpop = backend.client.blpop
    monkeypatch.setattr(backend.client, "blpop",
                        lambda keys, timeout: waits.append(timeout) or blpop(keys, timeout))
    monkeypatch.setitem(backend.connparams, "socket_timeout", 4.0)
    assert backend.wait_reply(_stored(backend, {"result": 3}), 600) == {"result": 3}
    monkeypatch.setitem(backend.connparams, "socket_timeout", None)
    assert backend.wait_reply(_stored(backend, {"result": 4}), 600) == {"result": 4}
    assert waits == [2.0, rpc.LONGEST_WAIT]
