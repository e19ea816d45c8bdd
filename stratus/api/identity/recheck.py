"""Tokens follow their user: a token is honoured only while its user is
enabled and still holds every role the token carries on its project (a
disabled or deleted user, or a role taken back, ends it: Keystone revokes
such tokens too).

The answer comes from the conductor (token_roles) and is kept per user
and project for STRATUS_TOKEN_RECHECK_SECONDS, so a change reaches every
api process within that time without a round trip on every request."""
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
