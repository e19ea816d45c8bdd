"""While the cloud is capped below compute RPC 1.3 (a rolling upgrade),
the actions that migrate or copy a server are refused with a 409 before
anything is saved; the others still run. Capped below conductor RPC 1.15,
moves wait in the conductor for the scheduler and the hosts, as the
older conductors do, rather than go on in continuations they lack."""
import pytest

from stratus import config
from stratus.common import rpc
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


def test_moves_under_a_conductor_cap_below_1_15_wait_as_older_conductors_do(
        client, server, flavors, monkeypatch):
    from stratus.conductor import tasks

    monkeypatch.setenv("STRATUS_CONDUCTOR_RPC_VERSION_CAP", "1.14")
    config.reset_settings()
    tasks._compute_task.cache_clear()  # a conductor started under the cap
    served = []
    dispatch = rpc.dispatch
    monkeypatch.setattr(rpc, "dispatch", lambda role, manager_for, method, *args, **kwargs: (
        served.append(method), dispatch(role, manager_for, method, *args, **kwargs))[1])
    try:
        source = rs.where(client, server)[0]
        assert act(client, server, {"resize": {"flavorRef": flavors["big"]}}).status_code == 202
        assert rs.where(client, server) == (rs.other(source), "VERIFY_RESIZE", None, "mv.big")
        assert act(client, server, {"confirmResize": None}).status_code == 204
        reply = act(client, server, {"os-migrateLive": {"host": None, "block_migration": "auto"}})
        assert reply.status_code == 202, reply.get_json()
        assert rs.where(client, server) == (source, "ACTIVE", None, "mv.big")
    finally:
        monkeypatch.delenv("STRATUS_CONDUCTOR_RPC_VERSION_CAP")
        config.reset_settings()
        tasks._compute_task.cache_clear()
    assert {"migrate_server", "check_can_live_migrate_destination"} <= set(served)
    assert not {"migrate_on_selection", "live_migrate_checked"} & set(served)
