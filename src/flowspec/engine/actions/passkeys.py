"""Passkey actions: the WebAuthn ceremonies, answered by the scenario's virtual authenticator.

Every ceremony is two tasks. The start pauses with ``flow.action`` ``webauthnCreate`` (a
new passkey) or ``webauthnGet`` (sign in with one) and ``flow.webauthn`` holding
``transactionId``, ``options`` (a JSON string, as Descope sends it) and ``create``; the
client resumes with ``submit`` and the inputs ``transactionId`` and ``response`` (the
credential as JSON). A start refuses a device whose ``deviceInfo.webAuthnSupport`` is
false. The login id is read as the other sign-in actions read it: ``externalId``, then
``email`` or ``phone``, then ``loginId``.

A user in ``users.yaml`` with ``passkey: true`` enrolled a passkey before the scenario
began, on the scenario's device (``doubles.device``, the virtual authenticator the
scenario answers with). They meet at first use: the sign-in start has the device
register a passkey as the user's, as their earlier enrollment would have, before it asks
for a signature. From then on the user's stored credential is the device's, for every
later run of the same runner. A scenario that answers with another device presents a
passkey that is not the user's.

The error names ``WebAuthnNotSupported``, ``NoLoginId``, ``NoPasskey`` and
``WebAuthnFailed`` are flowspec's: Descope's own names for these outcomes are not public.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from typing import Any, Literal

from flowspec.engine.actions.authentication import identify, login_id_from_form, sign_in
from flowspec.engine.actions.registry import REGISTRY, Outcome, Pause
from flowspec.engine.model import Task
from flowspec.engine.state import RunState
from flowspec.engine.users import UserRecord
from flowspec.identity import (
    StoredCredential,
    authentication_options,
    registration_options,
    verify_assertion,
    verify_registration,
)

Ceremony = Literal["update-user", "sign-in", "sign-up"]

_PENDING = "webauthn"
RP_ID = "localhost"

_LOGIN_READS = ("form.externalId", "form.email", "form.phone", "form.loginId")
_START_READS = (*_LOGIN_READS, "deviceInfo.webAuthnSupport")
_FINISH_READS = ("form.transactionId", "form.response")
_SIGN_IN_WRITES = ("user", "authInfo.user", "authInfo.firstSeen")


@REGISTRY.action(
    "webauthn-update-user-start",
    reads=("user", "deviceInfo.webAuthnSupport"),
    writes=("flow.webauthn",),
    errors=("WebAuthnNotSupported", "NotLoggedIn"),
    pauses=True,
)
def update_user_start(state: RunState, task: Task) -> Outcome:
    """Ask the client to create a passkey for the signed-in user."""
    refused = _unsupported(state)
    if refused is not None:
        return refused
    if state.user is None:
        return Outcome("NotLoggedIn", "adding a passkey needs a signed-in user")
    return _ask_create(state, "update-user", _display_name(state.user), state.user.user_id)


@REGISTRY.action(
    "webauthn-update-user-finish",
    reads=_FINISH_READS,
    writes=("user.webauthn",),
    errors=("NotLoggedIn", "WebAuthnFailed"),
)
def update_user_finish(state: RunState, task: Task) -> Outcome:
    """Verify the client's answer to the creation challenge and store the passkey."""
    pending = _take(state, "update-user")
    if state.user is None:
        return Outcome("NotLoggedIn", "adding a passkey needs a signed-in user")
    if pending is None:
        return _no_ceremony()
    credential = _new_credential(pending, state.form.get("response"))
    if isinstance(credential, Outcome):
        return credential
    _store(state.user, credential)
    state.use_method("webauthn")
    return Outcome()


@REGISTRY.action(
    "webauthn-sign-in-start",
    reads=(*_START_READS, "user"),
    writes=("unauthUser", "flow.webauthn"),
    errors=("WebAuthnNotSupported", "NoLoginId", "UserNotFound", "NoPasskey"),
    pauses=True,
)
def sign_in_start(state: RunState, task: Task) -> Outcome:
    """Ask for a passkey signature of the login id's user, else of the signed-in user."""
    refused = _unsupported(state)
    if refused is not None:
        return refused
    login_id = _login_id(state)
    if login_id:
        user = identify(state, login_id)
        if user is None:
            return Outcome("UserNotFound", f"no user has the login id {login_id!r}")
        return _ask_get(state, user)
    if state.user is not None:
        return _ask_get(state, state.user)
    return _no_login_id()


