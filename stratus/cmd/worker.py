"""Start a Celery worker for one role's queues, in this process."""
import os
import socket
import sys


def run_worker(role, queues, concurrency, name=None):
    """Consume `queues` with a thread pool: every task waits on I/O
    (the database, the broker, libvirt), so threads beat processes on
    a small machine."""
    # Pool threads mostly wait; a short switch interval lets a woken thread
    # take the GIL from the consumer loop sooner (lower latency per hop).
    sys.setswitchinterval(0.0005)
    from stratus.config import get_settings
    from stratus.common.celeryapp import app

    nodename = f"{role}@{name or f'{socket.gethostname()}-{os.getpid()}'}"
    app.worker_main(argv=[
        "worker", "--queues", ",".join(queues), "--pool", "threads",
        "--concurrency", str(concurrency), "--hostname", nodename,
        "--loglevel", get_settings().log_level, "--without-gossip", "--without-mingle",
    ])


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
