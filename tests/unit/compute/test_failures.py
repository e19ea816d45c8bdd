"""The failure recorder: what a failure leaves (fault, Error event) and
when it leaves nothing."""
import pytest

from stratus.common import exception
from stratus.compute.failures import Failures, fault_of


class RecordingConductor:
    """The conductor calls a failure makes; instance_update raises `gone`."""

    def __init__(self, gone=None):
        self.calls = []
        self.gone = gone

    def instance_update(self, ctxt, uuid, values, expected_task_state=None, event=None):
        if self.gone:
            raise self.gone
        self.calls.append(("instance_update", values, expected_task_state, event))

    def instance_fault_create(self, ctxt, uuid, code, message, details=None, host=None):
        self.calls.append(("fault", code, message, details, host))

    def action_event_finish(self, ctxt, uuid, event, result, traceback=None, host=None):
        self.calls.append(("event", event, result, traceback, host))


def _failing(error):
    """Raise `error` and hand back the recorder's view from its handler."""
    def run(action):
        try:
            raise error
        except Exception as exc:
            return action(exc)
    return run


EVENT = {"event": "compute_stop_instance", "host": "h1", "task_id": "t1"}


def test_save_carries_the_error_event_with_the_save_then_the_fault():
    conductor = RecordingConductor()
    failures = Failures("h1", conductor)
    saved = _failing(RuntimeError("disk"))(
        lambda exc: failures.save(None, "u1", EVENT, exc, {"task_state": None}, "powering-off"))
    assert saved is True
    (_, values, expected, event), fault = conductor.calls
    assert (values, expected) == ({"task_state": None}, "powering-off")
    assert (event["result"], event["details"]) == ("Error", "RuntimeError")
    assert "RuntimeError: disk" in event["traceback"]
    assert fault[:3] == ("fault", 500, "RuntimeError") and fault[4] == "h1"
    assert "RuntimeError: disk" in fault[3]


@pytest.mark.parametrize("gone", [exception.InstanceNotFound(instance_id="u1"),
                                  exception.UnexpectedTaskStateError(
                                      instance_uuid="u1", expected=["a"], actual="b")])
def test_save_records_nothing_for_an_instance_gone_or_taken(gone):
    conductor = RecordingConductor(gone=gone)
    failures = Failures("h1", conductor)
    saved = _failing(RuntimeError("disk"))(
        lambda exc: failures.save(None, "u1", EVENT, exc, {"task_state": None}, None))
    assert saved is False
    assert conductor.calls == []


def test_an_expected_error_leaves_no_traceback_in_its_fault():
    conductor = RecordingConductor()
    error = exception.InstanceNotFound(instance_id="u1")
    _failing(error)(lambda exc: Failures("h1", conductor).record(None, "u1", "ev", exc))
    fault, event = conductor.calls
    assert fault == ("fault", error.code, error.message, None, "h1")
    assert event[:3] == ("event", "ev", "Error") and "InstanceNotFound" in event[3]


def test_a_message_of_the_callers_keeps_the_traceback_as_details():
    conductor = RecordingConductor()
    error = exception.InstanceNotFound(instance_id="u1")
    _failing(error)(lambda exc: Failures("h1", conductor).record(
        None, "u1", "ev", exc, message="Guest moved"))
    fault, _ = conductor.calls
    assert fault[1:3] == (error.code, "Guest moved")
    assert "InstanceNotFound" in fault[3]


def test_an_interrupted_operation_leaves_a_fault_and_no_event():
    conductor = RecordingConductor()
    Failures("h1", conductor).interrupted(None, "u1", "cut short")
    assert conductor.calls == [("fault", 500, "cut short", "cut short", "h1")]


def test_fault_of_names_a_foreign_error_by_its_class_only():
    assert fault_of(ValueError("secret path")) == (500, "ValueError")
