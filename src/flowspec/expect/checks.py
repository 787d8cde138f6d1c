"""Checks on the flow context: each passes quietly or raises ``ExpectationFailed``.

What a path observes: the value of its one match, or the list of all matched values
when it matches several (a wildcard or a filter). A path that matches nothing observes
nothing, and every check but ``check_absent`` then fails with "nothing there", even
``check_not_equals``: a mistyped path must not pass by accident. A match whose value is
``null`` exists.

Values compare as JSON does: ``1`` equals ``1.0``, but ``true`` is not ``1`` (Python
would say it is) and ``"1"`` is not ``1``.

Every message names the path, says what was expected and what was there (both as JSON),
and shows an excerpt of the context; a path that matches nothing gets "did you mean"
suggestions instead of an actual value. Messages never hold a raw JWT.
"""

from __future__ import annotations

import textwrap
from typing import Any

from flowspec.errors import ExpectationFailed
from flowspec.expect.excerpt import excerpt, redact, render_value
from flowspec.expect.paths import find, missing_reason, rooted

__all__ = [
    "check_absent",
    "check_contains",
    "check_equals",
    "check_exists",
    "check_not_equals",
    "describe_mismatch",
    "describe_missing",
    "json_equal",
]


def check_equals(document: Any, expression: str, expected: Any) -> None:
    """Pass if what ``expression`` observes equals ``expected`` (JSON equality)."""
    actual = _observed(document, expression)
    if not json_equal(actual, expected):
        raise ExpectationFailed(
            describe_mismatch(document, expression, render_value(expected), actual)
        )


def check_not_equals(document: Any, expression: str, expected: Any) -> None:
    """Pass if ``expression`` observes something other than ``expected``."""
    actual = _observed(document, expression)
    if json_equal(actual, expected):
        raise ExpectationFailed(
            describe_mismatch(
                document, expression, f"anything but {render_value(expected)}", actual
            )
        )


def check_contains(document: Any, expression: str, expected: Any) -> None:
    """Pass if what ``expression`` observes contains ``expected``.

    A string contains a substring; an array contains a member equal to ``expected`` or,
    when ``expected`` is an object, a member object that includes it; an object contains
    an object whose keys it has with equal values (a subset, one level deep).
    """
    actual = _observed(document, expression)
    if not _contains(actual, expected):
        raise ExpectationFailed(
            describe_mismatch(
                document, expression, f"a value containing {render_value(expected)}", actual
            )
        )


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


def _contains(container: Any, item: Any) -> bool:
    if isinstance(container, str):
        return isinstance(item, str) and item in container
    if isinstance(container, list):
        return any(json_equal(member, item) or _includes(member, item) for member in container)
    return _includes(container, item)


def _includes(whole: Any, part: Any) -> bool:
    return (
        isinstance(whole, dict)
        and isinstance(part, dict)
        and all(key in whole and json_equal(whole[key], value) for key, value in part.items())
    )


def _observed(document: Any, expression: str) -> Any:
    values = _values(document, expression)
    if not values:
        raise ExpectationFailed(describe_missing(document, expression))
    return _one_or_all(values)


def _values(document: Any, expression: str) -> list[Any]:
    return [value for _, value in find(document, expression)]


def _one_or_all(values: list[Any]) -> Any:
    return values[0] if len(values) == 1 else values


def _with_excerpt(document: Any, expression: str, head: str) -> str:
    return redact(f"{head}\n{textwrap.indent(excerpt(document, expression), '  ')}")