@REGISTRY.action(
    "webauthn-sign-in-finish",
    reads=_FINISH_READS,
    writes=_SIGN_IN_WRITES,
    errors=("WebAuthnFailed",),
)
def sign_in_finish(state: RunState, task: Task) -> Outcome:
    """Verify the passkey's signature against the user's stored passkeys and sign them in."""
    pending = _take(state, "sign-in")
    return _no_ceremony() if pending is None else _finish_sign_in(state, pending)


@REGISTRY.action(
    "webauthn-sign-up-start",
    reads=_START_READS,
    writes=("unauthUser.loginId", "flow.webauthn"),
    errors=("WebAuthnNotSupported", "NoLoginId", "UserAlreadyExists"),
    pauses=True,
)
def sign_up_start(state: RunState, task: Task) -> Outcome:
    """Ask the client to create a passkey for a login id no user has yet."""
    refused = _unsupported(state)
    if refused is not None:
        return refused
    login_id = _login_id(state)
    if not login_id:
        return _no_login_id()
    if identify(state, login_id) is not None:
        return _already_exists(login_id)
    return _ask_create(state, "sign-up", login_id, login_id)


@REGISTRY.action(
    "webauthn-sign-up-finish",
    reads=_FINISH_READS,
    writes=_SIGN_IN_WRITES,
    errors=("WebAuthnFailed", "UserAlreadyExists"),
)
def sign_up_finish(state: RunState, task: Task) -> Outcome:
    """Verify the new passkey, create the user with it and sign them in (``firstSeen``)."""
    pending = _take(state, "sign-up")
    return _no_ceremony() if pending is None else _finish_sign_up(state, pending)


@REGISTRY.action(
    "webauthn-sign-up-or-in-start",
    reads=_START_READS,
    writes=("unauthUser", "flow.webauthn"),
    errors=("WebAuthnNotSupported", "NoLoginId", "NoPasskey"),
    pauses=True,
)
def sign_up_or_in_start(state: RunState, task: Task) -> Outcome:
    """Sign in with a passkey when the login id is a user's, else create one to sign up."""
    refused = _unsupported(state)
    if refused is not None:
        return refused
    login_id = _login_id(state)
    if not login_id:
        return _no_login_id()
    user = identify(state, login_id)
    if user is None:
        return _ask_create(state, "sign-up", login_id, login_id)
    return _ask_get(state, user)


@REGISTRY.action(
    "webauthn-sign-up-or-in-finish",
    reads=_FINISH_READS,
    writes=_SIGN_IN_WRITES,
    errors=("WebAuthnFailed", "UserAlreadyExists"),
)
def sign_up_or_in_finish(state: RunState, task: Task) -> Outcome:
    """Finish whichever ceremony the start chose: a sign-in, or a sign-up (``firstSeen``)."""
    pending = _take(state, "sign-in", "sign-up")
    if pending is None:
        return _no_ceremony()
    if pending["ceremony"] == "sign-in":
        return _finish_sign_in(state, pending)
    return _finish_sign_up(state, pending)


def _enroll_on_device(state: RunState, user: UserRecord) -> None:
    """Give the scenario's device the passkey ``users.yaml`` says the user enrolled."""
    challenge = secrets.token_urlsafe(32)
    options = registration_options(challenge, RP_ID, user.user_id, _display_name(user))
    credential = _new_credential({"challenge": challenge}, state.doubles.device.create(options))
    if isinstance(credential, Outcome):
        # The device answered options made here a moment ago: a refusal is flowspec's bug.
        raise RuntimeError(f"the device's new passkey was refused: {credential.description}")
    _store(user, credential)


def _unsupported(state: RunState) -> Outcome | None:
    if state.device_info.get("webAuthnSupport") is False:
        return Outcome(
            "WebAuthnNotSupported", "the device cannot use passkeys (deviceInfo.webAuthnSupport)"
        )
    return None


def _login_id(state: RunState) -> str:
    return login_id_from_form(state, "email") or login_id_from_form(state, "sms")


def _display_name(user: UserRecord) -> str:
    return user.login_ids[0] if user.login_ids else user.user_id


def _ask_create(state: RunState, ceremony: Ceremony, login_id: str, user_handle: str) -> Outcome:
    challenge, transaction_id = _open(state, ceremony, loginId=login_id)
    options = registration_options(challenge, RP_ID, user_handle, login_id)
    return _pause("webauthnCreate", transaction_id, options)


