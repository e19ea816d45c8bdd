"""A compute host's saves through a short outage.

Every state a compute host records (a build's end, a delete, a power
action, a fault) is a call to the conductor. When the database or the
broker is briefly out of reach, or a reply is lost, the call is retried
with backoff for save_retry_seconds instead of failing the operation:
the message that asked for it (acks_late) is acknowledged only once the
save landed or the window ran out."""
import logging

from stratus.common import backoff, exception
from stratus.config import get_settings

LOG = logging.getLogger(__name__)

# Outages, not answers: the conductor could not reach its database, the
# message could not be sent, or its reply never came.
OUTAGES = (exception.DatabaseUnavailable, exception.MessagingUnavailable,
           exception.MessagingTimeout)
# The states whose values tell whether an uncertain save landed.
STATES = ("vm_state", "task_state", "power_state")


def is_outage(exc):
    return isinstance(exc, OUTAGES)


class RetryingConductor:
    """The conductor's client for a compute host: the same methods, each
    retried through an outage within the window."""

    def __init__(self, conductor_api):
        self.api = conductor_api

    def _retry(self, name, attempt, on_failure=None):
        return backoff.retry(attempt, is_outage,
                             backoff.Deadline(get_settings().save_retry_seconds),
                             f"conductor.{name}", on_failure=on_failure)

    def __getattr__(self, name):
        method = getattr(self.api, name)
        if not callable(method):
            return method

        def retried(*args, **kwargs):
            return self._retry(name, lambda: method(*args, **kwargs))
        return retried

    def instance_update(self, ctxt, instance_uuid, values, *args, **kwargs):
        """The compare-and-swap save, retried. An attempt cut short may
        have landed, and then the next one meets its own result as a
        conflict: the save is done if the instance holds its states."""
        failed = []
        try:
            return self._retry("instance_update", lambda: self.api.instance_update(
                ctxt, instance_uuid, values, *args, **kwargs), failed.append)
        except exception.UnexpectedTaskStateError:
            if not failed:
                raise
            current = self._retry("instance_get",
                                  lambda: self.api.instance_get(ctxt, instance_uuid))
            if not _holds(current, values):
                raise
            LOG.info("Save of %s had landed before the outage cut its reply", instance_uuid)
            return current


def _holds(instance, values):
    states = [key for key in STATES if key in values]
    return bool(states) and all(getattr(instance, key) == values[key] for key in states)
