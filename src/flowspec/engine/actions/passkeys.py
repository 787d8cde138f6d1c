"""Passkey actions: the WebAuthn ceremonies, answered by the scenario's virtual authenticator."""

from __future__ import annotations

import json
import secrets
from typing import Any

from flowspec.engine.actions.registry import REGISTRY, Outcome, Pause
from flowspec.engine.model import Task
from flowspec.engine.state import RunState
from flowspec.identity import registration_options, verify_registration

_PENDING = "webauthn"
RP_ID = "localhost"


@REGISTRY.action(
    "webauthn-update-user-start",
    reads=("user",),
    writes=("flow.webauthn",),
    errors=("NotLoggedIn",),
    pauses=True,
)
def update_user_start(state: RunState, task: Task) -> Outcome:
    """Ask the client to create a passkey for the signed-in user."""
    if state.user is None:
        return Outcome("NotLoggedIn", "adding a passkey needs a signed-in user")
    challenge = secrets.token_urlsafe(32)
    transaction_id = secrets.token_hex(16)
    state.pending[_PENDING] = {"transactionId": transaction_id, "challenge": challenge}
    name = state.user.login_ids[0] if state.user.login_ids else state.user.user_id
    options = registration_options(challenge, RP_ID, state.user.user_id, name)
    return Outcome(
        pause=Pause(
            "webauthnCreate",
            {"transactionId": transaction_id, "options": json.dumps(options), "create": True},
        )
    )


@REGISTRY.action(
    "webauthn-update-user-finish",
    reads=("form.transactionId", "form.response"),
    writes=("user.webauthn",),
    errors=("NotLoggedIn", "WebAuthnFailed"),
)
def update_user_finish(state: RunState, task: Task) -> Outcome:
    """Verify the client's answer to the creation challenge and store the passkey."""
    pending = state.pending.pop(_PENDING, None)
    if state.user is None:
        return Outcome("NotLoggedIn", "adding a passkey needs a signed-in user")
    if pending is None or state.form.get("transactionId") != pending["transactionId"]:
        return Outcome("WebAuthnFailed", "the answer names no passkey ceremony of this run")
    result = verify_registration(pending["challenge"], _response(state.form.get("response")))
    if not result.ok or result.credential is None:
        return Outcome("WebAuthnFailed", result.reason)
    state.user.passkeys.append(
        {"credentialId": result.credential.credential_id, "publicKey": result.credential.public_jwk}
    )
    state.use_method("webauthn")
    return Outcome()


def _response(raw: Any) -> dict[str, Any]:
    """The web component sends the credential as a JSON string; accept an object too."""
    if isinstance(raw, str):
        try:
            parsed = json.loads(raw)
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    return raw if isinstance(raw, dict) else {}
