"""What a failure message shows of the flow context: short, readable, token-free.

A CI log should show what was there without scrolling and without secrets. So values
are shortened (long strings, long arrays, wide or deep objects) and every string that
looks like a JWT is replaced by ``<redacted JWT>`` before anything is rendered, because
a shortened token would no longer be recognisable as one.
"""

from __future__ import annotations

import json
import math
from functools import reduce
from itertools import islice
from typing import Any, overload

from flowspec.expect.paths import Location, render_path, select
from flowspec.redaction import REDACTED_JWT, redact_text

__all__ = ["REDACTED", "excerpt", "excerpt_at", "redact", "render_value"]

REDACTED = REDACTED_JWT

_LONG_STRING = 80
# Below this many bits a whole number has fewer than _LONG_STRING digits: kept as it is.
_LONG_INT_BITS = 200
_KEPT_CHARS = 60
_KEPT_ITEMS = 5
_KEPT_KEYS = 12
_DEEPEST = 3
# Up to this width an object reads best on one line; wider, one key per line.
_ONE_LINE = 100
_ELLIPSIS = "…"


@overload
def redact(value: str) -> str: ...
@overload
def redact(value: Any) -> Any: ...
def redact(value: Any) -> Any:
    """Return ``value`` with every JWT-looking text, in strings and keys, redacted.

    Works recursively through objects and arrays; a JWT inside a longer string
    (``"Bearer eyJ..."``) is replaced where it stands.
    """
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {redact(key): redact(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [redact(item) for item in value]
    return value


def render_value(value: Any, max_chars: int = 200) -> str:
    """Render ``value`` as one line of JSON for a message: redacted, shortened, cut."""
    text = _dumps(_shorten(redact(value), 0), indent=None)
    if len(text) > max_chars:
        text = text[: max_chars - 1] + _ELLIPSIS
    # Again on the text: a value JSON cannot encode is rendered by repr, unredacted.
    return redact(text)


def excerpt(document: Any, path: str, max_chars: int = 600) -> str:
    """Render the part of ``document`` around ``path``, headed by where it is.

    Shows the node ``context_of`` picks (the parent of the match, or the nearest existing
    ancestor when the path matches nothing) as ``context near <path>:`` and its JSON on
    the following lines; the JSON is at most ``max_chars`` long.
    """
    return excerpt_at(document, select(document, path).anchor(), max_chars)


def excerpt_at(document: Any, location: Location, max_chars: int = 600) -> str:
    """Render the node of ``document`` at ``location`` as ``excerpt`` does."""
    node = reduce(lambda parent, step: parent[step], location, document)
    # The header's path is spelled from the document's keys, so it is redacted too.
    return redact(f"context near {render_path(location)}:\n{_pretty(node, max_chars)}")


def _pretty(value: Any, max_chars: int) -> str:
    shortened = _shorten(redact(value), 0)
    text = _dumps(shortened, indent=None)
    if len(text) > _ONE_LINE:
        text = _dumps(shortened, indent=2)
    if len(text) <= max_chars:
        return text
    cut = text[: max_chars - len(_ELLIPSIS) - 1]
    if "\n" in cut:
        cut = cut[: cut.rfind("\n")]
    return f"{cut}\n{_ELLIPSIS}"


def _shorten(value: Any, depth: int) -> Any:
    if isinstance(value, str) and len(value) > _LONG_STRING:
        return f"{value[:_KEPT_CHARS]}{_ELLIPSIS} ({len(value)} chars)"
    if isinstance(value, int) and value.bit_length() > _LONG_INT_BITS:
        return _long_int(value)
    if isinstance(value, dict):
        return _shorten_object(value, depth)
    if isinstance(value, list):
        return _shorten_array(value, depth)
    return value


def _shorten_object(value: dict[Any, Any], depth: int) -> Any:
    if depth >= _DEEPEST and value:
        return f"{{{_ELLIPSIS} {_count(len(value), 'key')}}}"
    kept = {key: _shorten(item, depth + 1) for key, item in islice(value.items(), _KEPT_KEYS)}
    if len(value) > _KEPT_KEYS:
        kept[_ELLIPSIS] = _count(len(value) - _KEPT_KEYS, "more key")
    return kept


def _shorten_array(value: list[Any], depth: int) -> Any:
    if depth >= _DEEPEST and value:
        return f"[{_ELLIPSIS} {_count(len(value), 'item')}]"
    kept: list[Any] = [_shorten(item, depth + 1) for item in value[:_KEPT_ITEMS]]
    if len(value) > _KEPT_ITEMS:
        kept.append(f"{_ELLIPSIS} {_count(len(value) - _KEPT_ITEMS, 'more item')}")
    return kept


def _long_int(value: int) -> Any:
    """A whole number of more than 80 digits, shortened like a long string; one beyond
    the digits ``str()`` converts (4300) is named by its size alone (within a digit)."""
    try:
        digits = str(value)
    except ValueError:
        return f"{_ELLIPSIS} (a number of {int(value.bit_length() * math.log10(2)) + 1:,} digits)"
    if len(digits) <= _LONG_STRING:
        return value
    return f"{digits[:_KEPT_CHARS]}{_ELLIPSIS} ({len(digits)} digits)"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _dumps(value: Any, indent: int | None) -> str:
    # default=repr: a message about a failed check must render whatever it was given.
    return json.dumps(value, indent=indent, ensure_ascii=False, default=repr)
