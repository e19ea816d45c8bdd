"""200 concurrent boots against 2 schedulers and 2 conductors with room
for exactly 150 (3 hosts of 50 vCPUs, CPU allocation ratio 1.0, a 1-vCPU
flavor; memory and disk never binding).

Checked and printed: how many went ACTIVE (150 expected) and how many to
ERROR with NoValidHost (the rest), and every host's usage against its
allocation ratio, from the database. Printed, never asserted."""
import argparse
import collections
import concurrent.futures
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))


import clouds  # noqa: E402

HOSTS, VCPUS = 3, 50


def run(boots, concurrency):
    sized = {"STRATUS_TEST_HOST_VCPUS": str(VCPUS), "STRATUS_TEST_HOST_MEMORY_MB": "10000000"}
    names = [f"race-{i}" for i in range(HOSTS)]
    with clouds.distributed_cloud("stratus-bench-race-") as cloud:
        for i in range(2):
            cloud.start(f"conductor-{i}", "conductor")
            cloud.start(f"scheduler-{i}", "scheduler")
        cloud.start("api", "api", "--workers", "2", "--threads", "16")
        cloud.start("compute", "compute", *[a for h in names for a in ("--host", h)], env=sized)
        clouds.wait_hosts(cloud, names)
        flavor, image = clouds.flavor_and_image(cloud)
        t0 = time.time()
        with concurrent.futures.ThreadPoolExecutor(max_workers=concurrency) as pool:
            ids = list(pool.map(lambda i: cloud.boot(f"race-{i}", flavor, image), range(boots)))
        servers = cloud.wait_final(ids, timeout=600)
        report(cloud, servers, boots, concurrency, time.time() - t0)


def report(cloud, servers, boots, concurrency, wall):
    status = collections.Counter(s["status"] for s in servers.values())
    no_valid = sum(1 for s in servers.values() if s["status"] == "ERROR"
                   and "No valid host" in (s.get("fault") or {}).get("message", ""))
    room = HOSTS * VCPUS
    print(f"race: {boots} boots at concurrency {concurrency}, room for {room}, "
          f"2 schedulers, 2 conductors: {status.get('ACTIVE', 0)} ACTIVE (expected {room}), "
          f"{status.get('ERROR', 0)} ERROR ({no_valid} NoValidHost), in {wall:.1f} s: "
          f"{'as expected' if status.get('ACTIVE') == room and no_valid == boots - room else 'NOT as expected'}",
          flush=True)
    over = 0
    for host, vcpus, used, ratio, vms in cloud.sql(
            "SELECT host, vcpus, vcpus_used, cpu_allocation_ratio, running_vms FROM compute_nodes"
            " WHERE deleted = 0 ORDER BY host"):
        active = sum(1 for s in servers.values()
                     if s["status"] == "ACTIVE" and s.get("OS-EXT-SRV-ATTR:host") == host)
        over += used > vcpus * ratio or active > vcpus * ratio
        print(f"  {host}: vcpus_used {used} of {vcpus} x {ratio:g}, running_vms {vms}, "
              f"ACTIVE servers there {active}", flush=True)
    print(f"  hosts over their allocation ratio: {over}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=200, help="boots")
    parser.add_argument("-c", type=int, default=200, help="concurrent POSTs")
    args = parser.parse_args()
    os.chdir(tempfile.mkdtemp(prefix="stratus-bench-cwd-"))
    run(args.n, args.c)


if __name__ == "__main__":
    main()
