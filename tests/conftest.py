"""Test kinds by directory: tests/unit (no network, eager RPC, SQLite) and
tests/functional (real Redis, PostgreSQL and worker processes). Anything
else is refused."""
import os
import tempfile

import pytest

# Unit tests run every role in this process (local mode) on a throwaway
# SQLite file; set before any Stratus module reads its settings.
_STATE = tempfile.mkdtemp(prefix="stratus-test-")
os.environ.setdefault("STRATUS_STATE_DIR", _STATE)
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
os.environ.setdefault("STRATUS_DATABASE_URL", f"sqlite:///{_STATE}/unit.sqlite")


def pytest_collection_modifyitems(config, items):
    for item in items:
        path = str(item.fspath)
        if f"{os.sep}tests{os.sep}unit{os.sep}" in path:
            item.add_marker(pytest.mark.unit)
        elif f"{os.sep}tests{os.sep}functional{os.sep}" in path:
            item.add_marker(pytest.mark.functional)
        else:
            raise pytest.UsageError(f"{path}: tests live in tests/unit or tests/functional")
