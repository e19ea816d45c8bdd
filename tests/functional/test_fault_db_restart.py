"""The database stopped for a few seconds and started again in the middle
of a batch of builds: the cloud's own PostgreSQL cluster, `pg_ctl stop -m
fast` (every session ended, as a restart or failover does), then started
on the same port and data.

The conductor waits for its database with backoff and the compute host
retries its saves through the outage, so every instance settles, no
ERROR server keeps a running guest, no guest is orphaned and none is
placed twice."""
import time

import pytest

from tests.functional.fault_cloud import (BATCH, boot_batch, check_all_deleted,
                                          check_outcome, counts, figures_line, private_cloud,
                                          servers, wait_settled)

DOWNTIME = 4.0
SETTLE_TIMEOUT = 60


@pytest.fixture(scope="module")
def fault():
    with private_cloud(own_database=True) as c:
        yield c


def _mid_batch(c):
    found = servers(c) or {}
    states = {s["status"] for s in found.values()}
    if len(found) == BATCH and "BUILD" in states and (
            "ACTIVE" in states or any(s["OS-EXT-STS:task_state"] == "spawning"
                                      for s in found.values())):
        return found
    return None


def test_database_restarted_mid_batch(fault):
    c = fault
    boot_batch(c, "dbbounce")
    at_stop = c.wait_ready(lambda: _mid_batch(c), 60, "builds under way", 0.05)
    c.pg.stop()
    time.sleep(DOWNTIME)
    c.pg.start()
    restarted = time.monotonic()

    final = wait_settled(c, BATCH, SETTLE_TIMEOUT)
    settled = time.monotonic() - restarted
    figures = check_outcome(c, final)
    print(f"\ndb-restart: stopped {DOWNTIME:.0f}s at ({counts(at_stop)}); "
          f"{figures_line(figures)}; settled {settled:.1f}s after the restart")
    check_all_deleted(c)
