"""Stand-ins for what a flow reaches outside the project: mailboxes, providers, connectors.

A scenario reads what was sent (an OTP code, a magic link) and sets what the outside
world answers (the user an OAuth provider returns, a risk score, a connector's
response); ``device`` is the visitor's passkey authenticator. The doubles live as long
as the runner, so a scenario that runs a flow twice finds the messages of both runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from flowspec.identity import VirtualAuthenticator

Channel = Literal["email", "sms"]
Purpose = Literal["otp", "magic-link", "password-reset", "message"]

# Descope's defaults: a code or link is good for a few minutes (inferred: 3 for OTP,
# 10 for links, as the console's default settings show them).
OTP_LIFETIME = 180.0
LINK_LIFETIME = 600.0


@dataclass
class Message:
    """Something the project sent: an OTP code, a magic link, a reset link, a connector mail."""

    channel: Channel
    to: str
    purpose: Purpose
    secret: str
    link: str
    sent_at: float
    expires_at: float
    task_id: str
    flow_id: str
    used: bool = False

    def expire(self) -> None:
        """Make the code or link too old to use, whatever the clock says now."""
        self.expires_at = self.sent_at - 1

    def usable_at(self, now: float) -> bool:
        return not self.used and now <= self.expires_at


@dataclass(frozen=True)
class StubbedResponse:
    """What a connector or scriptlet answers: a body, or a named error."""

    body: Mapping[str, Any] = field(default_factory=dict)
    error: str | None = None


@dataclass
class Doubles:
    """Everything outside the project, as one scenario sets it up."""

    outbox: list[Message] = field(default_factory=list)
    oauth_users: dict[str, dict[str, Any]] = field(default_factory=dict)
    risk_score: float | None = None
    connectors: dict[str, StubbedResponse] = field(default_factory=dict)
    scriptlets: dict[str, StubbedResponse] = field(default_factory=dict)
    audit_events: list[dict[str, Any]] = field(default_factory=list)
    device: VirtualAuthenticator = field(default_factory=VirtualAuthenticator)

    def last_message(self, to: str, purpose: Purpose | None = None) -> Message | None:
        """The newest message sent to ``to`` (any case), of ``purpose`` if given."""
        wanted = to.strip().lower()
        for message in reversed(self.outbox):
            if message.to.lower() == wanted and purpose in (None, message.purpose):
                return message
        return None

    def message_with_secret(self, secret: str) -> Message | None:
        return next((m for m in reversed(self.outbox) if m.secret == secret), None)
