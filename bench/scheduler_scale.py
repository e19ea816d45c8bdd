"""Scheduler decisions at scale: one instance placed, its claim included,
among 100, 1,000 and 10,000 compute nodes.

The compute nodes (and their compute services, all up) are seeded straight
into a PostgreSQL database of this benchmark's own. Each decision is the
scheduler role's `select_destinations` endpoint (SchedulerManager: the host
state cache, every default filter and weigher, the claim), its conductor
calls (compute_node_states, claim_resources) served by the conductor's
manager in this process (Celery's eager mode, the same code path as a
conductor worker less the broker hop; see --help). Host states are cached
for STRATUS_SCHEDULER_HOST_STATE_TTL (0.5 s) as in the scheduler role, so
the p99 shows the decisions that read them again (from conductor 1.10 the
nodes changed since the previous read; capped below, every node).

Figures are printed, never asserted."""
import argparse
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import pgdb  # noqa: E402

SIZES = (100, 1000, 10000)
# Hosts large enough that no decision of a run fills one.
HOST = {"vcpus": 64, "memory_mb": 262144, "local_gb": 2000}
# A cloud's hosts were not all created in the last seconds: the host-state
# cache's changed-since read (conductor 1.10) would send them all again.
CREATED = "2026-01-01 00:00:00"
FLAVOR = {"id": 1, "flavorid": "bench", "name": "bench", "vcpus": 1, "memory_mb": 512,
          "root_gb": 1}


def seed(dsn, count):
    """Replace every compute node and service by `count` up, enabled hosts."""
    import psycopg

    with psycopg.connect(dsn) as conn:
        conn.execute("TRUNCATE resource_claims, compute_nodes, services RESTART IDENTITY CASCADE")
        conn.execute(
            "INSERT INTO services (uuid, host, \"binary\", topic, report_count, disabled,"
            " forced_down, availability_zone, last_seen_up, version, deleted, created_at)"
            " SELECT gen_random_uuid()::text, 'node-' || i, 'nova-compute', 'compute', 1,"
            " false, false, 'nova', now() AT TIME ZONE 'utc', 1, 0, %s"
            " FROM generate_series(1, %s) AS i", (CREATED, count))
        conn.execute(
            "INSERT INTO compute_nodes (uuid, service_id, host, hypervisor_hostname,"
            " hypervisor_type, hypervisor_version, host_ip, vcpus, memory_mb, local_gb,"
            " vcpus_used, memory_mb_used, local_gb_used, running_vms, cpu_allocation_ratio,"
            " ram_allocation_ratio, disk_allocation_ratio, reserved_host_memory_mb,"
            " reserved_host_disk_mb, deleted, created_at)"
            " SELECT gen_random_uuid()::text, s.id, s.host, s.host, 'QEMU', 1, '127.0.0.1',"
            " %(vcpus)s, %(memory_mb)s, %(local_gb)s, 0, 0, 0, 0, 16.0, 1.5, 1.0, 0, 0, 0,"
            " %(created)s"
            " FROM services s", {**HOST, "created": CREATED})
        conn.execute("ANALYZE")


def spec():
    """A boot's request spec as the API builds it (server_build.plan)."""
    return {"flavor": FLAVOR, "image": None, "availability_zone": None,
            "project_id": "bench", "user_id": "bench", "ignore_hosts": [], "force_hosts": [],
            "num_instances": 1, "group": None}


def percentile(values, pct):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def decisions(manager, ctxt, count):
    """Time `count` decisions one after another; ms each."""
    times = []
    for _ in range(count):
        t0 = time.perf_counter()
        chosen = manager.select_destinations(ctxt, spec(), [str(uuid.uuid4())])
        times.append((time.perf_counter() - t0) * 1000)
        assert chosen[0][0].claimed
    return times


def refresh_ms(manager, ctxt, count=5):
    """Median ms of a host-state refresh alone (from conductor 1.10 the
    nodes changed since the previous read), and ms of the first read of
    every node by a new scheduler."""
    times = []
    for _ in range(count):
        t0 = time.perf_counter()
        manager.host_states.get(ctxt, manager.conductor_api, refresh=True)
        times.append((time.perf_counter() - t0) * 1000)
    from stratus.scheduler.manager import SchedulerManager

    fresh = SchedulerManager()
    t0 = time.perf_counter()
    fresh.host_states.get(ctxt, fresh.conductor_api)
    return statistics.median(times), (time.perf_counter() - t0) * 1000


def measure(dsn, sizes, count, profile=None):
    """{size: (p50, p99, refresh ms, first read ms)}, printed as they come."""
    from stratus.common.context import get_admin_context
    from stratus.scheduler.manager import SchedulerManager

    ctxt, results = get_admin_context(), {}
    for size in sizes:
        seed(dsn, size)
        manager = SchedulerManager()
        decisions(manager, ctxt, 10)  # warm up: connections, the first read
        if profile and size == max(sizes):
            _profiled(profile, lambda: decisions(manager, ctxt, count))
        times = decisions(manager, ctxt, count)
        results[size] = (statistics.median(times), percentile(times, 99),
                         *refresh_ms(manager, ctxt))
        p50, p99, refresh, first = results[size]
        print(f"scheduler decision with claim, {size:>6} compute nodes: p50 {p50:.2f} ms, "
              f"p99 {p99:.2f} ms ({count} decisions; a host-state refresh alone "
              f"{refresh:.1f} ms, every {os.environ['STRATUS_SCHEDULER_HOST_STATE_TTL']} s; "
              f"a new scheduler's first read {first:.1f} ms)", flush=True)
    return results


def _profiled(path, work):
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.runcall(work)
    profiler.dump_stats(path)
    pstats.Stats(path).sort_stats("cumulative").print_stats(25)


def run(sizes=SIZES, count=200, profile=None):
    """Make the database, point this process's Stratus at it, measure."""
    with pgdb.stratus_database("stratus_bench_sched") as (url, dsn):
        os.environ.update({"STRATUS_DATABASE_URL": url, "CELERY_TASK_ALWAYS_EAGER": "1",
                           "STRATUS_SERVICE_DOWN_TIME": "86400"})
        os.environ.setdefault("STRATUS_SCHEDULER_HOST_STATE_TTL", "0.5")
        from stratus.common.celeryapp import load_roles

        load_roles("conductor", "scheduler")
        return measure(dsn, sizes, count, profile)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)),
                        help="compute node counts, comma-separated")
    parser.add_argument("-n", type=int, default=200, help="decisions per size")
    parser.add_argument("--profile", metavar="FILE",
                        help="cProfile the largest size's decisions into FILE (and print the top)")
    args = parser.parse_args()
    run([int(s) for s in args.sizes.split(",")], args.n, args.profile)


if __name__ == "__main__":
    main()
