"""The broker URL's scheme picks the Celery settings: RabbitMQ (amqp://)
gets quorum queues, publisher confirms and call replies in Redis; Redis
keeps its visibility timeout. A RabbitMQ out of reach fails a send fast,
as Redis does."""
import importlib
import socket
import time

import pytest
from celery import Celery

from stratus.common import exception, rpc
from stratus.common.context import RequestContext
from stratus.config import reset_settings

AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/stratus"


@pytest.fixture
def config_for(monkeypatch):
    """celeryconfig as a process whose environment names `broker_url` reads it."""
    def load(broker_url):
        monkeypatch.setenv("STRATUS_BROKER_URL", broker_url)
        monkeypatch.delenv("STRATUS_RESULT_BACKEND", raising=False)
        reset_settings()
        from stratus.config import celeryconfig
        return importlib.reload(celeryconfig)

    yield load
    monkeypatch.undo()
    reset_settings()
    from stratus.config import celeryconfig
    importlib.reload(celeryconfig)


def _queue_types(config):
    return {q.name: (q.queue_arguments or {}).get("x-queue-type") for q in config.task_queues}


def test_rabbitmq_gets_quorum_queues_confirms_and_redis_replies(config_for):
    config = config_for(AMQP_URL)
    assert set(_queue_types(config).values()) == {"quorum"}
    assert config.task_default_queue_type == config.task_create_missing_queue_type == "quorum"
    assert config.broker_transport_options == {"confirm_publish": True}
    assert config.CONFIRM_TIMEOUT and config.task_acks_late and config.task_reject_on_worker_lost
    assert config.result_backend == "stratus.common.rpc:ReplyBackend+redis://127.0.0.1:6379/0"


def test_a_compute_queue_named_at_send_time_is_declared_quorum(config_for):
    app = Celery("stratus-quorum")
    app.config_from_object(config_for(AMQP_URL))
    queue = app.amqp.queues["compute.h1"]  # created on first use, as a send does
    assert queue.queue_arguments == {"x-queue-type": "quorum"}


def test_redis_keeps_its_settings(config_for):
    config = config_for("redis://127.0.0.1:6379/3")
    assert set(_queue_types(config).values()) == {None}
    assert config.broker_transport_options["visibility_timeout"] == 3600
    assert config.result_backend == "stratus.common.rpc:ReplyBackend+redis://127.0.0.1:6379/3"
    assert config.CONFIRM_TIMEOUT is None
    assert config.task_default_queue_type == config.task_create_missing_queue_type == "classic"


def test_a_cast_to_a_refused_rabbitmq_is_unavailable_within_a_second(config_for, monkeypatch):
    with socket.socket() as probe:  # a port that was free a moment ago
        probe.bind(("127.0.0.1", 0))
        url = f"amqp://guest:guest@127.0.0.1:{probe.getsockname()[1]}//"
    app = Celery("stratus-rabbitmq-outage")
    app.config_from_object(config_for(url))
    app.conf.task_always_eager = False
    monkeypatch.setattr(rpc, "app", app)
    ctxt = RequestContext(user_id="u", project_id="p", roles=["member"])
    started = time.monotonic()
    with pytest.raises(exception.MessagingUnavailable, match="Connection refused") as caught:
        rpc.RPCClient("compute", "1.0").prepare(server="h1").cast(ctxt, "reboot_instance",
                                                                  instance_uuid="x")
    assert time.monotonic() - started < 3.0 and caught.value.code == 503
    app.close()
