"""The one Celery application every role's tasks are registered on."""
from celery import Celery

from stratus.common import redis_clients

redis_clients.install()
app = Celery("stratus")
app.config_from_object("stratus.config.celeryconfig")

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
