"""Keeping secrets out of every message, log line and report: one rule for the project.

Anything shaped like a JWT (three to five base64url segments, the first a JSON header,
which always encodes to "eyJ") is replaced where it stands, whoever issued it; secrets
this process holds (a management key, a refresh token) are replaced by value. Like
``errors``, this module imports nothing of flowspec's, so every layer may use it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

__all__ = ["REDACTED_JWT", "REDACTED_SECRET", "redact_text"]

REDACTED_JWT: Final = "<redacted JWT>"
REDACTED_SECRET: Final = "[redacted]"

_JWT: Final = re.compile(r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*){2,4}")


def redact_text(text: str, secrets: Iterable[str | None] = ()) -> str:
    """``text`` with each given secret and every JWT-shaped string replaced."""
    # Longest first, so a secret that contains another is cut out whole.
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, REDACTED_SECRET)
    return _JWT.sub(REDACTED_JWT, text)
