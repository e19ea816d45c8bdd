"""What one message costs the worker that receives it: Stratus's RPC
spine against a bare Celery task, each pool and log level.

A worker process (this script with --worker) consumes one queue on
Stratus's own Celery app and settings (acknowledged late, prefetch 1,
JSON, Redis database clouds.REDIS_DB). It serves two things that do
nothing: a `noop.ping` endpoint exposed through rpc.expose (the envelope
checked, the context rebuilt, the arguments unpacked, the manager
method run: the path of every role's message) and a bare Celery task.
N casts of a boot-sized envelope are queued; the figure is the worker's
CPU (utime + stime of its process group) until it has drained them,
divided by N. The sender's own cost is not counted.

Variants, one worker each, in rounds: the spine or the bare task; the
thread pool the roles run (`--pool threads --concurrency 16`, the switch
interval of stratus/cmd/worker.py) or Celery's solo pool; log level INFO
(the roles' default: a line as each message is received and one as it
succeeds) or WARNING.

Then what a `call` costs its caller: this process makes N calls of the
spine's endpoint from 8 threads (as the api's and compute's pool threads
call the conductor) against the spine's worker, and its own CPU over
them, divided by N, is the figure. Once with the replies on a list each
(rpc.ReplyBackend, the roles' store) and once through Celery's own
Redis result store (a subscription a call), the worker storing each way.
Printed, never asserted."""
import argparse
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import clouds  # noqa: E402  (bench/, this script's own directory)
from floor import cpu_seconds  # noqa: E402

# The role's queue: a stub sends to the queue its role is named after.
QUEUE = "noop"
VARIANTS = [("spine", "threads", "INFO"), ("bare", "threads", "INFO"),
            ("bare", "solo", "INFO"), ("spine", "threads", "WARNING"),
            ("bare", "threads", "WARNING")]
# Where a call's reply waits: the roles' list, or Celery's own store.
STORES = ("a list each", "Celery's subscription")
CALLERS = 8


def _app_env():
    return dict(os.environ, STRATUS_BROKER_URL=clouds.REDIS_URL,
                STRATUS_RESULT_BACKEND=clouds.REDIS_URL)


def serve(pool, level, results=None):
    """The worker: both kinds of task on QUEUE; `results`, a result store
    URL in place of the roles' own."""
    from celery.bin.base import CLIContext
    from celery.bin.worker import worker

    from stratus.cmd.worker import SWITCH_INTERVAL
    from stratus.common import rpc
    from stratus.common.celeryapp import app
    from stratus.common.endpoint import endpoint

    class Noop:
        @endpoint(since="1.0")
        def ping(self, ctxt, **kwargs):
            return None

    def bare(**kwargs):
        return None

    if results:
        app.conf.result_backend = results
    rpc.expose("noop", lambda server: Noop(), Noop)
    app.task(name="bare.ping")(bare)
    sys.setswitchinterval(SWITCH_INTERVAL)
    argv = ["--queues", QUEUE, "--pool", pool, "--concurrency", "16", "--loglevel", level,
            "--hostname", f"noop@{os.getpid()}", "--without-gossip", "--without-mingle"]
    worker.main(args=argv, prog_name="celery worker", standalone_mode=False,
                obj=CLIContext(app=app, no_color=True, workdir=None, quiet=True))


def _envelope():
    """A context and arguments the size of a build's (a flavor and an
    image in the request spec)."""
    from stratus.common.context import RequestContext

    ctxt = RequestContext(user_id="5e3fdb2cb5be48a5a85590a34a2f5407",
                          project_id="ef71e8633ba745889a4f728fb7c516f0",
                          roles=["admin", "member", "reader"])
    spec = {"flavor": {"id": 1, "flavorid": "f" * 36, "name": "bench", "vcpus": 1,
                       "memory_mb": 1, "root_gb": 0, "extra_specs": {}},
            "image": {"id": "i" * 36, "name": "bench", "status": "active",
                      "checksum": "0" * 32, "properties": {}},
            "availability_zone": "nova", "num_instances": 1, "ignore_hosts": []}
    return ctxt, {"instance_uuid": "u" * 36, "request_spec": spec}


def _wait_ready(store, proc, timeout=60):
    """Once the worker has taken a first message off its queue."""
    from stratus.common.celeryapp import app

    app.send_task("bare.ping", queue=QUEUE, ignore_result=True, declare=[])
    deadline = time.monotonic() + timeout
    while store.llen(QUEUE) or store.hlen("unacked"):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("the worker did not start (see its log)")
        time.sleep(0.05)


