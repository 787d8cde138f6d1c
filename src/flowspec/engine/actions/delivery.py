"""Sending and redeeming codes and links: what :mod:`otp`, :mod:`magiclink` and
:mod:`passwords` share.

A send action sends a code or a link and remembers in the run what it sent as a
:class:`Delivery`; the verify action that follows checks the secret against it:

- only the newest code or link sent to an address for one purpose is valid: a resend
  supersedes the earlier ones, as Descope does for OTP codes (for links it is inferred);
- a secret works once and only until it expires;
- a sign-up creates the user when the secret is verified, not when it is sent, so a
  sign-up nobody completes leaves no user behind; ``authInfo.firstSeen`` is then true;
- verifying proves the address: it becomes the user's email or phone, marked verified.

The error names here (``MissingLoginId``, ``UserNotFound``, ``UserAlreadyExists``,
``InvalidAddress``, ``NotLoggedIn``) are flowspec's: Descope's own names for these
outcomes are not public.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from flowspec.engine.actions.authentication import (
    CHANNEL_INPUT,
    address_of,
    identify,
    login_id_from_form,
    send,
    sign_in,
)
from flowspec.engine.actions.registry import Outcome, Pause
from flowspec.engine.context import copy_json
from flowspec.engine.doubles import Channel, Purpose
from flowspec.engine.model import Task
from flowspec.engine.state import RunState
from flowspec.engine.users import UserRecord

Mode = Literal["sign-in", "sign-up", "sign-up-or-in", "update"]
Verdict = Literal["valid", "wrong", "used", "expired"]

LINK_SLOT = "magic-link"
_ADDRESS_KIND: dict[Channel, str] = {"email": "an email address", "sms": "a phone number"}
_REACHABLE: dict[Channel, re.Pattern[str]] = {
    "email": re.compile(r"[^@\s]+@[^@\s]+"),
    "sms": re.compile(r"\+?[0-9]{6,15}"),
}


@dataclass(frozen=True)
class Delivery:
    """What a send task sent and why, kept in the run for the verify task that follows."""

    mode: Mode
    login_id: str
    to: str
    purpose: Purpose
    user: UserRecord | None
    add_to_login_ids: bool = False


def slot(purpose: Purpose, channel: Channel) -> str:
    """Where the run keeps a delivery: one per OTP channel, one for every kind of link."""
    return f"otp-{channel}" if purpose == "otp" else LINK_SLOT


def pending_delivery(state: RunState, key: str) -> Delivery | None:
    """The delivery the run keeps under ``key`` (see :func:`slot`), if any."""
    found = state.pending.get(key)
    return found if isinstance(found, Delivery) else None


def deliver(state: RunState, task: Task, channel: Channel, mode: Mode, purpose: Purpose) -> Outcome:
    """Send a code or link for ``mode`` and remember it; a named error if it cannot go out."""
    prepared = (
        _update_delivery(state, task, channel, purpose)
        if mode == "update"
        else _login_delivery(state, channel, mode, purpose)
    )
    if isinstance(prepared, Outcome):
        return prepared
    if not _REACHABLE[channel].fullmatch(prepared.to):
        return Outcome("InvalidAddress", f"{prepared.to!r} is not {_ADDRESS_KIND[channel]}")
    send(state, task, channel, prepared.to, purpose)
    state.pending[slot(purpose, channel)] = prepared
    return Outcome()


def send_link(state: RunState, task: Task, mode: Mode, purpose: Purpose) -> Outcome:
    """Email a link for ``mode`` and pause for the click, or fail with a named error."""
    sent = deliver(state, task, "email", mode, purpose)
    return Outcome(pause=Pause("poll", {})) if sent.succeeded else sent


def _login_delivery(
    state: RunState, channel: Channel, mode: Mode, purpose: Purpose
) -> Delivery | Outcome:
    login_id = login_id_from_form(state, channel)
    if not login_id and state.user is not None and state.user.login_ids:
        # A second factor for a user signed in by JWT: the form names nobody.
        login_id = state.user.login_ids[0]
    if not login_id:
        wanted = f"externalId or {CHANNEL_INPUT[channel]}"
        return Outcome("MissingLoginId", f"the form has no login id: fill in {wanted}")
    user = identify(state, login_id)
    if mode == "sign-in" and user is None:
        return Outcome("UserNotFound", f"no user has the login id {login_id!r}")
    if mode == "sign-up" and user is not None:
        return _taken(login_id)
    return Delivery(mode, login_id, address_of(user, login_id, channel), purpose, user)


def _update_delivery(
    state: RunState, task: Task, channel: Channel, purpose: Purpose
) -> Delivery | Outcome:
    user = state.user
    if user is None:
        return Outcome("NotLoggedIn", f"changing the {channel} address needs a signed-in user")
    current = user.email if channel == "email" else user.phone
    # Without a new address the flow is verifying the one the user already has.
    address = str(state.form.get(CHANNEL_INPUT[channel]) or current).strip()
    add = _is_on(task.arguments.get("addToLoginIDs"))
    owner = state.directory.find(address) if add and address else None
    if owner is not None and owner is not user:
        return _taken(address)
    return Delivery("update", address, address, purpose, user, add)


def _taken(login_id: str) -> Outcome:
    return Outcome("UserAlreadyExists", f"a user already has the login id {login_id!r}")


def _is_on(argument: Any) -> bool:
    return argument is True or str(argument).lower() == "true"


def redeem(state: RunState, delivery: Delivery, secret: str) -> Verdict:
    """Use ``secret`` if it is the newest one sent for ``delivery``, else say why not."""
    newest = state.doubles.last_message(delivery.to, delivery.purpose)
    if newest is None or not secret or newest.secret != secret:
        return "wrong"
    if newest.used:
        return "used"
    if not newest.usable_at(state.clock()):
        return "expired"
    newest.used = True
    return "valid"


def refusal(verdict: Verdict, what: str, invalid: str, expired: str) -> Outcome:
    """The named error for a secret that ``redeem`` refused."""
    if verdict == "expired":
        return Outcome(expired, f"the {what} expired; ask for a new one")
    if verdict == "used":
        return Outcome(invalid, f"the {what} was already used")
    return Outcome(invalid, f"the {what} is wrong or was replaced by a newer one")


def complete(state: RunState, delivery: Delivery, channel: Channel, method: str) -> Outcome:
    """The secret was right: the address is proved, and the user signed in unless updating."""
    user = delivery.user or state.directory.find(delivery.login_id)
    if user is not None and delivery.mode == "sign-up":
        # Somebody else signed up with this login id since the code was sent.
        return _taken(delivery.login_id)
    is_new = user is None
    if user is None:
        user = state.directory.create(delivery.login_id)
    _prove(user, channel, delivery)
    if delivery.mode != "update":
        sign_in(state, user, method, first_seen=is_new)
    elif "user" in state.auth_info:
        # Flows branch on authInfo.user.verifiedEmail after an update, as after a sign-in;
        # a snapshot, as sign_in keeps, so later changes to the user do not rewrite it.
        state.auth_info["user"] = copy_json(state.directory.dynamic_values(user))
    return Outcome()


def _prove(user: UserRecord, channel: Channel, delivery: Delivery) -> None:
    if channel == "email":
        user.email, user.verified_email = delivery.to, True
    else:
        user.phone, user.verified_phone = delivery.to, True
    if delivery.add_to_login_ids and delivery.to not in user.login_ids:
        user.login_ids.append(delivery.to)
