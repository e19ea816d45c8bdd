"""`GET /servers/detail?limit=1000` with 10,000 servers in the database,
through the real API process (and its conductor call, over Redis 15).

A conductor, a scheduler, the api and one compute host start as in
bench/boot.py: one server is booted through the API, then its row is
copied in SQL to make the other servers (ACTIVE, on the same host). The
list is then read a few times as the admin, at the API's default
microversion (2.1) unless --microversion says another (from 2.26 the
servers' tags are read too); the figures (p50, max) are printed, never
asserted; --profile DIR then profiles each half in this process
(bench/list_profile.py)."""
import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import clouds  # noqa: E402


def clone(cloud, server_id, count):
    """Copy the server's row `count` times (new uuid and name, ACTIVE)."""
    columns = [c for (c,) in cloud.sql(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'instances'"
        " AND column_name NOT IN ('id', 'uuid', 'display_name', 'vm_state', 'task_state')")]
    cols = ", ".join(f'"{c}"' for c in columns)
    execute(cloud, f"INSERT INTO instances (uuid, display_name, vm_state, task_state, {cols})"
              f" SELECT gen_random_uuid()::text, 'list-' || i, 'active', NULL, {cols}"
              f" FROM instances, generate_series(1, %s) AS i WHERE uuid = %s",
              count, server_id)
    execute(cloud, "ANALYZE")


def conductor_call(cloud, limit, reads):
    """p50 ms of the API's conductor call alone (instance_get_all over the
    broker, the conductor's query and conversion, the reply's decoding),
    made from this process as the API makes it."""
    os.environ.update({k: v for k, v in cloud.env.items() if k.startswith(("STRATUS_", "CELERY_"))})
    from stratus.common.context import get_admin_context
    from stratus.conductor.rpcapi import ConductorAPI

    api, ctxt, times = ConductorAPI(), get_admin_context(), []
    for _ in range(reads + 1):
        t0 = time.perf_counter()
        assert len(api.instance_get_all(ctxt, filters={}, limit=limit)) == limit
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times[1:])


def conductor_parts(limit, reads):
    """p50 ms, in this process (no broker), of the conductor's endpoint
    (its query and the reply's wire form), and of the reply's JSON
    encoding as its worker makes it (after conductor_call has set the
    environment)."""
    from kombu.utils import json as kombu_json

    from stratus.common.objects.base import to_primitive
    from stratus.conductor.instances import Instances
    from stratus.common.context import get_admin_context

    query, encode = [], []
    for _ in range(reads):
        t0 = time.perf_counter()
        reply = to_primitive(Instances().instance_get_all(get_admin_context(), {}, limit))
        t1 = time.perf_counter()
        kombu_json.dumps({"result": reply})
        query.append((t1 - t0) * 1000)
        encode.append((time.perf_counter() - t1) * 1000)
    return statistics.median(query), statistics.median(encode)


def execute(cloud, statement, *params):
    """A statement that returns no rows (Cloud.sql fetches)."""
    import psycopg

    with psycopg.connect(cloud.env["STRATUS_DATABASE_URL"].replace("+psycopg", "")) as conn:
        conn.execute(statement, params)


def run(servers, limit, reads, profile=None, microversion=None):
    with clouds.distributed_cloud("stratus-bench-list-") as cloud:
        cloud.start("conductor", "conductor")
        cloud.start("scheduler", "scheduler")
        cloud.start("api", "api")
        cloud.start("compute", "compute", "--host", "list-host")
        clouds.wait_hosts(cloud, ["list-host"])
        flavor, image = clouds.flavor_and_image(cloud)
        first = cloud.boot("list-0", flavor, image)
        cloud.wait_final([first], timeout=60)
        clone(cloud, first, servers - 1)
        url = f"/servers/detail?limit={limit}"
        headers = {"OpenStack-API-Version": f"compute {microversion}"} if microversion else {}
        times = []
        for _ in range(reads + 1):
            t0 = time.perf_counter()
            reply = cloud.api("GET", url, headers=headers)
            times.append((time.perf_counter() - t0) * 1000)
            assert reply.status_code == 200 and len(reply.json()["servers"]) == limit, reply.text[:300]
        times = times[1:]  # the first warms the connections
        p50 = statistics.median(times)
        print(f"GET {url}{f' at {microversion}' if microversion else ''} with {servers} servers: p50 {p50:.0f} ms, max {max(times):.0f} ms "
              f"({reads} reads; target <= 150 ms: {'met' if p50 <= 150 else 'missed'}); "
              f"of which the conductor call alone: p50 {conductor_call(cloud, limit, reads):.0f} ms",
              flush=True)
        query, encode = conductor_parts(limit, reads)
        print(f"  in the conductor: query and the reply's wire form p50 {query:.0f} ms, "
              f"its JSON encoding p50 {encode:.0f} ms", flush=True)
        if profile:
            import list_profile

            list_profile.profile_halves(cloud.http.headers["X-Auth-Token"], limit, reads, profile)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=10000)
    parser.add_argument("--limit", type=int, default=1000)
    parser.add_argument("--reads", type=int, default=10)
    parser.add_argument("--microversion", help="the compute API microversion asked for "
                        "(e.g. 2.26 or latest; default: none, so 2.1)")
    parser.add_argument("--profile", metavar="DIR",
                        help="then cProfile each half in this process (bench/list_profile.py): "
                             "DIR/conductor.prof and DIR/api.prof")
    args = parser.parse_args()
    profile = args.profile and os.path.abspath(args.profile)
    os.chdir(tempfile.mkdtemp(prefix="stratus-bench-cwd-"))
    run(args.servers, args.limit, args.reads, profile, args.microversion)


if __name__ == "__main__":
    main()
