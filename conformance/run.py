"""`make tempest`: OpenStack's conformance suite, Tempest (PyPI), run
against two Stratus clouds started here, then stopped.

1. Tempest goes into a virtualenv of its own (.tempest-venv), pinned.
2. The all-in-one (two compute hosts in one process), on free ports, its
   state in a temporary directory: every test but the migrations.
3. A distributed cloud (conformance/distributed.py: PostgreSQL, Redis, a
   process per role, two compute processes): the migration tests (cold
   migrate, resize, confirm, revert, live migration), which need hosts
   that are separate processes.
4. tempest.conf says what Stratus claims (conformance/tempest.conf.in):
   features it has are on, the others off, so their tests skip. Each
   cloud has a Tempest workspace of its own, its conf naming that cloud.
5. `tempest run` over tempest.api.compute (or --regex), with dynamic
   credentials (Tempest makes its projects and users through the
   identity admin API).
6. The counts of both runs together, last: `N passed, N failed, N
   skipped`. With --gate, every test in conformance/expected-pass.txt must
   have passed in one of the runs (a test that passed may not start
   failing); --update rewrites that list.

Results stay in var/tempest/ (tempest-<cloud>.log, results.txt: one
`status test-id` line per test, with ` :: reason` after a skip; the
distributed cloud's process logs under distributed/)."""
import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
# The distributed cloud is the functional suite's (tests/functional/cloud.py).
sys.path.insert(1, str(ROOT))
from distributed import distributed_cloud  # noqa: E402 (conformance/, the script's dir)
from tests.functional.cloud import free_port  # noqa: E402

HERE = ROOT / "conformance"
VENV = ROOT / ".tempest-venv"
TEMPEST = "tempest==47.0.0"
OUT = ROOT / "var" / "tempest"
EXPECTED = HERE / "expected-pass.txt"
DEFAULT_REGEX = r"^tempest\.api\.compute\."
# The tests that move a server between hosts run on the distributed cloud,
# all the others on the all-in-one.
MIGRATIONS = (r"tempest\.api\.compute\.admin\.test_(migrations|live_migration"
              r"|live_migration_negative)\."
              r"|tempest\.api\.compute\.servers\.(test_server_actions|test_disk_config)"
              r"\.\w+\.test_resize_server_"
              r"|tempest\.api\.compute\.servers\.test_delete_server\.\w+"
              r"\.test_delete_server_while_in_verify_resize_state")
CLOUDS = {
    # name: (tests it leaves out, whether it claims live migration)
    "all-in-one": (f"^(?:{MIGRATIONS})", False),
    "distributed": (f"^(?!(?:{MIGRATIONS}))", True),
}


def ensure_tempest():
    marker = VENV / ".installed"
    if marker.exists() and marker.read_text() == TEMPEST:
        return
    subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    subprocess.run([str(VENV / "bin" / "pip"), "install", "-q", TEMPEST], check=True)
    marker.write_text(TEMPEST)


