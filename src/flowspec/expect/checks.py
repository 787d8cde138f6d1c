"""Presence checks on the flow context, and the shared pieces of every check's message.

``check_exists`` passes when a path matches at least once (a ``null`` value exists);
``check_absent`` when it matches nothing. Values compare as JSON does (``json_equal``):
``1`` equals ``1.0``, but ``true`` is not ``1`` (Python would say it is) and ``"1"`` is
not ``1``. Value checks with markers live in ``assertions.py``.

Every message names the path, says what was expected and what was there (as JSON), and
shows an excerpt of the context; a path that matches nothing gets "did you mean"
suggestions instead. Messages never hold a raw JWT.
"""

from __future__ import annotations

import textwrap
from typing import Any

from flowspec.errors import ExpectationFailed
from flowspec.expect.excerpt import excerpt, redact, render_value
from flowspec.expect.paths import find, missing_reason, rooted

__all__ = [
    "check_absent",
    "check_exists",
    "describe_mismatch",
    "describe_missing",
    "json_equal",
]


def check_exists(document: Any, expression: str) -> None:
    """Pass if ``expression`` matches at least once, even a ``null`` value."""
    if not find(document, expression):
        raise ExpectationFailed(describe_missing(document, expression))


def check_absent(document: Any, expression: str) -> None:
    """Pass if ``expression`` matches nothing."""
    values = _values(document, expression)
    if values:
        raise ExpectationFailed(
            describe_mismatch(document, expression, "nothing there", _one_or_all(values))
        )


def describe_mismatch(document: Any, expression: str, expectation: str, actual: Any) -> str:
    """Explain that ``expression`` observed ``actual`` where ``expectation`` was wanted.

    ``expectation`` is already rendered (``true``, ``anything but "Ada"``); ``actual`` is
    rendered here as JSON. The excerpt of the context follows, indented.
    """
    head = f"{rooted(expression)}: expected {expectation}, got {render_value(actual)}"
    return _with_excerpt(document, expression, head)


def describe_missing(document: Any, expression: str) -> str:
    """Explain that ``expression`` matches nothing, with suggestions and an excerpt."""
    return _with_excerpt(
        document, expression, f"{rooted(expression)}: {missing_reason(document, expression)}"
    )


def json_equal(left: Any, right: Any) -> bool:
    """Compare two JSON values as JSON does: ``1 == 1.0``, but ``true != 1``."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(json_equal(left[k], right[k]) for k in left)
    if isinstance(left, list | tuple) and isinstance(right, list | tuple):
        return len(left) == len(right) and all(map(json_equal, left, right))
    return bool(left == right)


def _values(document: Any, expression: str) -> list[Any]:
    return [value for _, value in find(document, expression)]


def _one_or_all(values: list[Any]) -> Any:
    return values[0] if len(values) == 1 else values


def _with_excerpt(document: Any, expression: str, head: str) -> str:
    return redact(f"{head}\n{textwrap.indent(excerpt(document, expression), '  ')}")
