"""When a failed call may be sent again, and how long to wait first.

A retry is allowed only where it cannot apply an interaction twice. What a failure proves
about the server is its :data:`Fate`; what a second copy of the request would do is its
:data:`Replay`; :func:`may_retry` joins the two, and each case below says how its safety
is known.

Fates:

``not-delivered``
    The server never held a complete request: the connection was refused or not made in
    time (connect error, connect or pool timeout), or sending the request failed or timed
    out before all of it left (write error or timeout). HTTP/1.1 frames a body by its
    ``Content-Length``, so a server cannot act on a request whose bytes did not all arrive.
``declined``
    The server answered 429 or 503: it refused the request instead of handling it.
    RFC 6585 section 4 defines 429 as a request rejected for its rate, and RFC 9110
    section 15.6.4 defines 503 as the server being unable to handle the request; both
    may name a ``Retry-After``, an invitation to send the same request again. That
    Descope's rate limiter refuses before the flow engine acts is inferred from this
    (descope-facts.md says only that its 429 carries ``Retry-After``); ``docs/wire.md``
    makes it a rule for ``flowspec serve``: never a 429 or 503 after applying a request.
``unknown``
    The request arrived and the answer was lost: a read timeout, the connection broken
    before or while the response came back, headers still trickling in when the call's
    budget ran out, or a gateway's 502 or 504 (a proxy reports that the service behind it
    failed or was too slow, and cannot say whether it acted). The server may have applied
    the request.

Any other status (400, 401, 404, 500, ...) is an answer, not a transient failure, and is
never retried: a 500 may come after the server acted, and repeating a bad request repeats
its answer.

Replays:

``idempotent``
    ``GET /v1/auth/me`` and ``POST /v2/mgmt/flow/export`` read and change nothing: every
    fate may be retried. ``POST /v1/mgmt/flowspec/reset`` changes the served world, but to
    the same state however often it is applied, and the client sends nothing else while it
    waits: a second copy after a lost answer finds nothing left to forget.
``new-execution``
    ``POST /v1/flow/start`` is not idempotent, since each start creates an execution, but a
    second start cannot apply an interaction twice: the start carries no interaction, the
    retry creates a fresh execution, and the client only ever continues the execution whose
    response it received. One the lost attempt may have created is never continued and
    expires on the server. So ``unknown`` is retried too. The one repetition this allows is
    of the automated tasks a flow runs before its first screen (a lookup, or a code sent
    twice), never of a click.
``once``
    ``POST /v1/flow/next`` applies a click. After an ``unknown`` fate the click may have been
    applied, and a second copy could apply it again (a second code sent, a factor enrolled
    twice, or the next screen's button pressed by an answer meant for this one), so only
    ``not-delivered`` and ``declined`` are retried.

    ``POST /v1/auth/otp/verify/<method>`` is ``once`` too. A code works once: a verify
    that reached the server may have used it, and then a second copy cannot succeed; it
    would be refused as a wrong or used code, an error that blames the code for what the
    network did. (On a project that let a code work twice, it would open a second session.)
    The way on after a lost verify is a new code, which is a new request, not a copy of
    this one: the caller asks for one and verifies it (calling
    ``RemoteRunner.test_user_refresh_jwt`` again does both). Doing that here, unasked,
    would hide a server that fails after acting.
``new-code``
    ``POST /v1/mgmt/tests/generate/otp`` is not idempotent, since each call issues a new
    code, but a second call cannot apply anything twice: the newest code for a login id
    supersedes the earlier ones (Descope's rule for OTP codes, and
    ``flowspec.engine.actions.delivery``'s), and the client verifies only the code whose
    answer it received. A code the lost attempt may have issued is superseded and never
    used, as a lost start's execution is never continued. So ``unknown`` is retried too.

    ``POST /v1/mgmt/flowspec/sign-in``, flowspec serve's generate and verify in one call,
    is ``new-code`` as well: each copy issues a newer code and uses it at once, so a
    second copy after a lost answer signs the user in again with effects the first
    already had (the address proved, tokens minted), and the tokens the lost answer held
    are never used, as a lost code is never verified.

    A start carrying that sign-in as its ``X-Flowspec-Sign-In`` header is ``new-execution``,
    and the sign-in adds nothing to weigh: a second copy signs the user in again, as a
    second sign-in call would, and starts a fresh execution with the new tokens; the lost
    copy's tokens and execution are never used.

A reset riding on a request as its ``X-Flowspec-Reset`` header (``docs/wire.md``) adds
nothing to weigh: a second copy of the request resets again before it is handled, which
finds nothing left to forget but what the lost copy may have done, and that the client
never continues.
"""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Final, Literal

from flowspec.remote.settings import RetryPolicy

__all__ = ["Fate", "Replay", "backoff", "fate_of_status", "may_retry"]

Fate = Literal["not-delivered", "declined", "unknown"]
Replay = Literal["idempotent", "new-execution", "new-code", "once"]

_SAFE: Final[dict[Replay, frozenset[Fate]]] = {
    "idempotent": frozenset({"not-delivered", "declined", "unknown"}),
    "new-execution": frozenset({"not-delivered", "declined", "unknown"}),
    "new-code": frozenset({"not-delivered", "declined", "unknown"}),
    "once": frozenset({"not-delivered", "declined"}),
}
_STATUS_FATES: Final[dict[int, Fate]] = {
    429: "declined",
    503: "declined",
    502: "unknown",
    504: "unknown",
}


def fate_of_status(status: int) -> Fate | None:
    """What a status proves about the request, or None for a final answer."""
    return _STATUS_FATES.get(status)


def may_retry(fate: Fate, replay: Replay) -> bool:
    """True when sending the request again cannot apply an interaction twice."""
    return fate in _SAFE[replay]


def backoff(retry: int, retry_after: str | None, policy: RetryPolicy) -> float:
    """Seconds to wait before retry number ``retry`` (1 for the first retry).

    The server's ``Retry-After`` wins when it parses; otherwise exponential backoff with
    jitter, so that parallel scenarios rate-limited together do not retry together.
    Either way the wait is capped at ``policy.max_wait``.
    """
    asked = _retry_after_seconds(retry_after)
    if asked is not None:
        return min(asked, policy.max_wait)
    ceiling = min(policy.backoff * 2 ** (retry - 1), policy.max_wait)
    return random.uniform(ceiling / 2, ceiling)


def _retry_after_seconds(value: str | None) -> float | None:
    """``Retry-After`` as seconds: a number of seconds, or an HTTP date (RFC 9110 10.2.3)."""
    if value is None:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        seconds = (moment - datetime.now(UTC)).total_seconds()
    if not math.isfinite(seconds):
        return None
    return max(seconds, 0.0)
