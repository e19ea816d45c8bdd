"""The architecture as tests: import-linter contracts, the runtime DB ban
on compute and scheduler, and rpcapi stubs matching manager methods."""
import inspect
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def test_import_linter_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint), "--config", str(ROOT / ".importlinter")], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("module", ["stratus.cmd.compute", "stratus.cmd.scheduler",
                                    "stratus.compute.tasks", "stratus.scheduler.tasks",
                                    "stratus.cmd.cert", "stratus.cert.tasks",
                                    "stratus.cmd.consoleauth", "stratus.consoleauth.tasks",
                                    "stratus.novncproxy.server"])
def test_role_entry_modules_load_no_sqlalchemy(module):
    probe = (f"import importlib, json, sys; importlib.import_module({module!r}); "
             "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'sqlalchemy'"
             " or m.startswith('stratus.conductor.db'))))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, env=dict(os.environ))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def _stubs(cls):
    return {name: inspect.signature(fn) for name, fn in inspect.getmembers(cls, inspect.isfunction)
            if not name.startswith("_")}


def _pairs():
    from stratus.compute.manager import ComputeManager
    from stratus.compute.rpcapi import ComputeAPI
    from stratus.conductor.manager import ComputeTaskManager, ConductorManager
    from stratus.conductor.rpcapi import ComputeTaskAPI, ConductorAPI
    from stratus.scheduler.manager import SchedulerManager
    from stratus.scheduler.rpcapi import SchedulerAPI
    from stratus.cert.manager import CertManager
    from stratus.cert.rpcapi import CertAPI
    from stratus.consoleauth.manager import ConsoleAuthManager
    from stratus.consoleauth.rpcapi import ConsoleAuthAPI

    return [(ConductorAPI, ConductorManager), (ComputeTaskAPI, ComputeTaskManager),
            (SchedulerAPI, SchedulerManager), (ComputeAPI, ComputeManager),
            (CertAPI, CertManager), (ConsoleAuthAPI, ConsoleAuthManager)]


def _params(sig, skip):
    return [p for p in list(sig.parameters)[1:] if p not in skip]


_NOT_MESSAGES = ("can_send_version", "continuation")


def test_every_rpcapi_method_has_a_registered_task():
    from stratus.common.celeryapp import app, load_roles

    load_roles()
    roles = {"ConductorAPI": "conductor", "ComputeTaskAPI": "conductor",
             "SchedulerAPI": "scheduler", "ComputeAPI": "compute", "CertAPI": "cert",
             "ConsoleAuthAPI": "consoleauth"}
    for stub_cls, _ in _pairs():
        for name in _stubs(stub_cls):
            if name not in _NOT_MESSAGES:
                assert f"{roles[stub_cls.__name__]}.{name}" in app.tasks, name


def test_every_rpcapi_method_has_a_manager_method_with_the_same_arguments():
    from stratus.common import endpoint

    for stub_cls, manager_cls in _pairs():
        managers = {name: inspect.signature(fn)
                    for name, fn in endpoint.functions(manager_cls).items()}
        for name, sig in _stubs(stub_cls).items():
            if name in _NOT_MESSAGES:
                continue
            assert name in managers, f"{manager_cls.__name__} lacks {name}"
            # Compute stubs take the target host, which picks the queue and
            # is not passed on to the manager.
            # `reply_to` is a transport option (a Celery chain), not an argument.
            stub_args = _params(sig, ({"host"} if stub_cls.__name__ == "ComputeAPI" else set())
                                | {"reply_to"})
            assert stub_args == _params(managers[name], set()), f"{stub_cls.__name__}.{name}"
