"""Start a Celery worker for one role's queues, in this process."""
import os
import socket
import sys


# Pool threads mostly wait; a short switch interval lets a woken thread
# take the GIL from the consumer loop sooner (lower latency per hop).
SWITCH_INTERVAL = 0.0005


def run_worker(role, queues, concurrency, name=None):
    """Consume `queues` with a thread pool: every task waits on I/O
    (the database, the broker, libvirt), so threads beat processes on
    a small machine."""
    sys.setswitchinterval(SWITCH_INTERVAL)
    from celery.bin.base import CLIContext
    from celery.bin.worker import worker
    from celery.signals import worker_ready
    from click.exceptions import Exit

    from stratus.config import get_settings
    from stratus.common.celeryapp import app

    nodename = f"{role}@{name or f'{socket.gethostname()}-{os.getpid()}'}"
    # `celery worker` itself, parsed as on the command line, but without
    # the `celery` group around it (what app.worker_main runs): that group
    # loads every command plugin (Flower, with Tornado and Prometheus's
    # client) and the REPL's prompt_toolkit, ~15 MB a worker never uses.
    argv = ["--queues", ",".join(queues), "--pool", "threads",
            "--concurrency", str(concurrency), "--hostname", nodename,
            "--loglevel", get_settings().log_level, "--without-gossip", "--without-mingle"]
    context = CLIContext(app=app, no_color=_flag(os.environ.get("NO_COLOR")),
                         workdir=None, quiet=False)
    worker_ready.connect(_freeze_startup_heap, weak=False)
    try:
        worker.main(args=argv, prog_name="celery worker", obj=context, standalone_mode=False)
    except Exit:
        pass


def _freeze_startup_heap(**_):
    from stratus.cmd import heap

    heap.freeze_startup_heap()


def _flag(value):
    """An environment flag as click reads one (celery's NO_COLOR)."""
    return (value or "").strip().lower() in ("1", "true", "t", "yes", "y", "on")


def start_heartbeat(role):
    """Record this process's service (`nova-<role>` on this host) every
    report_interval, as compute hosts do, so that os-services lists every
    role with its state. Several workers of a role on one host share a row."""
    from stratus.config import get_settings
    from stratus.conductor.rpcapi import ConductorAPI
    from stratus.common.context import get_admin_context
    from stratus.common.periodic import PeriodicTasks
    from stratus.common.vocabulary import ServiceBinary

    conductor = ConductorAPI()
    host = socket.gethostname()

    def report_state():
        conductor.service_update(get_admin_context(), host, ServiceBinary.of(role), role)

    return PeriodicTasks(f"{role}-heartbeat", get_settings().report_interval,
                         [(report_state, 1)]).start()
