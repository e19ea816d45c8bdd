"""The heartbeat thread: rounds, resource refreshes, errors survived."""
import threading
import time

from stratus.compute.periodic import PeriodicReporter


class RecordingManager:
    host = "host-a"

    def __init__(self, fail=False):
        self.reports = 0
        self.updates = 0
        self.syncs = 0
        self.fail = fail
        self.reported = threading.Event()

    def report_state(self):
        self.reports += 1
        if self.reports >= 3:
            self.reported.set()
        if self.fail:
            raise RuntimeError("conductor away")

    def update_available_resource(self):
        self.updates += 1

    def sync_power_states(self):
        self.syncs += 1

    def offload_shelved_instances(self):
        self.offloads = getattr(self, "offloads", 0) + 1

    def reclaim_queued_deletes(self):
        self.reclaims = getattr(self, "reclaims", 0) + 1


def test_resources_every_few_heartbeats():
    manager = RecordingManager()
    reporter = PeriodicReporter(manager, interval=1, resource_every=6, sync_every=4)
    for _ in range(12):
        reporter.run_once()
    assert (manager.reports, manager.updates, manager.syncs) == (12, 2, 3)
    assert manager.offloads == 3  # shelved servers are looked at as often as power states
    assert manager.reclaims == 3  # and soft-deleted ones


def test_errors_do_not_stop_the_rounds():
    manager = RecordingManager(fail=True)
    reporter = PeriodicReporter(manager, interval=1, resource_every=1)
    reporter.run_once()
    reporter.run_once()
    assert (manager.reports, manager.updates) == (2, 2)


def test_thread_runs_until_stopped():
    manager = RecordingManager(fail=True)
    reporter = PeriodicReporter(manager, interval=0.01).start()
    assert manager.reported.wait(5)
    reporter.stop(timeout=5)
    assert not reporter._thread.is_alive()
    reports = manager.reports
    time.sleep(0.05)
    assert manager.reports == reports
