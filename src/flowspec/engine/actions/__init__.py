"""Emulated Descope actions, registered by name in ``REGISTRY``."""

from flowspec.engine.actions import passkeys, profile, session, totp
from flowspec.engine.actions.registry import REGISTRY, ActionSpec, Outcome, Pause

__all__ = ["REGISTRY", "ActionSpec", "Outcome", "Pause", "passkeys", "profile", "session", "totp"]
