"""What the command tests share."""
import pytest


@pytest.fixture
def no_broker(db):
    """The configured mode is not eager, and nothing may be sent to a
    broker. (Set and restored by hand: Celery's app and settings objects
    do not take monkeypatch's undo.)"""
    from stratus.common.celeryapp import app

    def send_task(*args, **kwargs):
        raise AssertionError("sent to a broker")

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    app.send_task = send_task
    yield app
    del app.send_task
    app.conf.task_always_eager = eager
