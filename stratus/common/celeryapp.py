"""The one Celery application every role's tasks are registered on."""
import functools
import os

import celery.app.trace
from celery import Celery

from stratus.common import redis_clients

redis_clients.install()
app = Celery("stratus")
app.config_from_object("stratus.config.celeryconfig")


def _tracers_kept(build_tracer):
    """Celery's build_tracer, keeping each eager tracer for the next call.

    A worker builds a task's tracer once (task.__trace__); an eager call
    (Task.apply, local mode) builds a new one every time, about 20 us of
    settings looked up again, eight times a boot. The tracer is a closure
    over the task, the app's settings and the process (its pid), shared
    by threads as a worker's is: one per (task, propagate, app, process)."""
    kept = {}

    @functools.wraps(build_tracer)
    def build(name, task, *args, eager=False, propagate=False, app=None, **kwargs):
        if not eager or args or kwargs:
            return build_tracer(name, task, *args, eager=eager, propagate=propagate, app=app,
                                **kwargs)
        key = (name, task, propagate, app, os.getpid())
        tracer = kept.get(key)
        if tracer is None:
            tracer = kept[key] = build_tracer(name, task, eager=True, propagate=propagate,
                                              app=app)
        return tracer

    return build


# Task.apply imports build_tracer from its module at every call.
celery.app.trace.build_tracer = _tracers_kept(celery.app.trace.build_tracer)

ROLE_TASK_MODULES = {
    "conductor": "stratus.conductor.tasks",
    "scheduler": "stratus.scheduler.tasks",
    "compute": "stratus.compute.tasks",
    "consoleauth": "stratus.consoleauth.tasks",
    "cert": "stratus.cert.tasks",
}


def load_roles(*roles):
    """Register the tasks of these roles in this process.

    A worker loads only its own role; local mode loads every role so that
    an eager `apply_async` finds each task in-process."""
    import importlib

    for role in roles or ROLE_TASK_MODULES:
        importlib.import_module(ROLE_TASK_MODULES[role])
