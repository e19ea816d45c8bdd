"""Recording why an operation failed on a compute host (Nova's
wrap_instance_fault and wrap_instance_event): a warning in the log, an
instance fault and the action's event finished "Error".

Call these from the `except` block that handles the failure: the
traceback recorded is the one being handled."""
import logging
import traceback

from stratus.common import exception
from stratus.common.vocabulary import CAS_CONFLICT

LOG = logging.getLogger(__name__)


def fault_of(exc):
    """(code, message) as Nova's exception_to_dict: our own exceptions say
    what happened; anything else is named by its class only."""
    if isinstance(exc, exception.StratusException):
        return (exc.code if isinstance(exc.code, int) else 500), exc.message
    return 500, type(exc).__name__


class Failures:
    """The failure recorder of one compute host.

    A fault's details are the traceback only for an unexpected error
    (code 500): an expected one says all in its message, and users read
    faults."""

    def __init__(self, host, conductor_api):
        self.host = host
        self.conductor_api = conductor_api

    def save(self, ctxt, uuid, event, exc, values, expected_task_state):
        """Save the failed step's `values` with a compare-and-swap on
        `expected_task_state` that also finishes `event` (a host event,
        {"event": name, ...}) "Error", then create the fault. Nothing is
        recorded when the instance went away or another task took it
        meanwhile; whether it was saved."""
        LOG.warning("%s of %s failed on %s: %s", event["event"], uuid, self.host, exc)
        tb = traceback.format_exc()
        code, message = fault_of(exc)
        try:
            self.conductor_api.instance_update(
                ctxt, uuid, values, expected_task_state=expected_task_state,
                event=dict(event, result="Error", traceback=tb, details=message))
        except CAS_CONFLICT as gone:
            LOG.info("Instance %s went away during its failed %s: %s", uuid,
                     event["event"], gone)
            return False
        self._fault(ctxt, uuid, code, message, tb if code == 500 else None)
        return True

    def record(self, ctxt, uuid, event, exc, message=None):
        """For a failure whose states the caller has saved: the fault,
        then the event named `event` finished "Error". A `message` of the
        caller's replaces the error's own in the fault, whose details are
        then the traceback whatever the error (it is the only place left
        that says what the error was)."""
        LOG.warning("%s of %s failed on %s: %s", event, uuid, self.host, exc)
        tb = traceback.format_exc()
        code, own = fault_of(exc)
        details = tb if message is not None or code == 500 else None
        self._fault(ctxt, uuid, code, own if message is None else message, details)
        self.event_error(ctxt, uuid, event, tb)

    def event_error(self, ctxt, uuid, event, tb=None):
        """Finish the event named `event` "Error" with the traceback (by
        default the one being handled), and no fault: for a failure the
        caller hands on (a reschedule, or an error raised to its caller)."""
        self.conductor_api.action_event_finish(
            ctxt, uuid, event, "Error",
            traceback=traceback.format_exc() if tb is None else tb, host=self.host)

    def interrupted(self, ctxt, uuid, message):
        """A restart of this host cut an operation short: a warning and a
        fault, whose details are the message (there is no traceback)."""
        LOG.warning(message)
        self._fault(ctxt, uuid, 500, message, message)

    def _fault(self, ctxt, uuid, code, message, details):
        self.conductor_api.instance_fault_create(ctxt, uuid, code, message, details=details,
                                                 host=self.host)