def _ask_get(state: RunState, user: UserRecord) -> Outcome:
    """Ask for a signature with one of the user's passkeys."""
    if not user.passkeys and not user.has_passkey:
        return Outcome("NoPasskey", f"{_display_name(user)} has no passkey to sign in with")
    if not user.passkeys:
        _enroll_on_device(state, user)
    challenge, transaction_id = _open(state, "sign-in", userId=user.user_id)
    allowed = [str(passkey["credentialId"]) for passkey in user.passkeys]
    options = authentication_options(challenge, RP_ID, allowed)
    return _pause("webauthnGet", transaction_id, options)


def _open(state: RunState, ceremony: Ceremony, **about: str) -> tuple[str, str]:
    """Remember the ceremony the client is asked for; its challenge and transaction id."""
    challenge = secrets.token_urlsafe(32)
    transaction_id = secrets.token_hex(16)
    state.pending[_PENDING] = {
        "ceremony": ceremony,
        "transactionId": transaction_id,
        "challenge": challenge,
        **about,
    }
    return challenge, transaction_id


def _pause(
    kind: Literal["webauthnCreate", "webauthnGet"], transaction_id: str, options: Any
) -> Outcome:
    payload = {
        "transactionId": transaction_id,
        "options": json.dumps(options),
        "create": kind == "webauthnCreate",
    }
    return Outcome(pause=Pause(kind, payload))


def _take(state: RunState, *ceremonies: Ceremony) -> dict[str, Any] | None:
    """The pending ceremony the client's answer is for, if it is one of ``ceremonies``."""
    pending: dict[str, Any] | None = state.pending.pop(_PENDING, None)
    if pending is None or pending["ceremony"] not in ceremonies:
        return None
    if state.form.get("transactionId") != pending["transactionId"]:
        return None
    return pending


def _finish_sign_in(state: RunState, pending: Mapping[str, Any]) -> Outcome:
    user = state.directory.find(pending["userId"])
    if user is None:
        return Outcome("WebAuthnFailed", "the user of this passkey sign-in no longer exists")
    response = _response(state.form.get("response"))
    stored = next((p for p in user.passkeys if p["credentialId"] == response.get("id")), None)
    if stored is None:
        return Outcome("WebAuthnFailed", _foreign(user, response.get("id")))
    credential = StoredCredential(stored["credentialId"], stored["publicKey"])
    result = verify_assertion(credential, pending["challenge"], response, rp_id=RP_ID)
    if not result.ok:
        return Outcome("WebAuthnFailed", result.reason)
    sign_in(state, user, "webauthn")
    return Outcome()


def _foreign(user: UserRecord, credential_id: Any) -> str:
    shown = str(credential_id)[:40]
    return f"the answer's passkey {shown!r} is not one of {_display_name(user)}'s"


def _finish_sign_up(state: RunState, pending: Mapping[str, Any]) -> Outcome:
    login_id = str(pending["loginId"])
    if state.directory.find(login_id) is not None:
        return _already_exists(login_id)
    credential = _new_credential(pending, state.form.get("response"))
    if isinstance(credential, Outcome):
        return credential
    user = state.directory.create(
        login_id,
        email=login_id if "@" in login_id else "",
        phone=login_id if login_id.startswith("+") else "",
    )
    _store(user, credential)
    sign_in(state, user, "webauthn", first_seen=True)
    return Outcome()


def _new_credential(pending: Mapping[str, Any], answer: Any) -> StoredCredential | Outcome:
    """The passkey a creation answer registers, or the ``WebAuthnFailed`` it earns."""
    result = verify_registration(pending["challenge"], _response(answer), rp_id=RP_ID)
    if not result.ok or result.credential is None:
        return Outcome("WebAuthnFailed", result.reason)
    return result.credential


def _store(user: UserRecord, credential: StoredCredential) -> None:
    user.passkeys.append(
        {"credentialId": credential.credential_id, "publicKey": dict(credential.public_jwk)}
    )


def _no_ceremony() -> Outcome:
    return Outcome("WebAuthnFailed", "the answer names no passkey ceremony of this run")


def _no_login_id() -> Outcome:
    return Outcome("NoLoginId", "the form holds no login id (externalId, email, phone or loginId)")


def _already_exists(login_id: str) -> Outcome:
    return Outcome("UserAlreadyExists", f"a user with the login id {login_id!r} already exists")


def _response(raw: Any) -> dict[str, Any]:
    """The web component sends the credential as a JSON string; accept an object too."""
    if isinstance(raw, str):
        try:
            parsed = json.loads(raw)
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    return raw if isinstance(raw, dict) else {}
