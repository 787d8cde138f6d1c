"""One-time codes by email and SMS: sign in, sign up, sign up or in, verify, update the user.

A send action emails or texts a code; the verify action that follows checks ``form.code``
against it. Which code is valid, and what verifying does to the user, are the rules of
:mod:`delivery`, shared with magic links and password resets.

The error names ``InvalidOTPCode`` and ``OTPExpired`` (and those of :mod:`delivery`) are
flowspec's: Descope's own names for these outcomes are not public.
"""

from __future__ import annotations

from flowspec.engine.actions.delivery import (
    complete,
    deliver,
    pending_delivery,
    redeem,
    refusal,
    slot,
)
from flowspec.engine.actions.registry import REGISTRY, Outcome
from flowspec.engine.doubles import Channel
from flowspec.engine.model import Task
from flowspec.engine.state import RunState


def _verify(state: RunState, channel: Channel) -> Outcome:
    delivery = pending_delivery(state, slot("otp", channel))
    if delivery is None:
        return Outcome("InvalidOTPCode", f"no {channel} code was sent in this run")
    verdict = redeem(state, delivery, str(state.form.get("code") or "").strip())
    if verdict != "valid":
        return refusal(verdict, "code", "InvalidOTPCode", "OTPExpired")
    return complete(state, delivery, channel, channel)


_SENT = ("unauthUser", "screen.state.sentTo")
_SIGNED_IN = ("user", "authInfo.user", "authInfo.firstSeen")
_EMAIL_ID = ("form.externalId", "form.email", "form.loginId", "user.loginIds")
_PHONE_ID = ("form.externalId", "form.phone", "form.loginId", "user.loginIds")
_SIGN_IN_ERRORS = ("MissingLoginId", "UserNotFound", "InvalidAddress")
_SIGN_UP_ERRORS = ("MissingLoginId", "UserAlreadyExists", "InvalidAddress")
_EITHER_ERRORS = ("MissingLoginId", "InvalidAddress")
_UPDATE_ERRORS = ("NotLoggedIn", "UserAlreadyExists", "InvalidAddress")
_VERIFY_ERRORS = ("InvalidOTPCode", "OTPExpired", "UserAlreadyExists")


@REGISTRY.action("sign-in-otp-email", reads=_EMAIL_ID, writes=_SENT, errors=_SIGN_IN_ERRORS)
def sign_in_otp_email(state: RunState, task: Task) -> Outcome:
    """Email a code to a known user (the form's login id, else the signed-in user)."""
    return deliver(state, task, "email", "sign-in", "otp")


@REGISTRY.action("sign-in-otp-sms", reads=_PHONE_ID, writes=_SENT, errors=_SIGN_IN_ERRORS)
def sign_in_otp_sms(state: RunState, task: Task) -> Outcome:
    """Text a code to a known user's phone (the form's login id, else the signed-in user)."""
    return deliver(state, task, "sms", "sign-in", "otp")


@REGISTRY.action("sign-up-otp-email", reads=_EMAIL_ID, writes=_SENT, errors=_SIGN_UP_ERRORS)
def sign_up_otp_email(state: RunState, task: Task) -> Outcome:
    """Email a code to a login id nobody has yet; the verify creates the user."""
    return deliver(state, task, "email", "sign-up", "otp")


@REGISTRY.action("sign-up-otp-sms", reads=_PHONE_ID, writes=_SENT, errors=_SIGN_UP_ERRORS)
def sign_up_otp_sms(state: RunState, task: Task) -> Outcome:
    """Text a code to a phone login id nobody has yet; the verify creates the user."""
    return deliver(state, task, "sms", "sign-up", "otp")


@REGISTRY.action("sign-up-or-in-otp-email", reads=_EMAIL_ID, writes=_SENT, errors=_EITHER_ERRORS)
def sign_up_or_in_otp_email(state: RunState, task: Task) -> Outcome:
    """Email a code to any login id; the verify signs the user in, creating them if new."""
    return deliver(state, task, "email", "sign-up-or-in", "otp")


@REGISTRY.action("sign-up-or-in-otp-sms", reads=_PHONE_ID, writes=_SENT, errors=_EITHER_ERRORS)
def sign_up_or_in_otp_sms(state: RunState, task: Task) -> Outcome:
    """Text a code to any phone login id; the verify signs the user in, creating them if new."""
    return deliver(state, task, "sms", "sign-up-or-in", "otp")


@REGISTRY.action(
    "update-user-otp-email",
    reads=("user", "form.email"),
    writes=("screen.state.sentTo",),
    errors=_UPDATE_ERRORS,
)
def update_user_otp_email(state: RunState, task: Task) -> Outcome:
    """Email a code to the signed-in user's new address (``form.email``, else their own)."""
    return deliver(state, task, "email", "update", "otp")


@REGISTRY.action(
    "update-user-otp-sms",
    reads=("user", "form.phone"),
    writes=("screen.state.sentTo",),
    errors=_UPDATE_ERRORS,
)
def update_user_otp_sms(state: RunState, task: Task) -> Outcome:
    """Text a code to the signed-in user's new phone (``form.phone``, else their own)."""
    return deliver(state, task, "sms", "update", "otp")


@REGISTRY.action(
    "verify-code-otp-email",
    reads=("form.code",),
    writes=(*_SIGNED_IN, "user.email", "user.verifiedEmail"),
    errors=_VERIFY_ERRORS,
)
def verify_code_otp_email(state: RunState, task: Task) -> Outcome:
    """Check ``form.code`` against the newest email code of this run; sign in or verify."""
    return _verify(state, "email")


@REGISTRY.action(
    "verify-code-otp-sms",
    reads=("form.code",),
    writes=(*_SIGNED_IN, "user.phone", "user.verifiedPhone"),
    errors=_VERIFY_ERRORS,
)
def verify_code_otp_sms(state: RunState, task: Task) -> Outcome:
    """Check ``form.code`` against the newest SMS code of this run; sign in or verify."""
    return _verify(state, "sms")
