"""Matching an actual JSON value against an expected one, and saying every way it differs.

The expected value may hold markers anywhere (see ``markers``). Values compare as JSON
does (``1`` equals ``1.0``; ``true`` is not ``1``), and key order never matters. A mode
says how the actual value must relate to the expected one:

``equals``
    Deep equality. An object has exactly the expected keys, except that a key whose
    expected value accepts absence (``##string``, ``#ignore``, ``#notpresent``) may be
    missing; an array has the same items in the same order.
``contains``
    Deep subset. An object has at least the expected keys, each value contained in turn;
    an array has, for each expected item, some item that contains it (order and repeats
    do not matter); a string has the expected text, or each of a list of texts, in it. A
    single expected value against an array is one item to look for.
``contains only``
    An array holds the expected items and nothing else, in any order, each used once;
    items, and anything but an array, compare as in ``equals``.
``contains any``
    At least one expected item (array), key and value (object) or text (string) is there.
``not contains``
    None of them is there.

Below the top level, ``contains`` keeps looking for subsets (nested objects and arrays)
while every other mode compares nested values as ``equals`` does, except that
``contains any`` and ``not contains`` look for items and values as ``contains`` would.
Texts are substrings only at the top level: ``{"name": "Ad"}`` does not match a name
of ``Ada``.

Every difference is reported, each at its own path; when no array item matches an
expected object or array, the closest item's differences are shown.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from itertools import chain
from typing import Any, Final, Literal, NamedTuple, get_args

from flowspec.errors import WorldError, did_you_mean, json_kind
from flowspec.expect.checks import json_equal
from flowspec.expect.excerpt import redact, render_value
from flowspec.expect.markers import Marker, is_escaped, parse_marker, unescape
from flowspec.expect.paths import Location, join_path

__all__ = [
    "MISSING",
    "MODES",
    "Difference",
    "Mismatch",
    "Mode",
    "differences",
    "fits",
    "match_value",
    "parse_markers",
    "show_actual",
    "show_expected",
]

Mode = Literal["equals", "contains", "contains only", "contains any", "not contains"]
MODES: tuple[Mode, ...] = get_args(Mode)

# Wider than this, a value in a reason is cut: the excerpt shows the rest.
_SHOWN_CHARS = 80
# Working out the closest of many items costs a full comparison with each of them.
_CLOSEST_AMONG = 50


class _Absent(enum.Enum):
    MISSING = "MISSING"

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Absent.MISSING
"""The actual value of a key or path that is not there (``None`` is JSON's ``null``)."""


@dataclass(frozen=True)
class Mismatch:
    """One way the actual value differs from the expected one."""

    path: str
    expected: Any
    actual: Any
    reason: str

    def __str__(self) -> str:
        return redact(f"{self.path}: {self.reason}")


class Difference(NamedTuple):
    """A mismatch before it is named: ``steps`` lead from the compared value to it."""

    steps: Location
    expected: Any
    actual: Any
    reason: str


_Out = list[Difference] | None


def match_value(
    actual: Any, expected: Any, *, mode: Mode = "equals", at: str = "$"
) -> list[Mismatch]:
    """Every way ``actual`` fails to match ``expected`` in ``mode``; empty when it matches.

    ``at`` is the path of ``actual``, which each mismatch path extends. An unknown marker
    in ``expected`` raises ``UnknownNameError``; a malformed ``#regex``, ``WorldError``.
    """
    parse_markers(expected, at)
    return [
        Mismatch(join_path(at, found.steps), found.expected, found.actual, found.reason)
        for found in differences(actual, expected, mode)
    ]


def differences(actual: Any, expected: Any, mode: Mode = "equals") -> list[Difference]:
    """``match_value`` before naming: each difference carries its steps from ``actual``.

    Call ``parse_markers`` first, once per expected value, for errors that say where a
    misspelt marker is.
    """
    out: list[Difference] = []
    _top(actual, expected, mode, out)
    return out


def fits(actual: Any, expected: Any, mode: Mode = "equals") -> bool:
    """Whether ``actual`` matches ``expected``; stops at the first difference."""
    parse_markers(expected)
    return _top(actual, expected, mode, None)


def show_expected(expected: Any) -> str:
    """An expected value for a message: a marker as its description, else JSON."""
    if isinstance(expected, str):
        if expected.startswith("#"):
            return parse_marker(expected).describe()
        if is_escaped(expected):
            expected = unescape(expected)
    return _show(expected)


def show_actual(actual: Any, like: Any = MISSING) -> str:
    """An actual value for a message, with its JSON type unless ``like`` has the same."""
    if actual is MISSING:
        return "nothing (no such key)"
    if actual is None:
        return "null"
    shown = _show(actual)
    if like is not MISSING and _kind(like) == _kind(actual):
        return shown
    if isinstance(actual, list | tuple):
        return f"an array of {_items(len(actual))} ({shown})"
    return f"{_kind(actual)} ({shown})"


def parse_markers(expected: Any, at: str = "$", steps: Location = ()) -> None:
    """Parse every marker in ``expected`` (at path ``at``), raising on a misspelt one.

    The matchers do so up front, so a misspelt marker is never hidden by a mismatch.
    """
    if isinstance(expected, str):
        if expected.startswith("#"):
            try:
                parse_marker(expected)
            except WorldError:
                # Parsed again to say where: the cached parse above cannot know.
                parse_marker(expected, f"at {join_path(at, steps)}")
    elif isinstance(expected, dict):
        for key, value in expected.items():
            parse_markers(value, at, (*steps, key))
    elif isinstance(expected, list | tuple):
        for index, value in enumerate(expected):
            parse_markers(value, at, (*steps, index))


def _top(actual: Any, expected: Any, mode: Mode, out: _Out) -> bool:
    if mode == "equals":
        return _deep(actual, expected, False, (), out)
    wanted = list(expected) if isinstance(expected, list | tuple) else [expected]
    if isinstance(actual, list | tuple):
        if mode == "contains":
            return _contains_items(actual, wanted, (), out)
        if mode == "contains only":
            return _same_items(actual, wanted, (), out)
        if mode == "contains any":
            return _any_item(actual, expected, wanted, out)
        return _no_item(actual, wanted, out)
    if _is_marker(expected):
        if mode != "not contains":
            return _deep(actual, expected, False, (), out)
        if not _deep(actual, expected, False, (), None):
            return True
        if out is None:
            return False
        reason = f"expected anything but {show_expected(expected)}, got {show_actual(actual)}"
        return _record(out, (), expected, actual, reason)
    if mode == "contains only":
        return _deep(actual, expected, False, (), out)
    if isinstance(actual, str) and all(_is_text(item) for item in wanted):
        return _texts(actual, expected, [_literal(item) for item in wanted], mode, out)
    if isinstance(actual, dict) and isinstance(expected, dict):
        if mode == "contains":
            return _object(actual, expected, True, (), out)
        return _pairs(actual, expected, mode, out)
    if out is None:
        return False
    return _record(out, (), expected, actual, _nowhere_to_look(actual, expected))


def _deep(actual: Any, expected: Any, subset: bool, steps: Location, out: _Out) -> bool:
    """Compare as ``equals`` does, or, with ``subset``, as nested ``contains`` does."""
    if isinstance(expected, str):
        if expected.startswith("#"):
            return _marker(actual, parse_marker(expected), steps, out)
        if isinstance(actual, str) and actual == _literal(expected):
            return True
        return out is not None and _record(out, steps, expected, actual, _unequal(expected, actual))
    if isinstance(expected, dict):
        if isinstance(actual, dict):
            return _object(actual, expected, subset, steps, out)
        return out is not None and _record(
            out, steps, expected, actual, _not_a("an object", actual)
        )
    if isinstance(expected, list | tuple):
        if not isinstance(actual, list | tuple):
            return out is not None and _record(
                out, steps, expected, actual, _not_a("an array", actual)
            )
        if subset:
            return _contains_items(actual, list(expected), steps, out)
        return _array(actual, expected, steps, out)
    if actual is not MISSING and json_equal(actual, expected):
        return True
    return out is not None and _record(out, steps, expected, actual, _unequal(expected, actual))


def _marker(actual: Any, marker: Marker, steps: Location, out: _Out) -> bool:
    accepted = marker.accepts_absent() if actual is MISSING else marker.accepts(actual)
    if not accepted:
        return out is not None and _record(
            out, steps, marker.text, actual, _unequal(marker.text, actual)
        )
    if marker.each is None or not isinstance(actual, list | tuple):
        return True
    matched = True
    for index, item in enumerate(actual):
        if not _marker(item, marker.each, (*steps, index), out):
            if out is None:
                return False
            matched = False
    return matched


def _object(
    actual: dict[Any, Any], expected: dict[Any, Any], subset: bool, steps: Location, out: _Out
) -> bool:
    matched = True
    for key, value in expected.items():
        noted = len(out) if out is not None else 0
        if not _deep(actual.get(key, MISSING), value, subset, (*steps, key), out):
            if out is None:
                return False
            if key not in actual:
                _suggest_key(out, noted, key, [k for k in actual if k not in expected])
            matched = False
    if subset:
        return matched
    for key, value in actual.items():
        if key not in expected:
            if out is None:
                return False
            matched = _record(
                out,
                (*steps, key),
                MISSING,
                value,
                f"expected no such key, got {show_actual(value)}",
            )
    return matched


def _suggest_key(out: list[Difference], at: int, key: Any, spare: list[Any]) -> None:
    """A missing key is most often a typo of a key the object has but was not asked for."""
    hint = did_you_mean(str(key), [str(k) for k in spare]).strip()
    if hint and at < len(out):
        out[at] = out[at]._replace(reason=f"{out[at].reason}. {hint}")


def _array(actual: Any, expected: Any, steps: Location, out: _Out) -> bool:
    if len(actual) != len(expected):
        return out is not None and _record(
            out,
            steps,
            expected,
            actual,
            f"expected {_items(len(expected))}, got {len(actual)}: {_show(actual)}",
        )
    matched = True
    for index, (item, wanted) in enumerate(zip(actual, expected, strict=True)):
        if not _deep(item, wanted, False, (*steps, index), out):
            if out is None:
                return False
            matched = False
    return matched


def _contains_items(actual: Any, wanted: list[Any], steps: Location, out: _Out) -> bool:
    matched = True
    for position, item in enumerate(wanted):
        if any(_deep(have, item, True, (), None) for have in actual):
            continue
        if out is None:
            return False
        matched = False
        _explain_missing_item(actual, item, position, range(len(actual)), True, steps, out)
    return matched


def _same_items(actual: Any, wanted: list[Any], steps: Location, out: _Out) -> bool:
    owners = _pair(actual, wanted)
    if len(owners) == len(wanted) == len(actual):
        return True
    if out is None:
        return False
    spare = [index for index in range(len(actual)) if index not in owners]
    used = set(owners.values())
    for position, item in enumerate(wanted):
        if position not in used:
            paired = _explain_missing_item(actual, item, position, spare, False, steps, out)
            if paired is not None:
                spare.remove(paired)
    for index in spare:
        reason = f"expected no further item, got {_show(actual[index])}"
        _record(out, (*steps, index), MISSING, actual[index], reason)
    return False


def _any_item(actual: Any, expected: Any, wanted: list[Any], out: _Out) -> bool:
    if any(_deep(have, item, True, (), None) for item in wanted for have in actual):
        return True
    return out is not None and _record(
        out,
        (),
        expected,
        actual,
        f"expected an item matching any of {_show(wanted)}, "
        f"got none among {_items(len(actual))}: {_show(actual)}",
    )


def _no_item(actual: Any, wanted: list[Any], out: _Out) -> bool:
    matched = True
    for item in wanted:
        for index, have in enumerate(actual):
            if _deep(have, item, True, (), None):
                if out is None:
                    return False
                matched = _record(
                    out,
                    (index,),
                    item,
                    have,
                    f"expected no item matching {show_expected(item)}, "
                    f"got {show_actual(have, item)}",
                )
    return matched


def _pairs(actual: dict[Any, Any], expected: dict[Any, Any], mode: Mode, out: _Out) -> bool:
    """``contains any`` and ``not contains`` on an object: its keys and values."""
    found = [
        key
        for key, value in expected.items()
        if _deep(actual.get(key, MISSING), value, True, (key,), None)
    ]
    if mode == "contains any":
        return bool(found) or (
            out is not None
            and _record(
                out,
                (),
                expected,
                actual,
                f"expected any of the keys and values {_show(expected)}, got {_show(actual)}",
            )
        )
    if not found:
        return True
    if out is None:
        return False
    for key in found:
        have = actual.get(key, MISSING)
        reason = (
            f"expected anything but {show_expected(expected[key])}, "
            f"got {show_actual(have, expected[key])}"
        )
        _record(out, (key,), expected[key], have, reason)
    return False


def _texts(actual: str, expected: Any, texts: list[str], mode: Mode, out: _Out) -> bool:
    """The contains modes on a string: its substrings."""
    present = [text for text in texts if text in actual]
    if mode == "contains":
        looked_for = [text for text in texts if text not in actual]
        wanted, joiner = "containing", " and "
    elif mode == "contains any":
        looked_for = [] if present else texts
        wanted, joiner = "containing", " or "
    else:
        looked_for = present
        wanted, joiner = "without", " or "
    if not looked_for:
        return True
    if out is None:
        return False
    what = joiner.join(_show(text) for text in looked_for)
    return _record(
        out, (), expected, actual, f"expected a string {wanted} {what}, got {_show(actual)}"
    )


def _pair(actual: Any, wanted: list[Any]) -> dict[int, int]:
    """Match expected items to distinct actual items (actual index -> expected position),
    as many as can be: a marker may fit several items, so first come is not enough."""
    memo: dict[tuple[int, int], bool] = {}

    def fit(position: int, index: int) -> bool:
        if (position, index) not in memo:
            memo[position, index] = _deep(actual[index], wanted[position], False, (), None)
        return memo[position, index]

    owners: dict[int, int] = {}

    def claim(position: int, seen: set[int]) -> bool:
        # The item at the same place is tried first: most arrays come in the order expected.
        same_place = (position,) if position < len(actual) else ()
        for index in chain(same_place, range(len(actual))):
            if index in seen or not fit(position, index):
                continue
            seen.add(index)
            if index not in owners or claim(owners[index], seen):
                owners[index] = position
                return True
        return False

    for position in range(len(wanted)):
        claim(position, set())
    return owners


def _explain_missing_item(
    actual: Any,
    item: Any,
    position: int,
    candidates: range | list[int],
    subset: bool,
    steps: Location,
    out: list[Difference],
) -> int | None:
    """Say why no actual item matches ``item``: by the differences of the closest
    candidate of the same kind when there is one, else at the array. Return the index
    of the candidate used."""
    alike = [index for index in candidates if _kind(actual[index]) == _kind(item)]
    if _is_marker(item) or not alike or len(alike) > _CLOSEST_AMONG:
        out.append(
            Difference(
                steps,
                item,
                actual,
                f"expected an item matching {show_expected(item)}, got none among "
                f"{_items(len(actual))}: {_show(actual)}",
            )
        )
        return None
    if subset and not isinstance(item, dict | list | tuple):
        # Any scalar of the kind would be "closest": say it at the array instead.
        out.append(
            Difference(
                steps,
                item,
                actual,
                f"expected an item equal to {show_expected(item)}, got none among "
                f"{_items(len(actual))}: {_show(actual)}",
            )
        )
        return None
    found: dict[int, list[Difference]] = {}
    for index in alike:
        found[index] = []
        _deep(actual[index], item, subset, (), found[index])
    closest = min(alike, key=lambda index: (len(found[index]), index != position, index))
    for difference in found[closest]:
        out.append(
            difference._replace(
                steps=(*steps, closest, *difference.steps),
                reason=f"{difference.reason} (no item matches; this one is the closest)",
            )
        )
    return closest


def _record(
    out: list[Difference], steps: Location, expected: Any, actual: Any, reason: str
) -> bool:
    """Note a difference; always False, for "the values did not match".

    Call it as ``out is not None and _record(...)`` where only a boolean is wanted, so
    that no reason is written for nobody.
    """
    out.append(Difference(steps, expected, actual, reason))
    return False


def _unequal(expected: Any, actual: Any) -> str:
    like = MISSING if _is_marker(expected) else expected
    return f"expected {show_expected(expected)}, got {show_actual(actual, like)}"


def _not_a(kind: str, actual: Any) -> str:
    return f"expected {kind}, got {show_actual(actual)}"


def _nowhere_to_look(actual: Any, expected: Any) -> str:
    if isinstance(actual, str):
        hint = ""
        # A whole number of 64 bits or more is no text anyone meant; it may not even print.
        if isinstance(expected, float) or (
            isinstance(expected, int)
            and not isinstance(expected, bool)
            and expected.bit_length() < 64
        ):
            hint = f'; to look for the text {expected}, quote it: "{expected}"'
        return f"expected a text to look for in a string, got {show_actual(expected)}{hint}"
    if isinstance(actual, dict):
        return (
            f"expected an object of keys and values to look for in an object, got "
            f"{show_actual(expected)}; to check one key, check its path instead"
        )
    return f"expected an array, object or string to look in, got {show_actual(actual)}"


def _show(value: Any) -> str:
    return render_value(value, _SHOWN_CHARS)


def _is_marker(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("#")


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and not value.startswith("#")


def _literal(text: str) -> str:
    return unescape(text) if is_escaped(text) else text


def _kind(value: Any) -> str:
    return "nothing" if value is MISSING else json_kind(value)


def _items(count: int) -> str:
    return "1 item" if count == 1 else f"{count} items"
