"""Where a boot's time goes, in the distributed shape of bench/boot.py
(2 conductors, a scheduler, the api, one compute process of 4 hosts;
Redis database clouds.REDIS_DB, a PostgreSQL database of its own).

Around one batch of N boots, measured:
- CPU seconds per boot of each process group (utime + stime of every
  process of its session, from /proc/<pid>/stat, before and after);
- messages per boot: task messages published (LPUSH on a queue), by task
  name, and call replies (RPUSH on a reply's list, rpc.ReplyBackend; or
  PUBLISH on a result channel, Celery's own store; Celery's worker
  heartbeats, also PUBLISHed, counted apart), counted with Redis
  MONITOR during the batch (MONITOR slows Redis a little: this run's
  throughput is not a figure); the boot's own are those left once the
  waiting client's status polls and the services' heartbeats are taken out;
- PostgreSQL commits per boot: xact_commit of the database, before and
  after, less what the idle cloud commits in as long (heartbeats), and
  less the status polls of the waiting (read-only transactions count;
  a poll's commits are measured after the batch, on the idle cloud).
Printed, never asserted."""
import argparse
import collections
import os
import re
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
from floor import cpu_seconds  # noqa: E402

# Task messages that are not a boot's: the services' heartbeats and
# resource reports, and the waiting client's status polls (with their
# token checks, counted per poll in _poll_cost).
NOT_A_BOOTS = ("conductor.service_update", "conductor.compute_node_update")
POLL = "conductor.instance_get_all"


_TASK = re.compile(r'"task": "([^"]+)"')


class Messages:
    """Counts LPUSH (by task name), call replies (REPLY) and worker
    heartbeats on the benchmark's Redis database while running."""

    def __init__(self):
        import redis

        self.counts = collections.Counter()
        self.tasks = collections.Counter()
        self._monitor = redis.Redis(db=clouds.REDIS_DB).monitor()
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
            if command.get("db") == clouds.REDIS_DB:
                self._count(command["command"])

    def _count(self, text):
        verb, key = (text.split(" ", 2) + [""])[:2]
        verb = verb.upper()
        if verb == "PUBLISH" and "celeryev" in key:
            verb = "HEARTBEAT"
        elif verb in ("PUBLISH", "RPUSH") and "celery-task-meta-" in key:
            verb = "REPLY"
        self.counts[verb] += 1
        if verb == "LPUSH":
            found = _TASK.search(text)
            self.tasks[found.group(1) if found else "?"] += 1

    def __exit__(self, *exc):
        self._stop = True
        import redis

        redis.Redis(db=clouds.REDIS_DB).ping()  # one more command wakes the listener
        self._thread.join(5)


class CountingCloud:
    """The cloud, with its GET /servers (the waiting's polls) counted."""

    def __init__(self, cloud):
        self._cloud, self.polls = cloud, 0

    def __getattr__(self, name):
        return getattr(self._cloud, name)

    def api(self, method, path, *args, **kwargs):
        if method == "GET" and path.startswith("/servers"):
            self.polls += 1
        return self._cloud.api(method, path, *args, **kwargs)

    def wait_final(self, *args, **kwargs):
        return type(self._cloud).wait_final(self, *args, **kwargs)


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
    counting = CountingCloud(cloud)
    commits, t0 = pgdb.commits(dsn), time.monotonic()
    with Messages() as messages:
        latencies, _, errors = run_boots(counting, flavor, image, n, concurrency)
    time.sleep(1.5)
    elapsed = time.monotonic() - t0
    committed = pgdb.commits(dsn) - commits - idle_rate * elapsed
    cpu_ms = {name: (cpu_seconds(sid) - cpu[name]) / n * 1000 for name, sid in groups.items()}
    poll = _poll_cost(cloud, dsn, idle_rate)
    polls = counting.polls
    print(f"profile: {n} boots at concurrency {concurrency} ({errors} errors), per boot:",
          flush=True)
    for name, ms in cpu_ms.items():
        print(f"  CPU {name:<12} {ms:7.2f} ms (polls included)", flush=True)
    print(f"  CPU all         {sum(cpu_ms.values()):7.2f} ms")
    print(f"  task messages published (LPUSH)  {messages.counts['LPUSH'] / n:.2f}")
    for name, count in messages.tasks.most_common():
        print(f"    {name:<40} {count / n:.2f}")
    print(f"  call replies {messages.counts['REPLY'] / n:.2f} "
          f"(and {messages.counts['HEARTBEAT'] / n:.2f} worker heartbeats)")
    print(f"  PostgreSQL commits {committed / n:.2f} (less the idle cloud's "
          f"{idle_rate * elapsed / n:.2f}; includes the waiting's status polls)", flush=True)
    others = sum(messages.tasks[name] for name in NOT_A_BOOTS)
    own_messages = messages.counts["LPUSH"] - others - polls * poll["messages"]
    own_replies = messages.counts["REPLY"] - others - polls * poll["replies"]
    print(f"  the waiting's polls: {polls} ({polls / n:.2f} a boot), each "
          f"{poll['messages']:.2f} messages, {poll['replies']:.2f} replies, "
          f"{poll['commits']:.2f} commits")
    print(f"  a boot's own: {own_messages / n:.2f} task messages, {own_replies / n:.2f} call "
          f"replies, {(committed - polls * poll['commits']) / n:.2f} PostgreSQL commits",
          flush=True)


def _poll_cost(cloud, dsn, idle_rate, count=40):
    """Messages, replies and commits of one status poll (as wait_final
    makes them), measured on the idle cloud."""
    commits, t0 = pgdb.commits(dsn), time.monotonic()
    with Messages() as messages:
        for _ in range(count):
            cloud.api("GET", "/servers", params={"status": "BUILD"})
    time.sleep(1.5)
    committed = pgdb.commits(dsn) - commits - idle_rate * (time.monotonic() - t0)
    others = sum(messages.tasks[name] for name in NOT_A_BOOTS)
    return {"messages": (messages.counts["LPUSH"] - others) / count,
            "replies": (messages.counts["REPLY"] - others) / count,
            "commits": committed / count}


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
