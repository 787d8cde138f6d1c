"""The mutable state of one run: what actions read and write, and what the context shows.

Raw tokens are kept here only for the HTTP emulator to hand to a client; the flow
context is built from decoded claims and never sees them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from flowspec.engine.doubles import Doubles
from flowspec.engine.users import Directory, UserRecord
from flowspec.identity import TokenIssuer

Status = Literal["running", "waiting", "completed", "failed"]
# What the client must do: show a screen, run a passkey ceremony, follow a redirect
# (OAuth), or poll while the user acts elsewhere (a magic link in their mailbox).
ClientAction = Literal["screen", "webauthnCreate", "webauthnGet", "redirect", "poll", "none"]


@dataclass
class IssuedTokens:
    """The raw tokens a completed run issued; never copied into the context."""

    session_jwt: str
    refresh_jwt: str


@dataclass
class RunState:
    """Everything a run knows; actions change it, ``context.build`` reads it."""

    flow_id: str
    execution_id: str
    directory: Directory
    issuer: TokenIssuer
    project_id: str
    clock: Callable[[], float] = time.time
    doubles: Doubles = field(default_factory=Doubles)
    form: dict[str, Any] = field(default_factory=dict)
    user: UserRecord | None = None
    unauth_user: UserRecord | None = None
    login_id: str = ""
    provider: str = ""
    first_seen: bool = False
    risk_info: dict[str, Any] = field(default_factory=dict)
    connector_results: dict[str, Any] = field(default_factory=dict)
    jwt_claims: dict[str, Any] = field(default_factory=dict)
    session: dict[str, Any] = field(default_factory=lambda: {"status": "none"})
    device_info: dict[str, Any] = field(default_factory=dict)
    amr: list[str] = field(default_factory=list)
    stepped_up: bool = False
    impersonator_id: str | None = None
    auth_info: dict[str, Any] = field(default_factory=dict)
    tokens: IssuedTokens | None = None
    screen_state: dict[str, Any] = field(default_factory=dict)
    pending: dict[str, Any] = field(default_factory=dict)
    client_action: ClientAction = "none"
    prompt: dict[str, Any] | None = None
    output: dict[str, Any] = field(default_factory=dict)
    error: dict[str, str] | None = None
    runner_logs: list[dict[str, str]] = field(default_factory=list)
    path: list[dict[str, Any]] = field(default_factory=list)
    status: Status = "running"

    def use_method(self, method: str) -> None:
        """Record an authentication method for the ``amr`` claim of the next session."""
        if method not in self.amr:
            self.amr.append(method)

    def log(self, title: str, message: str, level: str = "info") -> None:
        self.runner_logs.append({"title": title, "log": message, "level": level})
