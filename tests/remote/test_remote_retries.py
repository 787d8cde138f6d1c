"""The retry rules: which failures may be sent again, and how long to wait first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from flowspec.remote import RetryPolicy
from flowspec.remote.retries import backoff, fate_of_status, may_retry

POLICY = RetryPolicy(attempts=5, backoff=1.0, max_wait=30.0, budget=60.0)


@pytest.mark.parametrize(
    ("fate", "replay", "allowed"),
    [
        ("not-delivered", "once", True),
        ("declined", "once", True),
        ("unknown", "once", False),
        ("unknown", "new-execution", True),
        ("unknown", "idempotent", True),
        ("unknown", "new-code", True),
    ],
)
def test_only_a_click_that_may_have_arrived_is_never_resent(
    fate: str, replay: str, allowed: bool
) -> None:
    """A next or an OTP verify is resent only when the server cannot have applied it; start,
    me and a test user's code request always."""
    assert may_retry(fate, replay) is allowed


@pytest.mark.parametrize(
    ("status", "fate"),
    [(429, "declined"), (503, "declined"), (502, "unknown"), (504, "unknown"), (500, None)],
)
def test_statuses_have_the_fate_they_prove(status: int, fate: str | None) -> None:
    """429/503 prove a refusal, 502/504 prove nothing, 500 is a final answer."""
    assert fate_of_status(status) == fate


def test_retry_after_seconds_are_honoured_up_to_max_wait() -> None:
    """Retry-After in seconds is the wait, capped by max_wait."""
    assert backoff(1, "2", POLICY) == 2.0
    assert backoff(1, "3600", POLICY) == 30.0


def test_retry_after_as_an_http_date_is_honoured() -> None:
    """Retry-After may be an HTTP date; the wait is the time until then."""
    moment = format_datetime(datetime.now(UTC) + timedelta(seconds=10), usegmt=True)
    assert 8.0 <= backoff(1, moment, POLICY) <= 10.0


@pytest.mark.parametrize("header", [None, "soon", "nan"])
def test_without_a_usable_retry_after_the_backoff_doubles_with_jitter(
    header: str | None,
) -> None:
    """Retry n waits between half and all of backoff * 2**(n-1), capped by max_wait."""
    assert 0.5 <= backoff(1, header, POLICY) <= 1.0
    assert 2.0 <= backoff(3, header, POLICY) <= 4.0
    assert 15.0 <= backoff(10, header, POLICY) <= 30.0
