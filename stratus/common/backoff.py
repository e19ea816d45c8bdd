"""Retrying through a short outage: exponential backoff bounded by a
window, the idea of oslo.db's wrap_db_retry written for our code.

The database (in the conductor) and the conductor itself (from a
compute host) come back within seconds after a restart or failover;
giving up at the first refused connection would fail work that a short
wait saves. A window bounds the wait, so a long outage still answers."""
import logging
import time

LOG = logging.getLogger(__name__)

FIRST_DELAY = 0.25
FACTOR = 2.0
MAX_DELAY = 4.0


def delays(first=FIRST_DELAY, factor=FACTOR, cap=MAX_DELAY):
    """The pauses between attempts: first, first*factor, ... up to cap."""
    delay = first
    while True:
        yield delay
        delay = min(delay * factor, cap)


class Deadline:
    """The end of a retry window, on the monotonic clock."""

    def __init__(self, seconds):
        self.at = time.monotonic() + max(0.0, seconds)

    def left(self):
        return self.at - time.monotonic()

    def allows(self, delay):
        """Whether a pause of `delay` still ends inside the window."""
        return delay <= self.left()


def retry(attempt, retryable, deadline, what, on_failure=None):
    """Run `attempt()` until it returns, pausing with growing delays after
    each error for which `retryable(exc)` is true while the `deadline`
    allows the pause; then the last error is raised. `on_failure(exc)`
    sees each retried error (a caller that must know whether an attempt
    may have landed)."""
    for delay in delays():
        try:
            return attempt()
        except Exception as exc:
            if not retryable(exc) or not deadline.allows(delay):
                raise
            LOG.warning("%s: %s; retrying in %.2fs", what, _first_line(exc), delay)
            if on_failure is not None:
                on_failure(exc)
            time.sleep(delay)


def _first_line(error):
    return (str(error).strip().splitlines() or [type(error).__name__])[0]
