"""Tokens follow their user: a token is honoured only while its user is
enabled and still holds every role the token carries on its project (a
disabled or deleted user, or a role taken back, ends it: Keystone revokes
such tokens too).

The answer comes from the conductor (token_roles) and is kept per user
and project for STRATUS_TOKEN_RECHECK_SECONDS, so a change reaches every
api process within that time without a round trip on every request.

Whether a token was revoked is kept as long, per token: a revoke through
this process counts at once, one through another api process within that
time (keystonemiddleware's token cache delays a revoke up to its
token_cache_time, 300 s by default, in Nova)."""
import logging
import threading
import time

from stratus.api import common
from stratus.config import get_settings

LOG = logging.getLogger(__name__)
# Past this many entries the expired ones are dropped (and, if that is not
# enough, all): the cache stays small however many users come and go.
_MAX_ENTRIES = 4096
_RECHECK_SINCE = "1.4"


class TTLCache:
    """A thread-safe {key: value} whose entries expire after `ttl` s."""

    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()
        self._entries = {}

    def get(self, key):
        """(True, value) for a live entry, else (False, None)."""
        with self._lock:
            found = self._entries.get(key)
        if found is None or found[0] <= self._clock():
            return False, None
        return True, found[1]

    def put(self, key, value, ttl):
        now = self._clock()
        with self._lock:
            if len(self._entries) >= _MAX_ENTRIES:
                self._entries = {k: v for k, v in self._entries.items() if v[0] > now}
                if len(self._entries) >= _MAX_ENTRIES:
                    self._entries.clear()
            self._entries[key] = (now + ttl, value)

    def clear(self):
        with self._lock:
            self._entries.clear()


CACHE = TTLCache()


def current_roles(token, ctxt):
    """The roles the token's user holds on its project now (cached)."""
    key = (token.user_id, token.project_id)
    hit, roles = CACHE.get(key)
    if hit:
        return roles
    roles = frozenset(common.conductor().token_roles(ctxt, token.user_id, token.project_id))
    ttl = get_settings().token_recheck_seconds
    if ttl > 0:
        CACHE.put(key, roles, ttl)
    return roles


def _revoked_key(token_id):
    return ("revoked", token_id)


def revoked(token, ctxt):
    """Whether the token was revoked (cached)."""
    hit, answer = CACHE.get(_revoked_key(token.id))
    if hit:
        return answer
    answer = bool(common.conductor().token_revoked(ctxt, token.id))
    _remember(token.id, answer)
    return answer


def _remember(token_id, answer):
    ttl = get_settings().token_recheck_seconds
    if ttl > 0:
        CACHE.put(_revoked_key(token_id), answer, ttl)


def remember_revoked(token):
    """This process revoked the token: refuse it from now on, not after
    the cached answer expires."""
    _remember(token.id, True)


def still_entitled(token, ctxt):
    """Whether the token's user may still act with its roles on its project."""
    conductor = common.conductor()
    if not conductor.can_send_version(_RECHECK_SINCE):
        # Conductors capped below 1.4 (a rolling upgrade) cannot answer:
        # tokens are honoured as before until the cap is lifted.
        return True
    roles = current_roles(token, ctxt)
    # Empty: the user or project is gone or disabled, whatever the token says.
    return bool(roles) and set(token.roles) <= roles
