"""Periodic work of a role without Celery beat: one daemon thread runs a
few callables, each every so many rounds. A failed task is logged and
tried again next time: a conductor that is briefly away must not stop a
heartbeat for good."""
import logging
import threading

LOG = logging.getLogger(__name__)


def rounds_for(seconds, interval):
    """How many rounds of `interval` make `seconds` (at least one)."""
    return max(1, round(seconds / interval))


class PeriodicTasks:
    """Calls each of `tasks` ([(callable, every_n_rounds)]) on a thread,
    one round every `interval` seconds (the first after one interval)."""

    def __init__(self, name, interval, tasks):
        self.name = name
        self.interval = interval
        self.tasks = list(tasks)
        self.rounds = 0
        self._stop = threading.Event()
        self._thread = None

    def start(self):
        """Start the thread; returns self."""
        self._thread = threading.Thread(target=self._run, daemon=True, name=self.name)
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
        """One round: every task whose turn it is."""
        self.rounds += 1
        for task, every in self.tasks:
            if self.rounds % every == 0:
                self._guarded(task)

    def _guarded(self, task):
        try:
            task()
        except Exception:  # keep the thread alive; the next round retries
            LOG.exception("Periodic %s failed in %s", getattr(task, "__name__", task),
                          self.name)
