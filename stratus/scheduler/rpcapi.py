"""Client side of the scheduler. Each method sends the version that
brought it, never above STRATUS_SCHEDULER_RPC_VERSION_CAP.

API version history:
    1.0 - select_destinations with claims and alternates.
    1.1 - check_host: re-run the filters on a server's own host (rebuild).
    1.2 - select_hosts: select_destinations without the claims (the
          conductor claims as it records the host), optionally on fresh
          host states.
"""
from stratus.config import get_settings
from stratus.common.rpc import RPCClient

RPC_VERSION = "1.2"


class SchedulerAPI:
    """What the conductor uses to pick hosts."""

    def __init__(self):
        self.client = RPCClient("scheduler", RPC_VERSION,
                                version_cap=get_settings().scheduler_rpc_version_cap)

    def select_destinations(self, ctxt, request_spec, instance_uuids, return_alternates=True,
                            reply_to=None):
        """For each instance, a list of Selections: the first is claimed,
        the rest (up to max_attempts - 1) are unclaimed alternates.

        Raises NoValidHost with the reason when one cannot be placed. With
        `reply_to` (a continuation from another rpcapi) nothing waits: the
        reply goes to that method as its `reply` argument."""
        return self._ask(ctxt, "1.0", "select_destinations", reply_to,
                         request_spec=request_spec, instance_uuids=instance_uuids,
                         return_alternates=return_alternates)

    def select_hosts(self, ctxt, request_spec, instance_uuids, return_alternates=True,
                     refresh=False, reply_to=None):
        """select_destinations with nothing claimed: for each instance, the
        chosen host and its alternates, for the caller to claim in that
        order. `refresh`: on host states read afresh. With `reply_to` the
        reply (or NoValidHost) goes to that method, nothing waiting."""
        return self._ask(ctxt, "1.2", "select_hosts", reply_to, request_spec=request_spec,
                         instance_uuids=instance_uuids, return_alternates=return_alternates,
                         refresh=refresh)

    def _ask(self, ctxt, version, method, reply_to, **kwargs):
        return self.client.prepare(version=version).ask(ctxt, method, reply_to, **kwargs)

    def can_send_version(self, version):
        """Whether the schedulers may be sent `version` (not while capped
        below it, during a rolling upgrade)."""
        return self.client.can_send_version(version)

    def check_host(self, ctxt, request_spec, host, reply_to):
        """Re-run the filters on `host`, where the server of `request_spec`
        runs (a rebuild with a new image): no claim, its own usage not held
        against it. The reply (True, or NoValidHost) goes to `reply_to`."""
        self.client.prepare(version="1.1").call_then(
            ctxt, "check_host", *reply_to, request_spec=request_spec, host=host)
