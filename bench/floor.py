"""The floor: a bare Celery flow of a boot's shape, what Stratus is measured against.

Each "boot" is 5 Celery messages and 3 PostgreSQL commits (see floor_app),
served by 2 solo workers: a "conductor" (queue floor.conductor, the only
one touching the database) and a "scheduler + compute" (floor.worker). JSON
serializer, Redis broker and result backend on its own database number, its
own PostgreSQL database, created and dropped here.

Figures as bench/boot.py: boots/s for N boots at concurrency C (C submitting
threads; a submit returns once the row is inserted, as the API's POST),
p50/p99 latency from just before the submit to the final commit, errors,
and the CPU time its workers spent a boot (PostgreSQL's, Redis's and the
submitting client's are not counted, for the floor or for Stratus).
Printed, never asserted."""
import argparse
import concurrent.futures
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
import redis

import floor_app

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
CELERY = str(Path(sys.executable).with_name("celery"))
HERE = Path(__file__).resolve().parent
TICKS = os.sysconf("SC_CLK_TCK")


def percentile(values, pct):
    """The nearest-rank `pct` percentile of a non-empty sequence."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def figures(latencies, wall, errors):
    """boots/s, p50 and p99 in ms and errors, from run_boots' result."""
    ms = [v * 1000 for v in latencies] or [float("nan")]
    return {"rate": len(latencies) / wall if wall > 0 else 0.0,
            "p50": statistics.median(ms), "p99": percentile(ms, 99), "errors": errors}


def cpu_seconds(session_id):
    """utime + stime of every live process of the session."""
    total = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[3]) == session_id:
                total += int(fields[11]) + int(fields[12])
    return total / TICKS


def measured(run, procs, n):
    """figures() of `run()` (a run_boots of n), with "cpu": the CPU ms a
    boot of every process of the sessions that `procs` lead (each started
    with start_new_session)."""
    sessions = [proc.pid for proc in procs]
    before = sum(cpu_seconds(sid) for sid in sessions)
    fig = figures(*run())
    fig["cpu"] = (sum(cpu_seconds(sid) for sid in sessions) - before) / max(n, 1) * 1000
    return fig


class Floor:
    """The floor's PostgreSQL database, Redis database and two solo
    workers, for the time of a `with` block (everything ended on exit)."""

    def __init__(self, workdir, redis_db=15):
        self.workdir, self.redis_db = Path(workdir), redis_db
        self.dbname = f"stratus_floor_{uuid.uuid4().hex[:10]}"
        self.dsn = f"postgresql://postgres@127.0.0.1:5432/{self.dbname}"
        broker = f"redis://127.0.0.1:6379/{redis_db}"
        self.env = dict(os.environ, FLOOR_BROKER_URL=broker, FLOOR_DATABASE_URL=self.dsn,
                        PYTHONPATH=str(HERE))
        floor_app.app.conf.update(broker_url=broker, result_backend=broker)
        self.procs = []

    def __enter__(self):
        redis.Redis(db=self.redis_db).flushdb()
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.dbname}"')
        with psycopg.connect(self.dsn) as conn:
            conn.execute(floor_app.SCHEMA)
        self._start("conductor", floor_app.CONDUCTOR)
        self._start("worker", floor_app.WORKER)
        for queue in (floor_app.CONDUCTOR, floor_app.WORKER):
            floor_app.ping.apply_async((queue,), queue=queue).get(timeout=60)
        return self

    def __exit__(self, *exc):
        for proc in self.procs:
            _stop(proc)
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.dbname}" WITH (FORCE)')
        redis.Redis(db=self.redis_db).flushdb()

    def _start(self, name, queue):
        """One `celery worker --pool solo` consuming `queue`, logging under workdir."""
        log = open(self.workdir / f"floor-{name}.log", "ab")
        argv = [CELERY, "-A", "floor_app", "worker", "--pool", "solo", "--queues", queue,
                "--hostname", f"floor-{name}@%h", "--loglevel", "WARNING",
                "--without-gossip", "--without-mingle", "--without-heartbeat"]
        self.procs.append(subprocess.Popen(argv, env=self.env, cwd=self.workdir, stdout=log,
                                           stderr=subprocess.STDOUT, start_new_session=True))

    def run_boots(self, n, concurrency, rate=0.0):
        """Boot n (at most `rate` a second if set) from `concurrency`
        threads; return (latencies in s, wall seconds, errors)."""
        submitted, t_begin = {}, time.time()

        def boot(i):
            if rate:
                time.sleep(max(0.0, t_begin + i / rate - time.time()))
            iid, t0 = uuid.uuid4().hex, time.time()
            try:
                floor_app.build.apply_async((iid,)).get(timeout=60)
            except Exception:  # counted: an error, as a failed POST would be
                return
            submitted[iid] = t0

        with concurrent.futures.ThreadPoolExecutor(max_workers=concurrency) as pool:
            list(pool.map(boot, range(n)))
        done = self.wait_done(list(submitted))
        latencies = [done[iid] - submitted[iid] for iid in done]
        return latencies, max(done.values(), default=t_begin) - t_begin, n - len(done)

    def wait_done(self, ids, stall=30.0):
        """{id: time of its final commit} once every id is active, or once
        none has become so for `stall` seconds."""
        done, last, deadline = {}, -1, time.monotonic() + stall
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            while len(done) < len(ids) and time.monotonic() < deadline:
                rows = conn.execute("SELECT id, done FROM instances WHERE state = 'active'"
                                    " AND id = ANY(%s)", (ids,)).fetchall()
                done = dict(rows)
                if len(done) != last:
                    last, deadline = len(done), time.monotonic() + stall
                time.sleep(0.05)
        return done


def _stop(proc, timeout=15):
    """End a worker's process group: TERM, then KILL if it lingers."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout)


def measure(n, concurrency, rate=0.0, redis_db=15):
    """Start the floor, warm it up, boot n; return figures()."""
    with Floor(tempfile.mkdtemp(prefix="stratus-floor-"), redis_db) as floor:
        floor.run_boots(min(20, n), concurrency)
        return measured(lambda: floor.run_boots(n, concurrency, rate), floor.procs, n)


def describe(label, n, concurrency, fig, rate=0.0, where="2 solo workers"):
    """One line of figures, as boot.py prints them."""
    offered = f", offered {rate:g}/s" if rate else ""
    return (f"{label}: {n} boots, concurrency {concurrency}{offered}, {where}: "
            f"{fig['rate']:.1f} boots/s, p50 {fig['p50']:.1f} ms, "
            f"p99 {fig['p99']:.1f} ms, errors {fig['errors']}, CPU a boot {fig['cpu']:.1f} ms")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=300, help="boots")
    parser.add_argument("-c", type=int, default=8, help="concurrent submits")
    parser.add_argument("--rate", type=float, default=0.0,
                        help="offered boots/s (0: as fast as the submits return)")
    args = parser.parse_args()
    print(describe("floor", args.n, args.c, measure(args.n, args.c, args.rate), args.rate))


if __name__ == "__main__":
    main()
