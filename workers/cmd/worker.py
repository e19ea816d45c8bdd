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
    from config import get_settings
    from workers.celeryapp import app

    nodename = f"{role}@{name or f'{socket.gethostname()}-{os.getpid()}'}"
    app.worker_main(argv=[
        "worker", "--queues", ",".join(queues), "--pool", "threads",
        "--concurrency", str(concurrency), "--hostname", nodename,
        "--loglevel", get_settings().log_level, "--without-gossip", "--without-mingle",
    ])
