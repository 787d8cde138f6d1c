"""What every sign-in action shares: finding who is signing in, sending them something,
and signing them in.

Descope's actions read the login id from the screen's inputs: ``externalId`` (the
generic login-id input), else ``email`` or ``phone`` by channel, else ``loginId``.
"""

from __future__ import annotations

import secrets

from flowspec.engine.context import copy_json
from flowspec.engine.doubles import LINK_LIFETIME, OTP_LIFETIME, Channel, Message, Purpose
from flowspec.engine.model import Task
from flowspec.engine.state import RunState
from flowspec.engine.users import UserRecord

# The screen inputs that carry a login id, in the order Descope's actions read them.
LOGIN_ID_INPUTS = ("externalId", "email", "phone", "loginId")
CHANNEL_INPUT: dict[Channel, str] = {"email": "email", "sms": "phone"}


def login_id_from_form(state: RunState, channel: Channel) -> str:
    """The login id the screen sent, read as Descope's sign-in actions read it."""
    for key in ("externalId", CHANNEL_INPUT[channel], "loginId"):
        value = state.form.get(key)
        if value:
            return str(value).strip()
    return state.login_id


def identify(state: RunState, login_id: str) -> UserRecord | None:
    """Record who is signing in (``unauthUser``); the user, if the project knows them."""
    state.login_id = login_id
    state.unauth_user = state.directory.find(login_id) if login_id else None
    return state.unauth_user


def address_of(user: UserRecord | None, login_id: str, channel: Channel) -> str:
    """Where a message to this user goes: their email or phone, else the login id."""
    if user is not None:
        address = user.email if channel == "email" else user.phone
        if address:
            return address
    return login_id


def send(state: RunState, task: Task, channel: Channel, to: str, purpose: Purpose) -> Message:
    """Put an OTP code or a link in the outbox, as the project's mailer would send it."""
    now = state.clock()
    if purpose == "otp":
        secret, link, lifetime = f"{secrets.randbelow(10**6):06d}", "", OTP_LIFETIME
    else:
        secret = secrets.token_urlsafe(24)
        link, lifetime = f"https://{state.project_id}.localhost/verify?t={secret}", LINK_LIFETIME
    message = Message(
        channel=channel,
        to=to,
        purpose=purpose,
        secret=secret,
        link=link,
        sent_at=now,
        expires_at=now + lifetime,
        task_id=task.id,
        flow_id=state.flow_id,
    )
    state.doubles.outbox.append(message)
    state.screen_state["sentTo"] = {
        "maskedEmail" if channel == "email" else "maskedPhone": _mask(to)
    }
    return message


def sign_in(state: RunState, user: UserRecord, method: str, *, first_seen: bool = False) -> None:
    """The user proved who they are: they are the run's user from now on."""
    state.user = user
    state.unauth_user = None
    state.first_seen = state.first_seen or first_seen
    state.use_method(method)
    state.auth_info["firstSeen"] = state.first_seen
    # A snapshot: what the flow changes in the user later must not rewrite authInfo.user.
    state.auth_info["user"] = copy_json(state.directory.dynamic_values(user))


def _mask(address: str) -> str:
    """Descope shows a masked address on the screen: ``a***@acme.test``, ``+*******0123``."""
    if "@" in address:
        local, _, domain = address.partition("@")
        return f"{local[:1]}***@{domain}"
    return "+" + "*" * max(len(address) - 5, 0) + address[-4:]
