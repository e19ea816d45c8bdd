"""A rolling upgrade half done: the API, conductor and scheduler are new
and capped at compute RPC 1.2 (STRATUS_COMPUTE_RPC_VERSION_CAP), one
compute host still runs the previous release (it serves compute 1.2
only, see old_compute.py), another is upgraded. The old host runs a
server's whole life; a message it cannot serve is refused at once."""
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.functional.cloud import Cloud
from tests.functional.brokers import session_broker
from tests.functional.conftest import HOST_SIZE

OLD_COMPUTE = [sys.executable, str(Path(__file__).with_name("old_compute.py"))]
CAP = {"STRATUS_COMPUTE_RPC_VERSION_CAP": "1.2"}
OLD, NEW = "ru-old", "ru-new"


@pytest.fixture(scope="module")
def upgrading():
    """Its own cloud (broker, PostgreSQL database, processes),
    every service but the old host's capped at compute 1.2."""
    with session_broker() as broker_env:
        cloud = Cloud(tempfile.mkdtemp(prefix="stratus-ft-upgrade-"))
        cloud.env.update(broker_env)
        yield from _upgrading(cloud)


def _upgrading(cloud):
    cloud.env.update(CAP)
    try:
        cloud.start_services(conductor=4)
        # The old release knows no cap newer than itself.
        cloud.start_compute(OLD, env=dict(HOST_SIZE, STRATUS_COMPUTE_RPC_VERSION_CAP=""),
                            program=OLD_COMPUTE)
        cloud.start_compute(NEW, env=HOST_SIZE)
        cloud.image_id = cloud.import_image()
        cloud.flavor = cloud.create_flavor("ru.small", 1, 64, 1)
        yield cloud
    finally:
        cloud.stop_all()
        cloud.drop_database()


def test_a_server_lives_and_dies_on_the_host_not_yet_upgraded(upgrading):
    cloud = upgrading
    server_id = cloud.boot("on-old", cloud.flavor, cloud.image_id,
                           availability_zone=f"nova:{OLD}")  # build_and_run_instance 1.0
    server = cloud.wait_status(server_id, "ACTIVE")
    assert server["OS-EXT-SRV-ATTR:host"] == OLD
    assert cloud.claims(server_id) == {OLD: (1, 64)}

    assert cloud.action(server_id, {"os-stop": None}).status_code == 202  # 1.1
    cloud.wait_status(server_id, "SHUTOFF")
    assert cloud.action(server_id, {"os-start": None}).status_code == 202
    cloud.wait_status(server_id, "ACTIVE")

    assert cloud.api("DELETE", f"/servers/{server_id}").status_code == 204  # 1.0
    cloud.wait_ready(lambda: cloud.server(server_id) is None, 30, f"{server_id} gone")
    assert cloud.claims(server_id) == {}
    assert cloud.sql("SELECT count(*) FROM resource_claims") == [(0,)]


# What every stub did before it sent its method's own version: the
# client's newest, 1.3, for a method the old host serves.
UNCAPPED_SEND = """
import json, sys
from stratus.common import exception
from stratus.common.context import RequestContext
from stratus.common.rpc import RPCClient

ctxt = RequestContext(user_id="ft", project_id="ft", roles=["admin"], is_admin=True)
client = RPCClient("compute", "1.3").prepare(server=sys.argv[1], timeout=20)
try:
    # The old host refuses the version before it reads the arguments.
    client.call(ctxt, "get_vnc_console", instance=None, console_type="novnc")
except exception.StratusException as exc:
    print(json.dumps([type(exc).__name__, exc.message]))
"""


def test_without_the_cap_the_old_host_refuses_a_1_3_message_at_once(upgrading):
    env = dict(upgrading.env, STRATUS_COMPUTE_RPC_VERSION_CAP="")
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", UNCAPPED_SEND, OLD], env=env, check=True,
                          capture_output=True, text=True, timeout=60)
    name, message = json.loads(done.stdout.strip().splitlines()[-1])
    assert name == "UnsupportedVersion", done.stdout + done.stderr
    assert "1.3" in message and "1.2" in message
    assert time.monotonic() - started < 15  # a reply, not the 20 s timeout


def test_a_move_the_cap_forbids_answers_409_at_once(upgrading):
    cloud = upgrading
    server_id = cloud.boot("to-move", cloud.flavor, cloud.image_id,
                           availability_zone=f"nova:{OLD}")
    cloud.wait_status(server_id, "ACTIVE")
    bigger = cloud.create_flavor("ru.big", 2, 128, 1)
    started = time.monotonic()
    reply = cloud.action(server_id, {"resize": {"flavorRef": bigger}})  # resize_instance 1.3
    assert time.monotonic() - started < 15
    assert reply.status_code == 409, reply.text
    assert reply.json() == {"conflictingRequest": {
        "code": 409, "message": "RPC version 1.3 is above the cap 1.2 for compute."}}
    # Refused before anything was saved: no migration, no claim elsewhere.
    assert cloud.server(server_id)["status"] == "ACTIVE"
    assert cloud.server(server_id)["OS-EXT-STS:task_state"] is None
    assert cloud.sql("SELECT count(*) FROM migrations") == [(0,)]
    assert cloud.sql("SELECT count(*) FROM resource_claims") == [(1,)]
    assert cloud.api("DELETE", f"/servers/{server_id}").status_code == 204
    cloud.wait_ready(lambda: cloud.server(server_id) is None, 30, f"{server_id} gone")
    assert cloud.sql("SELECT count(*) FROM resource_claims") == [(0,)]
