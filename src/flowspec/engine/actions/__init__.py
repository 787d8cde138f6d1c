"""Emulated Descope actions, registered by name in ``REGISTRY``."""

from flowspec.engine.actions import (
    external,
    magiclink,
    oauth,
    otp,
    passkeys,
    passwords,
    profile,
    session,
    totp,
)
from flowspec.engine.actions.registry import REGISTRY, ActionSpec, Outcome, Pause

__all__ = [
    "REGISTRY",
    "ActionSpec",
    "Outcome",
    "Pause",
    "external",
    "magiclink",
    "oauth",
    "otp",
    "passkeys",
    "passwords",
    "profile",
    "session",
    "totp",
]
