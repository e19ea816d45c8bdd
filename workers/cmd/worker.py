"""Start a Celery worker for one role's queues, in this process."""
import os
import socket


def run_worker(role, queues, concurrency, name=None, loglevel="INFO"):
    """Consume `queues` with a thread pool: every task waits on I/O
    (the database, the broker, libvirt), so threads beat processes on
    a small machine."""
    from workers.celeryapp import app

    app.worker_main(argv=[
        "worker", "--queues", ",".join(queues), "--pool", "threads",
        "--concurrency", str(concurrency), "--hostname", f"{role}@{name or f'{socket.gethostname()}-{os.getpid()}'}",
        "--loglevel", loglevel, "--without-gossip", "--without-mingle", "--task-events",
    ])