class AllInOne:
    """`stratus all-in-one` in a directory of its own, on free ports."""

    def __init__(self):
        self.workdir = Path(tempfile.mkdtemp(prefix="stratus-tempest-"))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        console = free_port()
        self.env = {**os.environ, "STRATUS_STATE_DIR": str(self.workdir / "var"),
                    "STRATUS_NOVNCPROXY_PORT": str(console),
                    "STRATUS_NOVNCPROXY_BASE_URL": f"http://127.0.0.1:{console}/vnc_auto.html",
                    # Tempest's projects each boot a few servers at once.
                    "STRATUS_QUOTA_INSTANCES": "20", "STRATUS_QUOTA_CORES": "40",
                    "STRATUS_QUOTA_RAM": str(200 * 1024)}
        self.env.pop("CELERY_TASK_ALWAYS_EAGER", None)
        self.proc = None

    def start(self):
        log = open(self.workdir / "all-in-one.log", "w")
        self.proc = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "stratus"), "all-in-one", "--port", str(self.port),
             # Two hosts: cold migrations and resizes have somewhere to go.
             "--compute-host", "tempest-a", "--compute-host", "tempest-b"],
            cwd=self.workdir, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"the all-in-one exited; see {log.name}")
            try:
                if requests.get(self.url + "/v2.1", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise SystemExit(f"the all-in-one did not answer in 90 s; see {log.name}")

    def import_image(self, name):
        """A second image (Tempest's image_ref_alt must differ), imported
        with the operator's command beside the running cloud."""
        disk = self.workdir / f"{name}.qcow2"
        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", str(disk), "64M"], check=True)
        subprocess.run([str(ROOT / ".venv" / "bin" / "stratus"), "image", "import", str(disk),
                        "--name", name], cwd=self.workdir, env=self.env, check=True,
                       capture_output=True)

    def admin_password(self):
        return (self.workdir / "var" / "admin-password").read_text().strip()

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        log = self.workdir / "all-in-one.log"
        if log.exists():
            shutil.copy(log, OUT / "all-in-one.log")
        shutil.rmtree(self.workdir, ignore_errors=True)


def catalog_ids(cloud):
    """(image ids, flavor ids) the conf names: the seeded image and the
    one imported here, m1.tiny and m1.small."""
    token = requests.post(f"{cloud.url}/identity/v3/auth/tokens", timeout=10, json={
        "auth": {"identity": {"methods": ["password"], "password": {"user": {
            "name": "admin", "domain": {"id": "default"}, "password": cloud.admin_password()}}},
            "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}}
    ).headers["X-Subject-Token"]
    headers = {"X-Auth-Token": token}
    images = requests.get(f"{cloud.url}/v2.1/images", headers=headers, timeout=10).json()
    flavors = requests.get(f"{cloud.url}/v2.1/flavors", headers=headers, timeout=10).json()
    by_name = {f["name"]: f["id"] for f in flavors["flavors"]}
    image_ids = {i["name"]: i["id"] for i in images["images"]}
    return ([image_ids["stratus-empty"], image_ids["tempest-alt"]],
            [by_name["m1.tiny"], by_name["m1.small"]])


def write_conf(workspace, name, url, password, image_ids, flavor_ids):
    """The workspace's tempest.conf, for the cloud at `url`."""
    live_migration = CLOUDS[name][1]
    text = (HERE / "tempest.conf.in").read_text().format(
        url=url, password=password, image=image_ids[0], image_alt=image_ids[1],
        flavor=flavor_ids[0], flavor_alt=flavor_ids[1],
        live_migration=str(live_migration).lower(),
        lock_path=workspace / "locks", log_file=OUT / f"tempest-{name}.log")
    (workspace / "etc" / "tempest.conf").write_text(text)


def new_workspace(name):
    """A fresh Tempest workspace for one cloud's run, registered in a
    workspace file of ours, not the user's ~/.tempest."""
    workspace = OUT / f"workspace-{name}"
    shutil.rmtree(workspace, ignore_errors=True)
    subprocess.run([str(VENV / "bin" / "tempest"), "init", "--name", f"stratus-{name}",
                    "--workspace-path", str(OUT / "workspaces.yaml"), str(workspace)],
                   check=True, capture_output=True)
    (workspace / "locks").mkdir()
    return workspace


def run_tempest(workspace, name, regex, concurrency):
    """Tempest's results on one cloud: {test id: (status, reason)}."""
    bin_ = VENV / "bin"
    env = {**os.environ, "PATH": f"{bin_}:{os.environ['PATH']}"}
    started = time.monotonic()
    subprocess.run([str(bin_ / "tempest"), "run", "--regex", regex,
                    "--exclude-regex", CLOUDS[name][0],
                    "--concurrency", str(concurrency)], cwd=workspace, env=env)
    print(f"[{name}] Tempest ran {time.monotonic() - started:.0f} s", flush=True)
    last = subprocess.run([str(bin_ / "stestr"), "last", "--subunit"], cwd=workspace,
                          env=env, capture_output=True)
    if last.returncode != 0:  # the regex left this cloud no test
        return {}
    parsed = subprocess.run([str(bin_ / "python"), str(HERE / "subunit_status.py")],
                            input=last.stdout, capture_output=True, check=True).stdout.decode()
    results = {}
    for line in parsed.splitlines():
        status, rest = line.split(" ", 1)
        test, _sep, reason = rest.partition(" :: ")
        results[test] = (status, reason)
    return results


def on_all_in_one(args):
    workspace = new_workspace("all-in-one")
    cloud = AllInOne()
    try:
        cloud.start()
        cloud.import_image("tempest-alt")
        write_conf(workspace, "all-in-one", cloud.url, cloud.admin_password(),
                   *catalog_ids(cloud))
        return run_tempest(workspace, "all-in-one", args.regex, args.concurrency)
    finally:
        cloud.stop()


def on_distributed(args):
    workspace = new_workspace("distributed")
    started = time.monotonic()
    with distributed_cloud(OUT / "distributed") as cloud:
        print(f"[distributed] cloud ready in {time.monotonic() - started:.0f} s", flush=True)
        write_conf(workspace, "distributed", cloud.url, cloud.env["STRATUS_ADMIN_PASSWORD"],
                   cloud.image_ids, cloud.flavor_ids)
        return run_tempest(workspace, "distributed", args.regex, args.concurrency)


RUNS = {"all-in-one": on_all_in_one, "distributed": on_distributed}


def _terminated(_signum, _frame):
    """A SIGTERM (a CI timeout) unwinds as Ctrl-C does: each cloud stops
    in its finally, and no further cloud starts."""
    raise KeyboardInterrupt("SIGTERM")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regex", default=DEFAULT_REGEX)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--cloud", action="append", choices=sorted(RUNS),
                        help="run on this cloud only (repeatable; default: both)")
    parser.add_argument("--gate", action="store_true",
                        help="fail if a test in expected-pass.txt did not pass")
    parser.add_argument("--update", action="store_true",
                        help="rewrite expected-pass.txt with the tests that passed")
    args = parser.parse_args()

    ensure_tempest()
    OUT.mkdir(parents=True, exist_ok=True)
    # What the one-cloud layout left.
    shutil.rmtree(OUT / "workspace", ignore_errors=True)
    (OUT / "tempest.log").unlink(missing_ok=True)
    (OUT / "workspaces.yaml").unlink(missing_ok=True)
    signal.signal(signal.SIGTERM, _terminated)
    runs, broken = {}, []
    for name in args.cloud or list(RUNS):
        try:
            runs[name] = RUNS[name](args)
        except (Exception, SystemExit) as exc:  # one cloud down still reports the other
            print(f"[{name}] no results: {exc!r}", flush=True)
            runs[name], broken = {}, broken + [name]
    if broken and args.update:
        args.update = False
        print(f"{EXPECTED.name} not rewritten: no results from {', '.join(broken)}")
    return report(runs, args) or (1 if broken else 0)


def _short(test_id):
    """A test's id without its tags (`[id-...,smoke]`)."""
    return re.sub(r"\[.*\]$", "", test_id)


def _counts(results):
    passed = sorted(_short(t) for t, (s, _r) in results.items() if s == "success")
    failed = sorted(_short(t) for t, (s, _r) in results.items() if s in ("fail", "uxsuccess"))
    skipped = [t for t, (s, _r) in results.items() if s == "skip"]
    return passed, failed, skipped


def _write_results(path, results):
    lines = sorted(f"{status} {test}" + (f" :: {reason}" if reason else "")
                   for test, (status, reason) in results.items())
    path.write_text("\n".join(lines) + "\n")


def report(runs, args):
    """Each run's results and counts, then both together; the gate."""
    for name, results in runs.items():
        _write_results(OUT / f"results-{name}.txt", results)
        passed, failed, skipped = _counts(results)
        print(f"[{name}] {len(passed)} passed, {len(failed)} failed, {len(skipped)} skipped")
    # A class that skips as a whole on both clouds (its setUpClass) counts once.
    every = {test: result for results in runs.values() for test, result in results.items()}
    _write_results(OUT / "results.txt", every)
    passed, failed, skipped = _counts(every)
    for test in failed:
        print(f"FAILED {test}")
    code = 0
    if args.update:
        comments = [line for line in EXPECTED.read_text().splitlines() if line.startswith("#")]
        EXPECTED.write_text("\n".join(comments + passed) + "\n")
    elif args.gate:
        expected = {line.strip() for line in EXPECTED.read_text().splitlines()
                    if line.strip() and not line.startswith("#")}
        regressed = sorted(expected - set(passed))
        for test in regressed:
            print(f"REGRESSED {test} (in {EXPECTED.name}, did not pass)")
        code = 1 if regressed else 0
    print(f"{len(passed)} passed, {len(failed)} failed, {len(skipped)} skipped")
    return code


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
