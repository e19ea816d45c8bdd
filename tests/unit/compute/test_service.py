"""Starting compute in a process, the task wiring, and the database guard."""
import functools
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from stratus.common import exception
from stratus.common.celeryapp import app
from stratus.compute import service, tasks
from stratus.compute.manager import ComputeManager
from stratus.compute.rpcapi import ComputeAPI
from stratus.common.vocabulary import VmState

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def started(settings, conductor, compute_task, monkeypatch):
    """start_compute with managers talking to the fake conductor."""
    monkeypatch.setattr(service, "ComputeManager", functools.partial(
        ComputeManager, conductor_api=conductor, compute_task_api=compute_task))
    reporters = []

    def _start(hosts, periodic=False):
        reporters.extend(service.start_compute(hosts, "test:///default", periodic=periodic))
        return reporters
    yield _start
    service.stop_compute(reporters)


def test_start_compute_serves_each_host(started, conductor):
    reporters = started(["host-a", "host-b"])
    assert [tasks.manager_for(h).host for h in ("host-a", "host-b")] == ["host-a", "host-b"]
    assert [c["host"] for c in conductor.called("service_update")] == ["host-a", "host-b"]
    assert [c["host"] for c in conductor.called("compute_node_update")] == ["host-a", "host-b"]
    assert [r.manager.host for r in reporters] == ["host-a", "host-b"]


def test_stop_compute_stops_threads_and_serving(started):
    reporters = started(["host-a"], periodic=True)
    assert reporters[0]._thread.is_alive()
    service.stop_compute(reporters)
    assert not reporters[0]._thread.is_alive()
    with pytest.raises(exception.UnknownHost):
        tasks.manager_for("host-a")


def test_unknown_host():
    with pytest.raises(exception.UnknownHost) as err:
        tasks.manager_for("nowhere")
    assert "nowhere" in str(err.value)


def test_tasks_are_registered():
    assert {"compute.build_and_run_instance", "compute.terminate_instance"} <= set(app.tasks)


def test_rpc_reaches_the_host_manager(started, conductor, make_instance, image, ctxt):
    """ComputeAPI -> (eager) Celery task -> this host's manager."""
    [reporter] = started(["host-a"])
    instance = make_instance(host="host-a")
    conductor.add(instance)
    ComputeAPI().build_and_run_instance(ctxt, "host-a", instance, {"image": image}, [])
    assert conductor.instances[instance.uuid]["vm_state"] == VmState.ACTIVE
    assert reporter.manager.driver.instance_exists(instance)
    ComputeAPI().terminate_instance(ctxt, "host-a", instance)
    assert not reporter.manager.driver.instance_exists(instance)


def _python(code):
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=REPO,
                          env=dict(os.environ), capture_output=True, text=True, timeout=60)


def test_compute_modules_load_no_database():
    result = _python("""
        import sys
        import stratus.compute.service, stratus.compute.tasks
        print(sorted(m for m in sys.modules
                     if m.startswith(("sqlalchemy", "stratus.conductor.db"))))
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_forbid_database_refuses_imports():
    result = _python("""
        from stratus.compute.service import forbid_database
        forbid_database()
        import stratus.compute.tasks
        for name in ("sqlalchemy", "stratus.conductor.db.models"):
            try:
                __import__(name)
            except ImportError:
                print("refused", name)
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:2] == ["refused sqlalchemy",
                                             "refused stratus.conductor.db.models"]


def test_forbid_database_after_the_fact_is_an_error():
    result = _python("""
        import sqlalchemy
        from stratus.compute.service import forbid_database
        forbid_database()
    """)
    assert result.returncode != 0 and "RuntimeError" in result.stderr
