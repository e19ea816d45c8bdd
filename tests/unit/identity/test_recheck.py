"""Tokens follow their user: the api re-checks, at most every
STRATUS_TOKEN_RECHECK_SECONDS per user and project, that a token's user
is enabled and still holds the token's roles (real eager stack)."""
import pytest

from stratus import config
from stratus.api.identity import recheck
from stratus.common.context import get_admin_context
from stratus.conductor.rpcapi import ConductorAPI
from tests.unit.identity.test_api import TOKENS, auth_body, login, users  # noqa: F401


class Clock:
    """A monotonic clock the test moves."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    """The re-check cache on a clock of the test's, 5 s per entry."""
    monkeypatch.setenv("STRATUS_TOKEN_RECHECK_SECONDS", "5")
    config.reset_settings()
    ticking = Clock()
    monkeypatch.setattr(recheck, "CACHE", recheck.TTLCache(clock=ticking))
    yield ticking
    monkeypatch.undo()
    config.reset_settings()


def _status(client, token, path="/v2.1/flavors"):
    return client.get(path, headers={"X-Auth-Token": token}).status_code


def test_a_disabled_user_is_refused_once_the_cache_expires(anonymous, users, clock):
    token = login(anonymous, "alice", "alice-pw", "demo")
    assert _status(anonymous, token) == 200
    ConductorAPI().user_update(get_admin_context(), "alice", {"enabled": False})
    clock.now += 4.9
    assert _status(anonymous, token) == 200  # still cached: at most 5 s late
    clock.now += 0.2
    assert _status(anonymous, token) == 401
    assert anonymous.post(TOKENS, json=auth_body("alice", "alice-pw", "demo")).status_code == 401
    ConductorAPI().user_update(get_admin_context(), "alice", {"enabled": True})
    clock.now += 5.1
    assert _status(anonymous, token) == 200


def test_a_removed_role_ends_the_tokens_that_carry_it(anonymous, users, clock):
    api, ctxt = ConductorAPI(), get_admin_context()
    api.role_assignment_create(ctxt, "alice", "demo", "admin")
    as_admin = login(anonymous, "alice", "alice-pw", "demo")
    assert _status(anonymous, as_admin, "/v2.1/os-hypervisors") == 200
    api.role_assignment_delete(ctxt, "alice", "demo", "admin")
    clock.now += 5.1
    # A token that still says admin is refused; member is still hers.
    assert _status(anonymous, as_admin) == 401
    as_member = login(anonymous, "alice", "alice-pw", "demo")
    assert _status(anonymous, as_member) == 200
    assert _status(anonymous, as_member, "/v2.1/os-hypervisors") == 403
    api.role_assignment_delete(ctxt, "alice", "demo", "member")
    clock.now += 5.1
    assert _status(anonymous, as_member) == 401


def test_a_deleted_users_token_is_not_validated_either(anonymous, users, clock):
    admin = login(anonymous, "admin", "admin-pw", "admin")
    token = login(anonymous, "alice", "alice-pw", "demo")
    ConductorAPI().user_delete(get_admin_context(), "alice")
    clock.now += 5.1
    assert _status(anonymous, token) == 401
    shown = anonymous.get(TOKENS, headers={"X-Auth-Token": admin, "X-Subject-Token": token})
    assert shown.status_code == 404


def test_zero_seconds_rechecks_every_request(anonymous, users, monkeypatch):
    monkeypatch.setenv("STRATUS_TOKEN_RECHECK_SECONDS", "0")
    config.reset_settings()
    token = login(anonymous, "alice", "alice-pw", "demo")
    assert _status(anonymous, token) == 200
    ConductorAPI().user_update(get_admin_context(), "alice", {"enabled": False})
    assert _status(anonymous, token) == 401
    monkeypatch.undo()
    config.reset_settings()


def test_one_conductor_call_per_user_and_project_while_cached(anonymous, users, clock,
                                                              monkeypatch):
    calls = []
    real = ConductorAPI.token_roles
    monkeypatch.setattr(ConductorAPI, "token_roles",
                        lambda self, *args: calls.append(args[1:]) or real(self, *args))
    token = login(anonymous, "alice", "alice-pw", "demo")
    for _ in range(3):
        assert _status(anonymous, token) == 200
    assert len(calls) == 1
    clock.now += 5.1
    assert _status(anonymous, token) == 200 and len(calls) == 2


def test_under_a_conductor_cap_below_1_4_tokens_are_honoured(anonymous, users, monkeypatch):
    token = login(anonymous, "alice", "alice-pw", "demo")
    ConductorAPI().user_update(get_admin_context(), "alice", {"enabled": False})
    monkeypatch.setenv("STRATUS_CONDUCTOR_RPC_VERSION_CAP", "1.3")
    config.reset_settings()
    assert _status(anonymous, token) == 200  # an older conductor cannot be asked
    monkeypatch.undo()
    config.reset_settings()


def test_the_cache_stays_bounded(monkeypatch):
    clock = Clock()
    cache = recheck.TTLCache(clock=clock)
    monkeypatch.setattr(recheck, "_MAX_ENTRIES", 3)
    for key in "abc":
        cache.put(key, key, ttl=1)
    clock.now += 2
    cache.put("d", "d", ttl=10)  # full: the expired entries go
    assert cache.get("d") == (True, "d") and len(cache._entries) == 1
    for key in "efg":
        cache.put(key, key, ttl=10)  # full of live ones: all go
    assert len(cache._entries) <= 3 and cache.get("g") == (True, "g")
