"""Passwords: sign in, replace an expired one, update, and send a reset link.

A user's password and whether it expired come from ``scenarios/users.yaml``
(``password``, ``passwordExpired``). A wrong password and an unknown login id give the
same ``InvalidCredentials``, so a flow cannot tell who exists; an expired password is
only reported to someone who typed it right. The reset link is a magic link of purpose
``password-reset``: its ``.end`` task in Descope's exports is ``verify-magic-link``,
which signs the user in for the ``password-update`` that follows.

``PasswordExpired`` is Descope's name (real exports route it with a custom rule);
``InvalidCredentials``, ``PasswordPolicyViolation`` and ``NotLoggedIn`` are flowspec's.
The only policy emulated is that a new password must not be blank.
"""

from __future__ import annotations

from flowspec.engine.actions.authentication import identify, login_id_from_form, sign_in
from flowspec.engine.actions.delivery import send_link
from flowspec.engine.actions.registry import REGISTRY, Outcome
from flowspec.engine.model import Task
from flowspec.engine.state import RunState
from flowspec.engine.users import UserRecord

_LOGIN_ID = ("form.externalId", "form.email", "form.loginId")
_SIGNED_IN = ("user", "authInfo.user", "authInfo.firstSeen")


def _owning_password(state: RunState, user: UserRecord | None) -> UserRecord | None:
    """``user``, if ``form.password`` is their password."""
    password = state.form.get("password")
    if user is not None and user.password is not None and password == user.password:
        return user
    return None


def _invalid_credentials() -> Outcome:
    return Outcome("InvalidCredentials", "the login id or the password is wrong")


def _policy_violation(new_password: object) -> Outcome | None:
    if isinstance(new_password, str) and new_password.strip():
        return None
    return Outcome("PasswordPolicyViolation", "the new password must not be blank")


def _set_password(user: UserRecord, new_password: str) -> None:
    user.password = new_password
    user.password_expired = False


def _sign_in_with_password(state: RunState) -> Outcome:
    user = _owning_password(state, identify(state, login_id_from_form(state, "email")))
    if user is None:
        return _invalid_credentials()
    if user.password_expired:
        return Outcome("PasswordExpired", "the password expired; the user must replace it")
    sign_in(state, user, "pwd")
    return Outcome()


@REGISTRY.action(
    "password-sign-in",
    reads=(*_LOGIN_ID, "form.password"),
    writes=("unauthUser", *_SIGNED_IN),
    errors=("InvalidCredentials", "PasswordExpired"),
)
def password_sign_in(state: RunState, task: Task) -> Outcome:
    """Sign in the user whose login id and ``form.password`` match; expired: PasswordExpired."""
    return _sign_in_with_password(state)


@REGISTRY.action(
    "password-sign-in-v2",
    reads=(*_LOGIN_ID, "form.password"),
    writes=("unauthUser", *_SIGNED_IN),
    errors=("InvalidCredentials", "PasswordExpired"),
)
def password_sign_in_v2(state: RunState, task: Task) -> Outcome:
    """Sign in by login id and ``form.password``, as ``password-sign-in`` (Descope's v2)."""
    return _sign_in_with_password(state)


@REGISTRY.action(
    "password-replace",
    reads=("unauthUser", *_LOGIN_ID, "form.password", "form.newPassword"),
    writes=(*_SIGNED_IN, "user.password"),
    errors=("InvalidCredentials", "PasswordPolicyViolation"),
)
def password_replace(state: RunState, task: Task) -> Outcome:
    """Swap the identified user's ``form.password`` for ``form.newPassword`` and sign them in."""
    identified = state.unauth_user or identify(state, login_id_from_form(state, "email"))
    user = _owning_password(state, identified)
    if user is None:
        return _invalid_credentials()
    new_password = state.form.get("newPassword")
    refused = _policy_violation(new_password)
    if refused is not None:
        return refused
    _set_password(user, str(new_password))
    sign_in(state, user, "pwd")
    return Outcome()


@REGISTRY.action(
    "password-update",
    reads=("user", "form.newPassword"),
    writes=("user.password",),
    errors=("NotLoggedIn", "PasswordPolicyViolation"),
)
def password_update(state: RunState, task: Task) -> Outcome:
    """Set the signed-in user's password (JWT or reset link) to ``form.newPassword``."""
    if state.user is None:
        return Outcome("NotLoggedIn", "setting a password needs a signed-in user or a reset link")
    new_password = state.form.get("newPassword")
    refused = _policy_violation(new_password)
    if refused is not None:
        return refused
    _set_password(state.user, str(new_password))
    return Outcome()


@REGISTRY.action(
    "password-send-reset",
    reads=_LOGIN_ID,
    writes=("unauthUser", "screen.state.sentTo", "flow.poll"),
    errors=("MissingLoginId", "UserNotFound", "InvalidAddress"),
    pauses=True,
)
def password_send_reset(state: RunState, task: Task) -> Outcome:
    """Email a known user a reset link and wait; ``verify-magic-link`` then signs them in."""
    return send_link(state, task, "sign-in", "password-reset")
