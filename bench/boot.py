"""Boot benchmark: N servers at concurrency C over H hosts, POST -> ACTIVE.

Prints boots/s and p50/p99 latency, once in the distributed shape (Redis,
or RabbitMQ with --broker rabbitmq; PostgreSQL, one process per role, one
compute process serving H hosts) and once in local mode (`stratus
all-in-one`: eager tasks, SQLite).

Latency is measured from just before the POST to the instance's
`launched_at` (set by compute when the server goes ACTIVE, same clock).
With --floor (the default) the bare Celery flow of bench/floor.py runs
first, with the same N, C and --rate, and every Stratus figure is printed
with its ratio to the floor's.
Figures are printed, never asserted: this machine is shared and noisy."""
import argparse
import concurrent.futures
import contextlib
import datetime
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.functional.brokers import rabbitmq_vhost  # noqa: E402

import clouds  # noqa: E402  (bench/, this script's own directory)
import floor  # noqa: E402


def _utc(stamp):
    return datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00")).replace(
        tzinfo=datetime.timezone.utc).timestamp()


def run_boots(cloud, flavor, image, n, concurrency, rate=0.0):
    """Boot n servers (at most `rate` a second if set); return (latencies
    in s, wall seconds, errors)."""
    started = {}
    t_begin = time.time()

    def boot(i):
        if rate:
            time.sleep(max(0.0, t_begin + i / rate - time.time()))
        t0 = time.time()
        sid = cloud.boot(f"bench-{i}", flavor, image)
        started[sid] = t0
        return sid

    with concurrent.futures.ThreadPoolExecutor(max_workers=concurrency) as pool:
        ids = list(pool.map(boot, range(n)))
    servers = cloud.wait_final(ids, timeout=600)
    latencies, last = [], t_begin
    for sid, server in servers.items():
        if server["status"] != "ACTIVE":
            continue
        done = _utc(server["OS-SRV-USG:launched_at"])
        latencies.append(done - started[sid])
        last = max(last, done)
    errors = sum(1 for s in servers.values() if s["status"] != "ACTIVE")
    return latencies, last - t_begin, errors


def report(label, n, concurrency, where, fig, base, rate=0.0):
    """Print one shape's figures; with `base` (the floor's figures), each
    with its ratio to the floor."""
    if base is None:
        print(floor.describe(label, n, concurrency, fig, rate, where), flush=True)
        return
    offered = f", offered {rate:g}/s" if rate else ""
    share = 100 * fig["rate"] / base["rate"] if base["rate"] else float("nan")
    print(f"{label}: {n} boots, concurrency {concurrency}{offered}, {where}: "
          f"{fig['rate']:.1f} boots/s ({share:.0f} % of the floor's {base['rate']:.0f}), "
          f"p50 {fig['p50']:.1f} ms (floor {base['p50']:.1f} ms), "
          f"p99 {fig['p99']:.1f} ms (floor {base['p99']:.1f} ms), "
          f"errors {fig['errors']} (floor {base['errors']}), "
          f"CPU a boot {fig['cpu']:.1f} ms (floor {base['cpu']:.1f} ms)", flush=True)


@contextlib.contextmanager
def _broker_env(broker):
    """The distributed cloud's broker: Redis database 15, or a fresh
    RabbitMQ virtual host (deleted after) with the call replies in Redis
    database 15 (see config/settings.py)."""
    results = clouds.REDIS_URL
    if broker == "rabbitmq":
        with rabbitmq_vhost("stratus-bench") as url:
            yield {"STRATUS_BROKER_URL": url, "STRATUS_RESULT_BACKEND": results}
    else:
        yield {"STRATUS_BROKER_URL": results, "STRATUS_RESULT_BACKEND": results}


