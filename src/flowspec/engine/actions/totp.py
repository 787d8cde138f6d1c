"""TOTP actions: enroll an authenticator app and verify its codes (RFC 6238)."""

from __future__ import annotations

from flowspec.engine.actions.registry import REGISTRY, Outcome
from flowspec.engine.model import Task
from flowspec.engine.state import RunState
from flowspec.identity import totp

_PENDING = "totp_secret"


@REGISTRY.action(
    "update-user-totp",
    reads=("user",),
    writes=("screen.state.totp",),
    errors=("NotLoggedIn",),
)
def update_user_totp(state: RunState, task: Task) -> Outcome:
    """Make a new secret and show it (key and otpauth URL) on the next screen."""
    if state.user is None:
        return Outcome("NotLoggedIn", "TOTP enrollment needs a signed-in user")
    secret = totp.new_secret()
    state.pending[_PENDING] = secret
    account = state.user.login_ids[0] if state.user.login_ids else state.user.user_id
    state.screen_state["totp"] = {
        "key": secret,
        "provisionUrl": totp.provisioning_uri(secret, account, state.project_id),
        # Descope sends a QR code PNG here; a scenario reads the URL instead.
        "image": "",
    }
    return Outcome()


@REGISTRY.action(
    "verify-totp-code",
    reads=("form.code", "user.totp"),
    writes=("user.totp",),
    errors=("NotLoggedIn", "TOTPNotEnrolled", "InvalidTOTPCode"),
)
def verify_totp_code(state: RunState, task: Task) -> Outcome:
    """Check ``form.code`` against the secret being enrolled, else the user's own."""
    if state.user is None:
        return Outcome("NotLoggedIn", "TOTP verification needs a signed-in user")
    enrolling = state.pending.get(_PENDING)
    secret = enrolling or state.user.totp_secret
    if secret is None:
        return Outcome("TOTPNotEnrolled", f"{state.user.user_id} has no authenticator app")
    if not totp.verify(secret, str(state.form.get("code", "")), state.clock()):
        return Outcome("InvalidTOTPCode", "the code does not match the authenticator app")
    if enrolling:
        state.user.totp_secret = enrolling
        del state.pending[_PENDING]
        state.screen_state.pop("totp", None)
    state.use_method("totp")
    return Outcome()
