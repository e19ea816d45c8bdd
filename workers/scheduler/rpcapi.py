"""Client side of the scheduler.

API version history:
    1.0 - select_destinations with claims and alternates.
"""
from workers.rpc import RPCClient

RPC_VERSION = "1.0"


class SchedulerAPI:
    """What the conductor uses to pick hosts."""

    def __init__(self):
        self.client = RPCClient("scheduler", RPC_VERSION)

    def select_destinations(self, ctxt, request_spec, instance_uuids, return_alternates=True,
                            reply_to=None):
        """For each instance, a list of Selections: the first is claimed,
        the rest (up to max_attempts - 1) are unclaimed alternates.

        Raises NoValidHost with the reason when one cannot be placed. With
        `reply_to` (a continuation from another rpcapi) nothing waits: the
        reply goes to that method as its `reply` argument."""
        kwargs = {"request_spec": request_spec, "instance_uuids": instance_uuids,
                  "return_alternates": return_alternates}
        if reply_to is not None:
            self.client.call_then(ctxt, "select_destinations", *reply_to, **kwargs)
            return None
        return self.client.call(ctxt, "select_destinations", **kwargs)
