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
    done = subprocess.run([str(lint), str(ROOT / ".importlinter")], cwd=ROOT,
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


# One module per rule, each breaking exactly that rule: the contracts are
# whitelists, so a module nobody listed is caught.
_PROBES = {
    "compute/probe_database.py": "import sqlalchemy\n",
    "api/probe_conductor.py": "from stratus.conductor import manager\n",
    "scheduler/probe_compute.py": "from stratus.compute import manager\n",
    "compute/probe_scheduler.py": "from stratus.scheduler import manager\n",
    "conductor/probe_cert.py": "from stratus.cert import authority\n",
    "compute/probe_consoleauth.py": "from stratus.consoleauth import manager\n",
    "novncproxy/probe_api.py": "from stratus.api import policy\n",
    "api/probe_proxy.py": "from stratus.novncproxy import security\n",
    "conductor/probe_celery.py": "import celery\n",
    "common/probe_role.py": "from stratus.compute import rpcapi\n",
}


def test_a_probe_module_breaking_each_rule_breaks_its_contract(tmp_path):
    import configparser
    import shutil

    shutil.copytree(ROOT / "stratus", tmp_path / "stratus", symlinks=True,
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "config", tmp_path / "config",
                    ignore=shutil.ignore_patterns("__pycache__"))
    for path, source in _PROBES.items():
        (tmp_path / "stratus" / path).write_text(source)
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint), "--no-cache", str(ROOT / ".importlinter")], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, PYTHONPATH=str(tmp_path)))
    assert done.returncode == 1, done.stdout + done.stderr
    contracts = configparser.ConfigParser()
    contracts.read(ROOT / ".importlinter")
    names = [contracts[s]["name"] for s in contracts.sections() if s.startswith("importlinter:contract:")]
    report = " ".join(done.stdout.split())  # long names wrap
    assert all(f"{name} BROKEN" in report for name in names), done.stdout
    for path in _PROBES:
        assert "stratus." + path[:-3].replace("/", ".") in report, path


@pytest.mark.parametrize("role", ["compute", "conductor", "scheduler", "cert", "consoleauth"])
def test_an_rpcapi_stub_loads_nothing_of_any_role(role):
    """Anyone may import a role's rpcapi, so it must bring no role's
    internals with it: only the shared spine and the settings."""
    probe = (f"import importlib, json, sys; importlib.import_module('stratus.{role}.rpcapi'); "
             "print(json.dumps(sorted(m for m in sys.modules if m.startswith('stratus.'))))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, env=dict(os.environ))
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    allowed = ("stratus.common", "stratus.config", f"stratus.{role}")
    assert [m for m in loaded if not m.startswith(allowed)] == []
    assert [m for m in loaded if m.startswith(f"stratus.{role}.")] == [f"stratus.{role}.rpcapi"]
