"""The api's gunicorn workers and the roles' Celery workers freeze their
startup heap once ready (stratus.cmd.heap), so that full garbage
collections stop walking it."""
import gc
import sys

import pytest

from stratus.cmd import heap


@pytest.fixture
def frozen(monkeypatch):
    calls = []
    monkeypatch.setattr(heap, "freeze_startup_heap", lambda: calls.append("freeze"))
    return calls


def test_freezing_moves_the_live_heap_out_of_collections():
    try:
        heap.freeze_startup_heap()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_a_gunicorn_worker_that_builds_its_app_freezes_after_its_start_hook(frozen):
    from stratus.cmd.api import _Gunicorn

    for hook in (None, lambda: frozen.append("hook")):
        frozen.clear()
        app = _Gunicorn(None, {"bind": "127.0.0.1:0"}, post_worker_init=hook,
                        factory=lambda: None)
        app.cfg.post_worker_init(object())
        assert frozen == (["hook"] if hook else []) + ["freeze"]


def test_a_preloaded_app_is_frozen_in_the_master_before_the_fork(frozen, monkeypatch):
    """Not again in each worker: a collection there would write to every
    page the worker shares with the master."""
    from stratus.cmd import api

    order = []
    monkeypatch.setattr(heap, "freeze_startup_heap", lambda: order.append("freeze"))
    monkeypatch.setattr("stratus.api.create_app", lambda: order.append("app") or object())
    monkeypatch.setattr(api._Gunicorn, "run", lambda self: order.append("fork") or
                        self.cfg.post_worker_init(object()))
    api.serve("127.0.0.1", 0, 1, 1)
    assert order == ["app", "freeze", "fork"]


def test_a_role_worker_freezes_once_ready(frozen, monkeypatch):
    from celery.bin import worker as celery_worker
    from celery.signals import worker_ready

    from stratus.cmd import worker

    monkeypatch.setattr(celery_worker, "worker", type("Stub", (), {"main": lambda *a, **k: None})())
    interval = sys.getswitchinterval()
    try:
        worker.run_worker("scheduler", ["scheduler"], 1, name="probe")
        assert frozen == []
        worker_ready.send(sender=None)
        assert frozen == ["freeze"]
    finally:
        worker_ready.disconnect(worker._freeze_startup_heap)
        sys.setswitchinterval(interval)
