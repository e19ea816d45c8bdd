"""The Redis server stopped and started again in the middle of a batch of
boots: the workers reconnect by themselves and consume again, and every
instance reaches a final state (ACTIVE, or ERROR with a fault).

Redis is this cloud's own, append-only with an fsync per write, so the
messages queued when it stopped are there when it starts again. What is
lost are the replies of calls in flight: the result backend is the same
Redis, and a caller waiting on it sees its connection drop. Those builds
are failed by the build timeout and the task-state reaper (20 s here)."""
import time

import pytest

from tests.functional.fault_cloud import (BATCH, boot_batch, check_all_deleted,
                                          check_outcome, counts, figures_line, private_cloud,
                                          servers, wait_settled)

# Long enough for every worker to notice the broker is gone.
DOWNTIME = 2.0
SETTLE_TIMEOUT = 60


@pytest.fixture(scope="module")
def fault():
    with private_cloud() as c:
        yield c


def test_broker_restarted_mid_batch(fault):
    c = fault
    boot_batch(c, "bounce")
    at_stop = servers(c)
    c.redis.stop()
    time.sleep(DOWNTIME)
    c.redis.start()
    restarted = time.monotonic()
    # Checked once Redis runs again, so that a failure leaves a cloud the
    # fixture can take down.
    assert any(s["status"] == "BUILD" for s in at_stop.values()), \
        f"the batch was over before the broker stopped: {counts(at_stop)}"

    final = wait_settled(c, BATCH, SETTLE_TIMEOUT)
    settled = time.monotonic() - restarted
    figures = check_outcome(c, final)
    print(f"\nbroker-restart: stopped at ({counts(at_stop)}); {figures_line(figures)}; "
          f"settled in {settled:.1f}s after the restart")

    # Every role consumes again: a boot made after the restart goes through
    # the API, conductor, scheduler and compute to ACTIVE.
    boot_batch(c, "after", count=1)
    after = wait_settled(c, BATCH + 1, SETTLE_TIMEOUT)
    fresh = [s for s in after.values() if s["name"] == "after"]
    assert [s["status"] for s in fresh] == ["ACTIVE"], fresh
    check_all_deleted(c)
