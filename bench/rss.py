"""Idle resident memory of each role's process: api, conductor,
scheduler, compute (one host) and the all-in-one.

Each role is started as the functional tests start it (tests/functional/
cloud.py: Redis database 15 as bench/boot.py, a PostgreSQL database of its
own; the all-in-one on SQLite), left idle a few seconds once it serves,
then the RSS of its whole process group is read from /proc (the api's
gunicorn master and workers are one figure). Printed, never asserted."""
import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

sys.path.insert(0, str(Path(__file__).resolve().parent))

import clouds  # noqa: E402

ROLES = ("conductor", "scheduler", "compute", "api")


def group_rss_mb(session_id):
    """{pid: (RSS, PSS) in MB} of every process whose session is `session_id`."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[3]) != session_id:  # field 6 of stat: the session id
                continue
            rss_pages = int(fields[21])  # field 24: rss
        except (OSError, IndexError, ValueError):
            continue
        found[int(entry)] = (rss_pages * os.sysconf("SC_PAGE_SIZE") / 2**20, _pss_mb(entry))
    return found


def _pss_mb(pid):
    """Proportional set size: pages shared with the forking parent counted
    once across the group, so the group's sum is the memory it really costs."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def describe(name, rss, target, each=True):
    """The group's figures and the target's verdict: on each process's RSS
    (a role: the issue's "each role process"; the api's gunicorn master
    and workers are three), or with `each` False on the group's sum (the
    all-in-one)."""
    total = sum(r for r, _ in rss.values())
    pss = sum(p for _, p in rss.values())
    judged = max(r for r, _ in rss.values()) if each else total
    verdict = "met" if judged <= target else "missed"
    what = "RSS of each process" if each else "RSS of the group"
    parts = ", ".join(f"{r:.0f}" for r, _ in sorted(rss.values(), reverse=True))
    return (f"idle RSS {name:<10}: {total:6.1f} MB in {len(rss)} process(es) [{parts}], "
            f"PSS {pss:.1f} MB (target <= {target} MB {what}: {verdict})")


def distributed(idle):
    with clouds.distributed_cloud("stratus-bench-rss-") as cloud:
        cloud.start("conductor", "conductor")
        cloud.start("scheduler", "scheduler")
        cloud.start("api", "api")
        cloud.start("compute", "compute", "--host", "rss-host")
        clouds.wait_hosts(cloud, ["rss-host"])
        time.sleep(idle)
        for role in ROLES:
            print(describe(role, group_rss_mb(cloud.procs[role].pid), 100), flush=True)


def all_in_one(idle):
    with clouds.all_in_one("stratus-bench-rss-aio-") as cloud:
        time.sleep(idle)
        print(describe("all-in-one", group_rss_mb(cloud.procs["aio"].pid), 200, each=False),
              flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--idle", type=float, default=5.0, help="seconds idle before reading")
    args = parser.parse_args()
    os.chdir(tempfile.mkdtemp(prefix="stratus-bench-cwd-"))
    distributed(args.idle)
    all_in_one(args.idle)


if __name__ == "__main__":
    main()
