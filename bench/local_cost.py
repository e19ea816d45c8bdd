"""What a local-mode boot costs in process: the all-in-one's roles and API
app in this one process (eager tasks, SQLite, libvirt's test driver),
`POST /servers` through Flask's test client, each POST returning once
its boot is done, as in the all-in-one (no HTTP server, no client).

Prints the CPU (and wall) ms a POST over R rounds of N boots, and with
--instructions the instructions a boot under callgrind: this script run
again under `valgrind --tool=callgrind`, counting only from after the
warm-up to the end of N boots. The startup heap is frozen, as in the
all-in-one; before it was, a full collection of that heap fell inside
the counted boots or not by chance, and the count of the same code
varied from 21.4 to 23.2 million. The count does not follow whatever
else the machine does (a CPU figure on this shared VM moves by a third
from one minute to the next), so it is the figure to compare two
versions of the code with.
Printed, never asserted."""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import clouds  # bench/, this script's own directory

PASSWORD = "local-cost"


def _cloud(workdir):
    """(a Flask test client of the all-in-one's app, its admin's headers,
    a flavor id, an image id), set up as `stratus all-in-one` sets up."""
    os.environ.update({
        "CELERY_TASK_ALWAYS_EAGER": "1", "STRATUS_STATE_DIR": str(Path(workdir, "state")),
        "STRATUS_ADMIN_PASSWORD": PASSWORD, "STRATUS_QUOTA_INSTANCES": "-1",
        "STRATUS_QUOTA_CORES": "-1", "STRATUS_QUOTA_RAM": "-1", **clouds.BIG_HOST})
    os.environ.pop("STRATUS_DATABASE_URL", None)
    from stratus.cmd import allinone, heap
    from stratus.compute.service import start_compute
    from stratus.config import get_settings, reset_settings

    reset_settings()
    allinone._prepare()
    start_compute(["local"], get_settings().libvirt_uri)
    client = allinone._worker_app().test_client()
    # As the all-in-one's worker does once its app is built: otherwise a
    # full collection walking the startup heap lands in the counted boots
    # or not, by chance (1.6 million instructions a boot over 50).
    heap.freeze_startup_heap()
    login = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": "admin", "domain": {"name": "Default"}, "password": PASSWORD}}},
        "scope": {"project": {"name": "admin", "domain": {"name": "Default"}}}}}
    token = client.post("/identity/v3/auth/tokens", json=login).headers["X-Subject-Token"]
    headers = {"X-Auth-Token": token}
    flavor = client.post("/v2.1/flavors", headers=headers, json={"flavor": {
        "name": "bench", "vcpus": 1, "ram": 1, "disk": 0}}).json["flavor"]["id"]
    image = client.get("/image/v2/images", headers=headers).json["images"][0]["id"]
    return client, headers, flavor, image


def _booter(workdir):
    client, headers, flavor, image = _cloud(workdir)

    def boot(name):
        reply = client.post("/v2.1/servers", headers=headers, json={"server": {
            "name": name, "flavorRef": flavor, "imageRef": image, "networks": "none"}})
        if reply.status_code != 202:
            sys.exit(f"boot refused: {reply.status_code} {reply.data[:300]!r}")
        return reply.json["server"]["id"]

    for i in range(30):  # warm-up: caches, compiled statements, first connections
        boot(f"warm-{i}")
    return boot


def rounds(n, count):
    """Print CPU and wall ms a POST over `count` rounds of n boots."""
    boot = _booter(tempfile.mkdtemp(prefix="stratus-local-cost-"))
    figures = []
    for r in range(count):
        wall, cpu = time.perf_counter(), time.process_time()
        for i in range(n):
            boot(f"b-{r}-{i}")
        figures.append(((time.process_time() - cpu) / n * 1000,
                        (time.perf_counter() - wall) / n * 1000))
    print(f"local, in process: {n} boots a round, CPU ms a POST (wall): "
          + ", ".join(f"{cpu:.2f} ({wall:.2f})" for cpu, wall in figures), flush=True)


def _measured_child(n, signal_dir):
    """Under callgrind: warm up, let the parent switch counting on, boot n."""
    boot = _booter(tempfile.mkdtemp(prefix="stratus-local-cost-"))
    marks = Path(signal_dir)
    (marks / "ready").write_text(str(os.getpid()))
    _wait_for(marks / "go")
    for i in range(n):
        boot(f"b-{i}")
    (marks / "done").touch()
    _wait_for(marks / "end")


def _wait_for(path, timeout=1800, child=None):
    """Until `path` exists; exits when `child` (a Popen) ends first or
    the timeout passes."""
    deadline = time.monotonic() + timeout
    while not path.exists():
        if child is not None and child.poll() is not None:
            sys.exit(f"the measured process ended (status {child.returncode}) "
                     f"before {path.name}")
        if time.monotonic() > deadline:
            sys.exit(f"timed out waiting for {path}")
        time.sleep(0.2)


def instructions(n):
    """Print the instructions a boot under callgrind (n boots counted)."""
    if not (shutil.which("valgrind") and shutil.which("callgrind_control")):
        print("local, instructions a boot: valgrind is not installed", flush=True)
        return
    marks = Path(tempfile.mkdtemp(prefix="stratus-local-cost-cg-"))
    out = marks / "callgrind.out"
    child = subprocess.Popen(
        ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",
         sys.executable, __file__, "-n", str(n), "--child", str(marks)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(marks / "ready", child=child)
        pid = (marks / "ready").read_text()
        subprocess.run(["callgrind_control", "-i", "on", pid], check=True, capture_output=True)
        (marks / "go").touch()
        _wait_for(marks / "done", child=child)
        subprocess.run(["callgrind_control", "-i", "off", pid], check=True,
                       capture_output=True)
        (marks / "end").touch()
        child.wait(600)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    totals = [line for line in out.read_text().splitlines() if line.startswith("totals:")]
    total = int(totals[0].split()[1])
    print(f"local, instructions a boot: {total / n / 1e6:.1f} million ({n} boots under "
          "callgrind)", flush=True)
    shutil.rmtree(marks, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=200, help="boots a round (or counted)")
    parser.add_argument("--rounds", type=int, default=3, help="CPU rounds (0: none)")
    parser.add_argument("--instructions", action="store_true",
                        help="also count the instructions a boot under callgrind")
    parser.add_argument("--child", metavar="DIR", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _measured_child(args.n, args.child)
        return
    if args.rounds:
        rounds(args.n, args.rounds)
    if args.instructions:
        instructions(min(args.n, 50))


if __name__ == "__main__":
    main()
