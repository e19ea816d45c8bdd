"""Where a boot's time goes, in the distributed shape of bench/boot.py
(2 conductors, a scheduler, the api, one compute process of 4 hosts;
Redis database 15, a PostgreSQL database of its own).

Around one batch of N boots, measured:
- CPU seconds per boot of each process group (utime + stime of every
  process of its session, from /proc/<pid>/stat, before and after);
- messages per boot: task messages published (LPUSH on a queue) and call
  replies published (PUBLISH on a result channel), counted with Redis
  MONITOR on database 15 during the batch (MONITOR slows Redis a little:
  this run's throughput is not a figure);
- PostgreSQL commits per boot: xact_commit of the database, before and
  after, less what the idle cloud commits in as long (heartbeats), and
  less the status polls of the waiting (read-only transactions count).
Printed, never asserted."""
import argparse
import collections
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import clouds  # noqa: E402
import pgdb  # noqa: E402
from boot import run_boots  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


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


class Messages:
    """Counts LPUSH and PUBLISH on Redis database 15 while running."""

    def __init__(self):
        import redis

        self.counts = collections.Counter()
        self._monitor = redis.Redis(db=15).monitor()
        self._stop = False
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._monitor.__enter__()
        self._thread.start()
        return self

    def _run(self):
        for command in self._monitor.listen():
            if self._stop:
                return
            if command.get("db") == 15:
                self.counts[command["command"].split(" ", 1)[0].upper()] += 1

    def __exit__(self, *exc):
        self._stop = True
        import redis

        redis.Redis(db=15).ping()  # one more command wakes the listener
        self._thread.join(5)


def run(n, concurrency, hosts):
    names = [f"bench-{i}" for i in range(hosts)]
    with clouds.distributed_cloud("stratus-bench-profile-") as cloud:
        dsn = cloud.env["STRATUS_DATABASE_URL"].replace("+psycopg", "")
        for i in range(2):
            cloud.start(f"conductor-{i}", "conductor", "--concurrency", "16")
        cloud.start("scheduler", "scheduler", "--concurrency", "16")
        cloud.start("api", "api", "--workers", "2", "--threads", "16")
        cloud.start("compute", "compute", *[a for h in names for a in ("--host", h)],
                    "--concurrency", "16", env=clouds.BIG_HOST)
        clouds.wait_hosts(cloud, names)
        flavor, image = clouds.flavor_and_image(cloud)
        run_boots(cloud, flavor, image, min(20, n), concurrency)  # warm up
        idle_rate = _idle_commit_rate(dsn)
        measure(cloud, dsn, idle_rate, flavor, image, n, concurrency)


def _idle_commit_rate(dsn, seconds=5.0):
    time.sleep(1.5)
    before, t0 = pgdb.commits(dsn), time.monotonic()
    time.sleep(seconds)
    time.sleep(1.5)  # the collector's flush
    return (pgdb.commits(dsn) - before) / (time.monotonic() - t0)


def measure(cloud, dsn, idle_rate, flavor, image, n, concurrency):
    groups = {name: proc.pid for name, proc in cloud.procs.items()}
    cpu = {name: cpu_seconds(sid) for name, sid in groups.items()}
    commits, t0 = pgdb.commits(dsn), time.monotonic()
    with Messages() as messages:
        latencies, _, errors = run_boots(cloud, flavor, image, n, concurrency)
    time.sleep(1.5)
    elapsed = time.monotonic() - t0
    committed = pgdb.commits(dsn) - commits
    print(f"profile: {n} boots at concurrency {concurrency} ({errors} errors), per boot:",
          flush=True)
    for name, sid in groups.items():
        print(f"  CPU {name:<12} {(cpu_seconds(sid) - cpu[name]) / n * 1000:7.2f} ms", flush=True)
    print(f"  CPU all         {sum(cpu_seconds(s) - cpu[k] for k, s in groups.items()) / n * 1000:7.2f} ms")
    print(f"  task messages published (LPUSH)  {messages.counts['LPUSH'] / n:.2f}")
    print(f"  call replies published (PUBLISH) {messages.counts['PUBLISH'] / n:.2f}")
    print(f"  PostgreSQL commits {committed / n:.2f} (less the idle cloud's "
          f"{idle_rate * elapsed / n:.2f}: {(committed - idle_rate * elapsed) / n:.2f}; "
          "includes the waiting's status polls, read-only)", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=100, help="boots in the measured batch")
    parser.add_argument("-c", type=int, default=8, help="concurrent POSTs")
    parser.add_argument("--hosts", type=int, default=4)
    args = parser.parse_args()
    os.chdir(tempfile.mkdtemp(prefix="stratus-bench-cwd-"))
    run(args.n, args.c, args.hosts)


if __name__ == "__main__":
    main()
