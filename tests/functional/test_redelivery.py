"""A compute worker SIGKILLed while it holds a build's message (taken,
not yet acknowledged: the task had not started its work) is started
again; RabbitMQ hands the message back as soon as the dead worker's
connection closes, so the restarted worker runs the build within seconds
and the server ends ACTIVE.

Its own small cloud on a fresh RabbitMQ virtual host, whatever
STRATUS_FT_BROKER says. With STRATUS_FT_REDELIVERY_BROKER=redis the same
test shows what Redis does instead, and fails: the message stays with the
dead worker until the visibility timeout (an hour)."""
import contextlib
import os
import re
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.functional.brokers import session_broker
from tests.functional.cloud import Cloud, wait_for

HOLDING_COMPUTE = [sys.executable, str(Path(__file__).with_name("holding_compute.py"))]
HOST = "rd-a"
BROKER = os.environ.get("STRATUS_FT_REDELIVERY_BROKER", "rabbitmq")
# Seconds from the kill to the message's second delivery: the restart of
# the compute (a few seconds) plus the broker's hand-back.
REDELIVERY_BOUND = 20


@pytest.fixture(scope="module")
def holding():
    if BROKER == "rabbitmq" and shutil.which("rabbitmqctl") is None:
        pytest.skip("no RabbitMQ here (rabbitmqctl)")
    with session_broker(BROKER) as broker_env:
        c = Cloud(tempfile.mkdtemp(prefix="stratus-ft-redelivery-"))
        c.env.update(broker_env)
        with contextlib.ExitStack() as stack:
            stack.callback(c.drop_database)
            stack.callback(c.stop_all)
            c.start_services(conductor=4)
            c.image_id = c.import_image()
            c.flavor_id = c.create_flavor("rd.tiny", 1, 64, 1)
            yield c


def _deliveries(c, task_id):
    """How many times the compute host's log (both lives) says it received
    the task."""
    return c.log(f"compute-{HOST}").count(f"compute.build_and_run_instance[{task_id}] received")


def test_a_message_held_by_a_killed_compute_is_redelivered_to_its_restart(holding):
    c = holding
    c.start_compute(HOST, env={"STRATUS_FT_HOLD_SECONDS": "600"}, program=HOLDING_COMPUTE)
    server_id = c.boot("held", c.flavor_id, c.image_id)

    def held():
        found = re.search(rf"holding the build of {server_id} for \S+ \(task (\S+)\)",
                          c.log(f"compute-{HOST}"))
        return found and found.group(1)

    task_id = c.wait_ready(held, 30, "the compute to take the build's message")
    server = c.api("GET", f"/servers/{server_id}").json()["server"]
    assert (server["status"], server["OS-EXT-STS:task_state"]) == ("BUILD", "scheduling")

    c.stop(f"compute-{HOST}", signal.SIGKILL)
    killed = time.monotonic()
    c.start_compute(HOST)  # a new process; the host still shows up meanwhile
    try:
        wait_for(lambda: _deliveries(c, task_id) >= 2, REDELIVERY_BOUND, 0.05,
                 f"the build's message back at the restarted compute ({BROKER})")
    finally:
        print(f"\nredelivery ({BROKER}): message delivered {_deliveries(c, task_id)} times; "
              f"{time.monotonic() - killed:.1f}s after the SIGKILL")
    redelivered = time.monotonic() - killed
    c.wait_status(server_id, "ACTIVE", timeout=30)
    print(f"redelivery ({BROKER}): server ACTIVE {time.monotonic() - killed:.1f}s after the "
          f"SIGKILL (redelivered at {redelivered:.1f}s)")
    assert _deliveries(c, task_id) == 2
    # The broker flagged the second delivery, so the host claimed the build
    # before spawning it (a first delivery saves it only at its end).
    assert f"Build of {server_id} was delivered before: {HOST} claims it first" in c.log(
        f"compute-{HOST}")
    assert c.api("DELETE", f"/servers/{server_id}").status_code == 204
    wait_for(lambda: c.server(server_id) is None, 30, 0.2, "the server deleted")
