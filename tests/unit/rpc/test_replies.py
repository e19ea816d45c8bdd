"""Which result store a call waits on (rpc.ReplyBackend)."""
from celery.result import EagerResult

from stratus.common import rpc
from stratus.config import celeryconfig


def test_a_redis_result_store_holds_replies_on_lists():
    assert celeryconfig.reply_store("redis://h:6379/2") == \
        "stratus.common.rpc:ReplyBackend+redis://h:6379/2"
    assert celeryconfig.reply_store("rediss://h:6380/0") == \
        "stratus.common.rpc:ReplyBackend+rediss://h:6380/0"


def test_another_result_store_keeps_its_own():
    assert celeryconfig.reply_store("rpc://") == "rpc://"
    assert celeryconfig.reply_store("db+postgresql://h/r") == "db+postgresql://h/r"


def test_a_task_run_inline_is_read_as_celery_reads_it():
    assert isinstance(rpc.app.backend, rpc.ReplyBackend)  # which would pop a list
    assert rpc._wait(EagerResult("t", {"result": 5}, "SUCCESS"), 1) == {"result": 5}


class _Sent:
    """A sent call's result whose store has no list to pop."""

    backend = object()

    def get(self, timeout, disable_sync_subtasks):
        return {"result": timeout}


def test_another_store_is_waited_on_by_celery():
    assert rpc._wait(_Sent(), 7) == {"result": 7}
