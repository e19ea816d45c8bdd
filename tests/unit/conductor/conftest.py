"""The conductor's endpoints through the real RPC path (eager, SQLite)."""
import pytest

from stratus.conductor.rpcapi import ConductorAPI


@pytest.fixture
def conductor(db):
    from stratus.common.celeryapp import load_roles

    load_roles("conductor")


@pytest.fixture
def api(conductor):
    return ConductorAPI()
