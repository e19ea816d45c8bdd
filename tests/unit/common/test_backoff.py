"""Retry with exponential backoff within a window."""
import pytest

from stratus.common import backoff


class Down(Exception):
    pass


def _failing(times, error=Down):
    calls = []

    def attempt():
        calls.append(1)
        if len(calls) <= times:
            raise error("down")
        return "saved"
    return attempt, calls


def test_the_pauses_double_up_to_their_cap():
    pauses = backoff.delays()
    assert [next(pauses) for _ in range(7)] == [0.25, 0.5, 1.0, 2.0, 4.0, 4.0, 4.0]


def test_an_attempt_failing_a_few_times_then_succeeding_is_retried(fake_time):
    attempt, calls = _failing(3)
    seen = []
    result = backoff.retry(attempt, lambda exc: isinstance(exc, Down),
                           backoff.Deadline(20), "save", on_failure=seen.append)
    assert result == "saved" and len(calls) == 4
    assert fake_time.pauses == [0.25, 0.5, 1.0]
    assert [type(e) for e in seen] == [Down] * 3


def test_the_window_bounds_the_retries_and_the_last_error_is_raised(fake_time):
    attempt, calls = _failing(100)
    with pytest.raises(Down):
        backoff.retry(attempt, lambda exc: isinstance(exc, Down), backoff.Deadline(5), "save")
    # 0.25 + 0.5 + 1 + 2 = 3.75; the next pause (4) would end past 5 s.
    assert fake_time.pauses == [0.25, 0.5, 1.0, 2.0]
    assert len(calls) == 5


def test_a_window_of_zero_tries_once(fake_time):
    attempt, calls = _failing(1)
    with pytest.raises(Down):
        backoff.retry(attempt, lambda exc: True, backoff.Deadline(0), "save")
    assert len(calls) == 1 and fake_time.pauses == []


def test_an_error_that_is_not_an_outage_is_raised_at_once(fake_time):
    attempt, calls = _failing(1, ValueError)
    with pytest.raises(ValueError):
        backoff.retry(attempt, lambda exc: isinstance(exc, Down), backoff.Deadline(20), "save")
    assert len(calls) == 1 and fake_time.pauses == []