class _Worker:
    """A worker process for the benchmark's queue, stopped at the end."""

    def __init__(self, workdir, name, pool, level, results=None):
        import redis

        self.store = redis.Redis(db=clouds.REDIS_DB)
        self.store.flushdb()
        self.log = open(Path(workdir) / f"{name}.log", "ab")
        argv = [sys.executable, __file__, "--worker", pool, level]
        self.proc = subprocess.Popen(argv + (["--results", results] if results else []),
                                     env=_app_env(), stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True, cwd=workdir)

    def __enter__(self):
        _wait_ready(self.store, self.proc)
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(30)
        self.log.close()
        self.store.flushdb()

    def drained(self):
        while self.store.llen(QUEUE) or self.store.hlen("unacked"):
            time.sleep(0.02)


def measure(kind, pool, level, n, workdir):
    """The worker's CPU ms a message for one variant."""
    from stratus.common import rpc
    from stratus.common.celeryapp import app

    with _Worker(workdir, f"{kind}-{pool}-{level}", pool, level) as worker:
        ctxt, args = _envelope()
        client = rpc.RPCClient("noop", "1.0")
        before = cpu_seconds(worker.proc.pid)
        for _ in range(n):
            if kind == "spine":
                client.cast(ctxt, "ping", **args)
            else:
                app.send_task("bare.ping", kwargs={"envelope": {
                    "version": "1.0", "context": ctxt.to_dict(), "args": args}},
                    queue=QUEUE, ignore_result=True, declare=[])
        worker.drained()
        return (cpu_seconds(worker.proc.pid) - before) / n * 1000


def measure_calls(store, n, workdir):
    """(the caller's, the worker's) CPU ms a call, the replies in `store`."""
    from stratus.common import rpc
    from stratus.common.celeryapp import app
    from stratus.config.celeryconfig import reply_store

    lists = store == STORES[0]
    results = reply_store(clouds.REDIS_URL) if lists else clouds.REDIS_URL
    # Each calling thread builds its result store from the setting.
    app.conf.result_backend = results
    with _Worker(workdir, f"calls-{'lists' if lists else 'celery'}", "threads", "INFO",
                 results) as worker:
        ctxt, args = _envelope()
        client = rpc.RPCClient("noop", "1.0")

        def calls(count):
            for _ in range(count):
                client.call(ctxt, "ping", **args)

        warm = threading.Thread(target=calls, args=(20,))  # a first call connects
        warm.start()
        warm.join()
        threads = [threading.Thread(target=calls, args=(n // CALLERS,)) for _ in range(CALLERS)]
        before, worker_before = time.process_time(), cpu_seconds(worker.proc.pid)
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        done = n // CALLERS * CALLERS
        return ((time.process_time() - before) / done * 1000,
                (cpu_seconds(worker.proc.pid) - worker_before) / done * 1000)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=2000, help="messages a variant")
    parser.add_argument("--rounds", type=int, default=2, help="every variant, this many times")
    parser.add_argument("--worker", nargs=2, metavar=("POOL", "LEVEL"), help=argparse.SUPPRESS)
    parser.add_argument("--results", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        serve(*args.worker, results=args.results)
        return
    os.environ.update(_app_env())
    workdir = tempfile.mkdtemp(prefix="stratus-bench-messages-")
    figures = {variant: [] for variant in VARIANTS}
    for _ in range(args.rounds):
        for variant in VARIANTS:
            figures[variant].append(measure(*variant, args.n, workdir))
    for (kind, pool, level), cpu in figures.items():
        what = "Stratus's RPC spine" if kind == "spine" else "a bare Celery task"
        print(f"{what}, {pool} pool, log level {level}: "
              f"{', '.join(f'{v:.3f}' for v in cpu)} ms of the worker's CPU a message "
              f"({args.n} casts a run)", flush=True)
    calls = {store: [] for store in STORES}
    for _ in range(args.rounds):
        for store in STORES:
            calls[store].append(measure_calls(store, args.n, workdir))
    for store, cpu in calls.items():
        print(f"a call, its reply waiting on {store}: "
              f"{', '.join(f'{c:.3f}' for c, _ in cpu)} ms of the caller's CPU a call, "
              f"{', '.join(f'{w:.3f}' for _, w in cpu)} ms of the worker's "
              f"({args.n} calls a run, {CALLERS} threads)", flush=True)


if __name__ == "__main__":
    main()
