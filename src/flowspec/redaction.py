"""Keeping secrets out of every message, log line and report: one rule for the project.

Anything shaped like a JWT (three to five base64url segments, the first a JSON header,
which always encodes to "eyJ") is replaced where it stands, whoever issued it; secrets
this process holds (a management key, a refresh token) are replaced by value. Like
``errors``, this module imports nothing of flowspec's, so every layer may use it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Final

__all__ = [
    "REDACTED_JWT",
    "REDACTED_SECRET",
    "redact_text",
    "redacted_json",
    "redacted_json_array",
]

REDACTED_JWT: Final = "<redacted JWT>"
REDACTED_SECRET: Final = "[redacted]"

# What makes JSON of an object JSON cannot write: ``json.dumps``'s ``default``.
Default = Callable[[Any], Any]

_JWT: Final = re.compile(r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*){2,4}")


def redact_text(text: str, secrets: Iterable[str | None] = ()) -> str:
    """``text`` with each given secret and every JWT-shaped string replaced."""
    # Longest first, so a secret that contains another is cut out whole.
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, REDACTED_SECRET)
    return _JWT.sub(REDACTED_JWT, text)


def _redact_json(
    value: Any, secrets: Iterable[str | None] = (), default: Default | None = None
) -> Any:
    """A copy of JSON-shaped ``value`` with every string in it passed through ``redact_text``;
    keys are kept as they are, since reports name their own keys. An object JSON cannot
    write is first made JSON by ``default``, as ``json.dumps`` would."""
    hidden = tuple(secrets)
    if isinstance(value, str):
        return redact_text(value, hidden)
    if isinstance(value, list | tuple):
        return [_redact_json(item, hidden, default) for item in value]
    if isinstance(value, dict):
        return {key: _redact_json(item, hidden, default) for key, item in value.items()}
    if default is not None and not isinstance(value, int | float | None):
        return _redact_json(default(value), hidden, default)
    return value


def redacted_json(
    value: Any,
    secrets: Iterable[str | None] = (),
    indent: int | None = None,
    default: Default | None = None,
) -> str:
    """JSON text of ``value`` with every JWT-shaped string and secret in it redacted;
    ``default`` makes JSON of the objects JSON cannot write, as for ``json.dumps``.

    Reports run to megabytes and rarely hold anything to redact, so the text is checked
    first and the value walked string by string only when the text shows a token's "eyJ"
    or a secret (raw or as JSON escapes it). Redacting the text itself would miss a token
    that follows an escape such as ``\\n``.
    """
    hidden = tuple(s for s in secrets if s)
    text = json.dumps(value, indent=indent, default=default)
    if "eyJ" in text or any(s in text or json.dumps(s)[1:-1] in text for s in hidden):
        return json.dumps(_redact_json(value, hidden, default), indent=indent)
    return text


def redacted_json_array(
    items: Iterable[Any], secrets: Iterable[str | None] = (), default: Default | None = None
) -> Iterator[str]:
    """The JSON text of the array of ``items``, piece by piece, each item redacted as
    ``redacted_json`` does: joined, the pieces read as ``json.dumps`` writes the list."""
    hidden = tuple(secrets)
    yield "["
    for number, item in enumerate(items):
        if number:
            yield ", "
        yield redacted_json(item, hidden, default=default)
    yield "]"
