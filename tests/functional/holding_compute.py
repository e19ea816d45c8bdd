"""`stratus compute` whose builds wait before they start, for the
redelivery test: the worker has taken the message (unacknowledged, as
every message is until its task has run) but not yet claimed the
instance, as a worker does with a message its busy pool has not reached.
A SIGKILL in that window leaves the build queued (task_state scheduling)
and its message with the broker, which must hand it to the next worker.

This is test harness only (production has no such knob):

    STRATUS_FT_HOLD_SECONDS=30 python tests/functional/holding_compute.py compute --host NAME
"""
import functools
import logging
import os
import time

from stratus.compute.build import Build

LOG = logging.getLogger("holding_compute")
HOLD = float(os.environ.get("STRATUS_FT_HOLD_SECONDS", "30"))
_BUILD = Build.build_and_run_instance


@functools.wraps(_BUILD)  # keeps the endpoint's mark (rpc_since)
def _held_build(self, ctxt, instance, *args, **kwargs):
    LOG.warning("holding the build of %s for %ss (task %s)", instance.uuid, HOLD, ctxt.task_id)
    time.sleep(HOLD)
    return _BUILD(self, ctxt, instance, *args, **kwargs)


if __name__ == "__main__":
    from stratus.cmd.main import cli

    # Before the compute role's tasks module is imported (it exposes them).
    Build.build_and_run_instance = _held_build
    cli(prog_name="stratus")
