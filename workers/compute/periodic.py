"""Periodic work of a compute host without Celery beat: a daemon thread
that heartbeats every report_interval and refreshes the host's resources
every few heartbeats. A failed round is logged and the next one tried:
a conductor that is briefly away must not stop the heartbeat for good."""
import logging
import threading

from config import get_settings

LOG = logging.getLogger(__name__)

# Resources change rarely (a host is resized, a disk grows); heartbeats
# matter every interval because they decide whether the host is up.
RESOURCE_EVERY = 6


class PeriodicReporter:
    """Calls manager.report_state every `interval` seconds and
    manager.update_available_resource every RESOURCE_EVERY rounds."""

    def __init__(self, manager, interval=None, resource_every=RESOURCE_EVERY):
        self.manager = manager
        self.interval = interval or get_settings().report_interval
        self.resource_every = resource_every
        self.rounds = 0
        self._stop = threading.Event()
        self._thread = None

    def start(self):
        """Start the thread (the first round comes after one interval)."""
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name=f"compute-periodic-{self.manager.host}")
        self._thread.start()
        return self

    def stop(self, timeout=None):
        """Ask the thread to end and wait for it."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self):
        while not self._stop.wait(self.interval):
            self.run_once()

    def run_once(self):
        """One round: heartbeat, and resources every `resource_every`."""
        self.rounds += 1
        self._guarded(self.manager.report_state)
        if self.rounds % self.resource_every == 0:
            self._guarded(self.manager.update_available_resource)

    def _guarded(self, task):
        try:
            task()
        except Exception:  # keep the thread alive; the next round retries
            LOG.exception("Periodic %s failed on %s", task.__name__, self.manager.host)
