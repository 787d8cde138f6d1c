"""Magic links by email: send a link, and sign the user in when they click it.

A send action emails a link and pauses the run with the client polling (Descope's
"Magic Link Sent" screen, when the flow has one, shows meanwhile); the ``submit``
interaction carries the clicked link's ``token`` to ``verify-magic-link``, the ``.end``
task. The rules for links (newest only, once, until expiry; sign-up creates the user on
the click) are those of :mod:`delivery`. ``verify-magic-link`` also ends a password reset
(:mod:`passwords`), as in Descope's exports. The error names ``InvalidMagicLink`` and
``MagicLinkExpired`` (and those of :mod:`delivery`) are flowspec's.
"""

from __future__ import annotations

from flowspec.engine.actions.delivery import (
    LINK_SLOT,
    complete,
    pending_delivery,
    redeem,
    refusal,
    send_link,
)
from flowspec.engine.actions.registry import REGISTRY, Outcome
from flowspec.engine.model import Task
from flowspec.engine.state import RunState

_READS = ("form.externalId", "form.email", "form.loginId", "user.loginIds")
_WRITES = ("unauthUser", "screen.state.sentTo", "flow.poll")


@REGISTRY.action(
    "sign-in-magic-link-email",
    reads=_READS,
    writes=_WRITES,
    errors=("MissingLoginId", "UserNotFound", "InvalidAddress"),
    pauses=True,
)
def sign_in_magic_link_email(state: RunState, task: Task) -> Outcome:
    """Email a sign-in link to a known user and wait for the click."""
    return send_link(state, task, "sign-in", "magic-link")


@REGISTRY.action(
    "sign-in-magic-linkv2-email",
    reads=_READS,
    writes=_WRITES,
    errors=("MissingLoginId", "UserNotFound", "InvalidAddress"),
    pauses=True,
)
def sign_in_magic_link_v2_email(state: RunState, task: Task) -> Outcome:
    """Email a sign-in link to a known user and wait for the click (Descope's second version)."""
    return send_link(state, task, "sign-in", "magic-link")


@REGISTRY.action(
    "sign-up-magic-link-email",
    reads=_READS,
    writes=_WRITES,
    errors=("MissingLoginId", "UserAlreadyExists", "InvalidAddress"),
    pauses=True,
)
def sign_up_magic_link_email(state: RunState, task: Task) -> Outcome:
    """Email a sign-up link to a login id nobody has yet; the click creates the user."""
    return send_link(state, task, "sign-up", "magic-link")


@REGISTRY.action(
    "sign-up-or-in-magic-link-email",
    reads=_READS,
    writes=_WRITES,
    errors=("MissingLoginId", "InvalidAddress"),
    pauses=True,
)
def sign_up_or_in_magic_link_email(state: RunState, task: Task) -> Outcome:
    """Email a link to any login id; the click signs the user in, creating them if new."""
    return send_link(state, task, "sign-up-or-in", "magic-link")


@REGISTRY.action(
    "update-user-magic-link-email",
    reads=("user", "form.email"),
    writes=("screen.state.sentTo", "flow.poll"),
    errors=("NotLoggedIn", "UserAlreadyExists", "InvalidAddress"),
    pauses=True,
)
def update_user_magic_link_email(state: RunState, task: Task) -> Outcome:
    """Email a link to the signed-in user's new address (``form.email``, else their own)."""
    return send_link(state, task, "update", "magic-link")


@REGISTRY.action(
    "verify-magic-link",
    reads=("form.token",),
    writes=("user", "authInfo.user", "authInfo.firstSeen", "user.email", "user.verifiedEmail"),
    errors=("InvalidMagicLink", "MagicLinkExpired", "UserAlreadyExists"),
)
def verify_magic_link(state: RunState, task: Task) -> Outcome:
    """Accept ``form.token`` of this run's newest link: sign in, or verify the new email."""
    delivery = pending_delivery(state, LINK_SLOT)
    if delivery is None:
        return Outcome("InvalidMagicLink", "no link was sent in this run")
    verdict = redeem(state, delivery, str(state.form.get("token") or "").strip())
    if verdict != "valid":
        return refusal(verdict, "link", "InvalidMagicLink", "MagicLinkExpired")
    return complete(state, delivery, "email", "email")
