"""Operator commands beside a running all-in-one: `stratus project`,
`user`, `role` and `flavor` run the conductor's code in their own process
on the all-in-one's SQLite (WAL), with no broker and no environment
variable to set, each in well under a few seconds."""
import os
import signal
import subprocess
import time
import uuid

import pytest
import requests

from tests.functional.cloud import STRATUS, free_port, wait_for

PASSWORD = "aio-" + uuid.uuid4().hex[:8]
# Generous for a loaded, shared machine; an operator command takes about
# half a second (a `user create` hashes a password with scrypt).
BOUND = 10.0


@pytest.fixture(scope="module")
def aio(tmp_path_factory):
    """`stratus all-in-one` on free ports with a state dir of its own;
    yields (API url, the environment an operator's shell would have)."""
    workdir = tmp_path_factory.mktemp("aio")
    port = free_port()
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("STRATUS_", "CELERY_"))}
    env.update(STRATUS_STATE_DIR=str(workdir / "var"), STRATUS_ADMIN_PASSWORD=PASSWORD,
               STRATUS_NOVNCPROXY_PORT=str(free_port()), STRATUS_TOKEN_RECHECK_SECONDS="1")
    log = open(workdir / "all-in-one.log", "wb")
    proc = subprocess.Popen([STRATUS, "all-in-one", "--port", str(port)], env=env, cwd=workdir,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _answers(url, proc, workdir), 90, what="the all-in-one's API")
        yield url, env
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(20)


def _answers(url, proc, workdir):
    if proc.poll() is not None:
        raise AssertionError(f"the all-in-one exited {proc.returncode}:\n"
                             + (workdir / "all-in-one.log").read_text(errors="replace")[-3000:])
    try:
        return requests.get(f"{url}/v2.1", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def stratus(env, *args):
    """Run an operator command as a shell beside the cloud would (no
    CELERY_TASK_ALWAYS_EAGER); returns (stdout, seconds)."""
    started = time.monotonic()
    done = subprocess.run([STRATUS, *args], env=env, capture_output=True, text=True,
                          timeout=60)
    took = time.monotonic() - started
    print(f"stratus {' '.join(args)}: {took:.2f} s")
    assert done.returncode == 0, done.stderr
    assert "database is locked" not in done.stderr
    return done.stdout, took


def token(url, user, password, project):
    scope = {"project": {"name": project, "domain": {"name": "Default"}}}
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": user, "domain": {"name": "Default"}, "password": password}}}, "scope": scope}}
    return requests.post(f"{url}/identity/v3/auth/tokens", json=body, timeout=30)


def test_operator_commands_beside_a_running_all_in_one(aio):
    url, env = aio
    times = {}
    made, times["project", "create"] = stratus(env, "project", "create", "demo")
    project_id = made.split("id=")[1].strip()
    for args in (
                 ("user", "create", "alice", "--password", "pw", "--project", "demo"),
                 ("role", "add", "--user", "alice", "--project", "demo", "reader"),
                 ("flavor", "create", "op.tiny", "--vcpus", "1", "--ram", "64", "--disk", "1"),
                 ("flavor", "delete", "op.tiny")):
        _out, times[args[:2]] = stratus(env, *args)
    assert max(times.values()) < BOUND, times
    # The API sees what the commands wrote: alice logs in to demo.
    alice = token(url, "alice", "pw", "demo")
    assert alice.status_code == 201, alice.text
    assert alice.json()["token"]["project"] == {
        "id": project_id, "name": "demo", "domain": {"id": "default", "name": "Default"}}
    assert [role["name"] for role in alice.json()["token"]["roles"]] == ["member", "reader"]
    servers = requests.get(f"{url}/v2.1/servers", timeout=30,
                           headers={"X-Auth-Token": alice.headers["X-Subject-Token"]})
    assert servers.status_code == 200 and servers.json()["servers"] == []
    admin = token(url, "admin", PASSWORD, "admin")
    assert admin.status_code == 201, admin.text
    headers = {"X-Auth-Token": admin.headers["X-Subject-Token"]}
    flavors = requests.get(f"{url}/v2.1/flavors", headers=headers, timeout=30).json()["flavors"]
    assert "op.tiny" not in {flavor["name"] for flavor in flavors}


def test_a_disabled_user_loses_its_token_beside_the_all_in_one(aio):
    url, env = aio
    stratus(env, "project", "create", "ops")
    stratus(env, "user", "create", "bob", "--password", "pw", "--project", "ops")
    bob = token(url, "bob", "pw", "ops").headers["X-Subject-Token"]

    def status():
        return requests.get(f"{url}/v2.1/flavors", headers={"X-Auth-Token": bob},
                            timeout=30).status_code

    assert status() == 200
    stratus(env, "user", "disable", "bob")
    wait_for(lambda: status() == 401, 10, what="bob's token refused")
    assert token(url, "bob", "pw", "ops").status_code == 401
    stratus(env, "role", "remove", "--user", "bob", "--project", "ops", "member")
    stratus(env, "user", "delete", "bob")
    stratus(env, "project", "delete", "ops")
