"""Running the real OpenStack clients (python-openstackclient,
python-novaclient, openstacksdk) as subprocesses of the functional
tests, configured by nothing but the admin's openrc (see the `env`
fixture in conftest.py)."""
import json
import subprocess
import sys
import uuid
from pathlib import Path

from tests.functional.cloud import wait_for

BIN = Path(sys.executable).parent


def unique_name(kind):
    """A fresh name for something a client creates."""
    return f"cli-{kind}-{uuid.uuid4().hex[:6]}"


def run(env, program, *args, ok=True):
    """Run a client; with `ok`, it must exit 0."""
    done = subprocess.run([str(BIN / program), *args], env=env, capture_output=True, text=True,
                          timeout=120)
    if ok:
        assert done.returncode == 0, \
            f"{program} {' '.join(args)} exited {done.returncode}:\n{done.stderr}"
    return done


def osc(env, *args, ok=True):
    return run(env, "openstack", *args, ok=ok)


def osc_json(env, *args):
    return json.loads(osc(env, *args, "-f", "json").stdout)


def nova_table(text):
    """novaclient's `| Property | Value |` table as a dict."""
    rows = (line.split("|") for line in text.splitlines() if line.startswith("|"))
    return {cells[1].strip(): cells[2].strip() for cells in rows if len(cells) == 4}


def wait_gone(cloud, server_id):
    wait_for(lambda: cloud.api("GET", f"/servers/{server_id}").status_code == 404, 60, 0.1,
             f"{server_id} to be deleted")


def created_server(cloud, env, names, kind):
    """For a fixture to yield from: `openstack server create --flavor F
    --image I NAME --wait`'s output (no network: the cloud has none, so
    the server gets no NIC); afterwards the server
    is deleted if the tests left it."""
    flavor_name, image_name = names
    created = osc_json(env, "server", "create",
                       "--flavor", flavor_name, "--image", image_name,
                       unique_name(kind), "--wait")
    yield created
    if cloud.server(created["id"]) is not None:
        cloud.api("DELETE", f"/servers/{created['id']}")
        wait_gone(cloud, created["id"])
