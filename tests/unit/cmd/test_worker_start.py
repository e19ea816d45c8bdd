"""A role's worker starts as `celery worker` would, without the `celery`
command group around it: the group loads every command plugin (Flower,
Tornado, prometheus_client) and the REPL's prompt_toolkit, memory an
idle worker holds for nothing. Run in a fresh interpreter, where no
other test has imported them."""
import json
import subprocess
import sys

PROBE = """
import json, sys
from celery.apps.worker import Worker
seen = {}
def start(self):
    seen.update(hostname=self.hostname, concurrency=self.concurrency,
                pool=self.pool_cls.__name__, queues=sorted(self.app.amqp.queues.consume_from),
                loglevel=self.loglevel, without_gossip=self.options["without_gossip"],
                without_mingle=self.options["without_mingle"])
Worker.start = start
from stratus.cmd.worker import run_worker
run_worker("scheduler", ["scheduler"], 3, name="probe")
seen["loaded"] = sorted(m for m in ("flower", "tornado", "prompt_toolkit", "click_repl",
                                    "celery.bin.celery") if m in sys.modules)
print(json.dumps(seen))
"""


def test_a_worker_starts_with_its_options_and_without_the_celery_command_plugins():
    env = {"CELERY_TASK_ALWAYS_EAGER": "0", "STRATUS_BROKER_URL": "redis://127.0.0.1:1/0",
           "STRATUS_LOG_LEVEL": "WARNING"}
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                         timeout=60, env={**_base_env(), **env})
    assert out.returncode == 0, out.stderr
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["loaded"] == []
    assert seen["hostname"] == "scheduler@probe" and seen["concurrency"] == 3
    assert seen["pool"] == "TaskPool" and seen["queues"] == ["scheduler"]
    assert seen["loglevel"] == 30  # WARNING
    assert seen["without_gossip"] and seen["without_mingle"]


def _base_env():
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith(("STRATUS_", "CELERY_"))}