def distributed(n, concurrency, hosts, conductors, rate, base, broker="redis",
                conductor_threads=None):
    threads = ["--concurrency", str(conductor_threads)] if conductor_threads else []
    with _broker_env(broker) as env, \
            clouds.distributed_cloud("stratus-bench-", env) as cloud:
        for i in range(conductors):
            cloud.start(f"conductor-{i}", "conductor", *threads)
        cloud.start("scheduler", "scheduler", "--concurrency", "16")
        cloud.start("api", "api", "--workers", "2", "--threads", "16")
        names = [f"bench-{i}" for i in range(hosts)]
        args = [a for h in names for a in ("--host", h)]
        cloud.start("compute", "compute", *args, "--concurrency", "16", env=clouds.BIG_HOST)
        clouds.wait_hosts(cloud, names)
        flavor, image = clouds.flavor_and_image(cloud)
        run_boots(cloud, flavor, image, min(20, n), concurrency)  # warm up
        fig = floor.measured(lambda: run_boots(cloud, flavor, image, n, concurrency, rate),
                             cloud.procs.values(), n)
        report(f"distributed ({broker})", n, concurrency, f"{hosts} hosts", fig, base, rate)
        return fig


def local(n, concurrency, rate, base):
    with clouds.all_in_one("stratus-bench-local-", clouds.BIG_HOST) as cloud:
        flavor, image = clouds.flavor_and_image(cloud, import_image=False)
        run_boots(cloud, flavor, image, min(20, n), concurrency)
        fig = floor.measured(lambda: run_boots(cloud, flavor, image, n, concurrency, rate),
                             cloud.procs.values(), n)
        report("local", n, concurrency, "1 hosts", fig, base, rate)
        return fig


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=300, help="servers to boot")
    parser.add_argument("-c", type=int, default=8, help="concurrent POSTs")
    parser.add_argument("--hosts", type=int, default=4, help="compute hosts (one process)")
    parser.add_argument("--conductors", type=int, default=2, help="conductor processes")
    parser.add_argument("--conductor-threads", type=int,
                        help="each conductor's pool (default: `stratus conductor`'s)")
    parser.add_argument("--rate", type=float, default=0.0,
                        help="offered boots/s (0: as fast as the POSTs return)")
    parser.add_argument("--mode", choices=("both", "distributed", "local"), default="both")
    parser.add_argument("--broker", choices=("redis", "rabbitmq"), default="redis",
                        help="the distributed cloud's broker (the floor's is Redis)")
    parser.add_argument("--floor", action=argparse.BooleanOptionalAction, default=True,
                        help="measure the bare Celery floor first and print ratios to it")
    parser.add_argument("--rates", metavar="R,R,...",
                        help="a sweep: one run per offered rate (0: as fast as possible), "
                             "in place of --rate")
    parser.add_argument("--plot", metavar="PNG",
                        help="with --rates: plot boots/s and p50/p99 against offered rate")
    args = parser.parse_args()
    plot = args.plot and os.path.abspath(args.plot)
    os.chdir(tempfile.mkdtemp(prefix="stratus-bench-cwd-"))
    rates = [float(r) for r in args.rates.split(",")] if args.rates else [args.rate]
    sweep = {}
    for rate in rates:
        args.rate = rate
        base = run_floor(args) if args.floor else None
        if base:
            sweep.setdefault("floor", {})[rate] = base
        if args.mode in ("both", "distributed"):
            sweep.setdefault("distributed", {})[rate] = distributed(
                args.n, args.c, args.hosts, args.conductors, rate, base, args.broker,
                args.conductor_threads)
        if args.mode in ("both", "local"):
            sweep.setdefault("local", {})[rate] = local(args.n, args.c, rate, base)
    if plot:
        import plot as plotting  # bench/plot.py

        plotting.write(sweep, plot, args.n, args.c)
        print(f"plot written to {plot}", flush=True)


def run_floor(args):
    """The floor's figures for this run's N, C and rate (printed too)."""
    base = floor.measure(args.n, args.c, args.rate)
    print(floor.describe("floor", args.n, args.c, base, args.rate), flush=True)
    return base


if __name__ == "__main__":
    main()
