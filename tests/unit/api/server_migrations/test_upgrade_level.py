"""While the cloud is capped below compute RPC 1.3 (a rolling upgrade),
the actions that migrate or copy a server are refused with a 409 before
anything is saved; the others still run."""
import pytest

from stratus import config
from tests.unit.api.server_migrations import two_hosts as rs
from tests.unit.api.stack import act

MIGRATION_ACTIONS = [{"resize": {"flavorRef": "big"}}, {"migrate": None},
                     {"os-migrateLive": {"host": None, "block_migration": "auto"}},
                     {"evacuate": {}}, {"createImage": {"name": "snap"}}, {"shelve": None},
                     {"rebuild": {"imageRef": "same"}}]


@pytest.fixture
def capped(monkeypatch):
    monkeypatch.setenv("STRATUS_COMPUTE_RPC_VERSION_CAP", "1.2")
    config.reset_settings()
    yield
    monkeypatch.delenv("STRATUS_COMPUTE_RPC_VERSION_CAP")
    config.reset_settings()


@pytest.mark.parametrize("body", MIGRATION_ACTIONS, ids=lambda body: next(iter(body)))
def test_a_migration_above_the_cap_is_refused_before_anything_is_saved(client, server, flavors,
                                                                        capped, body):
    body = {name: _fill(value, flavors) for name, value in body.items()}
    before = rs.where(client, server)
    reply = act(client, server, body)
    assert reply.status_code == 409, reply.get_json()
    assert reply.get_json() == {"conflictingRequest": {
        "code": 409, "message": "RPC version 1.3 is above the cap 1.2 for compute."}}
    assert rs.where(client, server) == before == (before[0], "ACTIVE", None, "mv.small")
    assert rs.migrations(client, server) == []
    assert rs.claims(server) == {before[0]: (1, 64)}


def test_power_actions_still_run_under_the_cap(client, server, capped):
    assert act(client, server, {"os-stop": None}).status_code == 202
    assert rs.where(client, server)[1] == "SHUTOFF"


def _fill(value, flavors):
    if isinstance(value, dict) and value.get("flavorRef") == "big":
        return {"flavorRef": flavors["big"]}
    if isinstance(value, dict) and value.get("imageRef") == "same":
        return {"imageRef": _image()}
    return value


def _image():
    from stratus.common.context import get_admin_context
    from stratus.conductor.rpcapi import ConductorAPI

    return ConductorAPI().image_get_all(get_admin_context(), {})[0].id
