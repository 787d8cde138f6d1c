"""Descope's OTP verify endpoints: a code for a login id in, the user's JWTs out.

``POST /v1/auth/otp/verify/email`` and ``/v1/auth/otp/verify/sms`` take Descope's body
``{loginId, code}`` (the Python SDK's ``OTP.verify_code``: descope/authmethod/otp.py,
``_compose_verify_code_body`` in descope/authmethod/_otp_base.py) and answer Descope's JWT
response, which the SDK reads in descope/jwt_common.py (``generate_auth_info``,
``generate_jwt_response``). With ``/v1/mgmt/tests/generate/otp`` this is how a test obtains
a real refresh JWT for a named test user, from a real project as from ``flowspec serve``.

Nothing here re-states the engine's rules; it runs the engine's own code on a run state of
its own that shares the server's users and doubles:

- which code is valid is :func:`~flowspec.engine.actions.delivery.redeem`'s rule, as for
  a flow's OTP verify: only the newest OTP message to the user's address counts, once,
  and until it expires. Generated codes and codes a flow sent sit in the same outbox, so
  each supersedes the other, as a resend does;
- a right code signs the user in as a flow's verify does
  (:func:`~flowspec.engine.actions.delivery.complete`): the address is proved, and the
  method (``email`` or ``sms``) becomes the ``amr`` claim;
- the tokens are minted by the ``logged-in`` action itself, so their claims are the ones a
  flow ending in ``logged-in`` would issue (roles, permissions and tenants from the
  directory, ``tu`` for a test user).

Only a user the project has can verify: Descope generates codes only for its test users,
and a verify endpoint that signed up whoever asked would grow the directory behind the
scenarios' backs. A refused code answers 401 ``FS40100`` with the reason (wrong or
superseded, used, expired); no message quotes the code or a token.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any, Final

from flowspec.engine.actions.authentication import address_of
from flowspec.engine.actions.delivery import Delivery, complete, redeem, refusal
from flowspec.engine.actions.session import logged_in
from flowspec.engine.doubles import Channel, Doubles
from flowspec.engine.model import Task
from flowspec.engine.state import RunState
from flowspec.engine.users import Directory
from flowspec.identity import TokenIssuer
from flowspec.serve.problems import UNAUTHORIZED, WireError
from flowspec.serve.sessions import jwt_response

ROUTE_PREFIX: Final = "/v1/auth/otp/verify/"
#: The delivery methods served, by the outbox channel each one verifies.
CHANNELS: Final[tuple[Channel, ...]] = ("email", "sms")

# The task the logged-in action is told it runs in; it reads nothing of it.
_TASK: Final = Task(id="otp-verify", name="OTP verify", type="automated", action="logged-in")


def verify_otp(
    doubles: Doubles,
    directory: Directory,
    issuer: TokenIssuer,
    project_id: str,
    login_id: str,
    code: str,
    channel: Channel,
    clock: Callable[[], float] = time.time,
) -> dict[str, Any]:
    """Use ``code`` for ``login_id`` by ``channel``; Descope's JWT response, or a 401."""
    user = directory.find(login_id)
    if user is None:
        raise WireError(
            UNAUTHORIZED,
            f"no user of this project has the login id {login_id!r}: codes are verified "
            "for the project's users only (the test world's users.yaml)",
        )
    state = RunState(
        flow_id="",
        execution_id=uuid.uuid4().hex,
        directory=directory,
        issuer=issuer,
        project_id=project_id,
        clock=clock,
        doubles=doubles,
    )
    delivery = Delivery("sign-in", login_id, address_of(user, login_id, channel), "otp", user)
    verdict = redeem(state, delivery, code.strip())
    if verdict != "valid":
        refused = refusal(verdict, f"{channel} code", "InvalidOTPCode", "OTPExpired")
        raise WireError(
            UNAUTHORIZED, f"{refused.name}: {refused.description} (login id {login_id!r})"
        )
    signed = complete(state, delivery, channel, channel)
    issued = logged_in(state, _TASK) if signed.succeeded else signed
    if not issued.succeeded:
        raise WireError(UNAUTHORIZED, f"{issued.name}: {issued.description}")
    if state.tokens is None or state.user is None:
        raise RuntimeError("the logged-in action issued no tokens")
    return jwt_response(
        state.tokens.session_jwt,
        state.tokens.refresh_jwt,
        state.user,
        issuer,
        directory,
        first_seen=state.first_seen,
    )
