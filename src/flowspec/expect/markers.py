"""Markers: strings in an expected value that describe the actual value instead of being it.

A string that starts with ``#`` is a marker, wherever it sits in the expected value::

    #string  #number  #boolean  #array  #object      the JSON type
    #null                                            null (the key must be there)
    #notnull                                         there, and not null
    #present                                         there, whatever it holds, null included
    #notpresent                                      not there: the key is absent
    #ignore                                          anything, or nothing
    #uuid  #email                                    a string of that shape
    #datetime                                        an ISO 8601 date and time, as a string
    #regex <pattern>                                 a string the pattern matches in full
    #[]  #[N]                                        an array; of exactly N items
    #[] <marker>  #[N] <marker>                      ... each item of which is <marker>

Array markers nest at most ``DEEPEST_ARRAY_MARKER`` (10) deep, and a length has at most
18 digits: deeper or longer is a mistake in the scenario (``WorldError``).

A second hash makes a marker optional: ``##string`` also accepts ``null`` and an absent
key. The item marker after ``#[]`` may leave out its hash: ``#[] string``. Keys are
never markers, only values are.

A string that starts with ``#`` and is none of these is a mistake in the scenario, not a
value to compare, and raises ``UnknownNameError`` with suggestions. To compare a text that
really starts with ``#``, put a backslash before it: ``\\#general`` means ``#general``.
One leading backslash is removed before a ``#``, and only there, so ``\\\\#x`` means
``\\#x`` and ``C:\\temp`` is itself; ``escape_markers`` applies the rule the other way.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from flowspec.errors import UnknownNameError, WorldError
from flowspec.expect.patterns import compile_regex

__all__ = [
    "DEEPEST_ARRAY_MARKER",
    "MARKERS",
    "Marker",
    "escape_markers",
    "is_escaped",
    "parse_marker",
    "unescape",
]

_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+")
_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?",
    re.IGNORECASE,
)
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
_ARRAY = re.compile(r"\[(\d*)\](?:\s+(.+))?", re.DOTALL)
_ESCAPED = re.compile(r"\\+#")
# The leading array markers of a marker: "#[] #[2] string" starts with two.
_ARRAY_CHAIN = re.compile(r"(?:#{0,2}\[\d*\]\s+)+")
# More digits than any array could have items (and than int() converts past 4300).
_LONGEST_LENGTH = 18
_SHOWN = 40

DEEPEST_ARRAY_MARKER = 10
"""How many array markers a marker may nest (``#[] #[] string`` nests two). Markers are
parsed and matched recursively, one level per array."""


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_datetime(value: Any) -> bool:
    if not isinstance(value, str) or not _DATETIME.fullmatch(value):
        return False
    try:
        # The shape is ISO 8601; fromisoformat then rejects month 13 and hour 25.
        datetime.fromisoformat(value.replace(",", "."))
    except ValueError:
        return False
    return True


# What each named marker accepts of a value that is there (absence is decided apart),
# and how a message describes it.
_NAMED: dict[str, tuple[Callable[[Any], bool], str]] = {
    "string": (lambda value: isinstance(value, str), "a string"),
    "number": (_is_number, "a number"),
    "boolean": (lambda value: isinstance(value, bool), "a boolean"),
    "array": (lambda value: isinstance(value, list | tuple), "an array"),
    "object": (lambda value: isinstance(value, dict), "an object"),
    "null": (lambda value: value is None, "null"),
    "notnull": (lambda value: value is not None, "a value other than null"),
    "present": (lambda value: True, "a value, null included"),
    "notpresent": (lambda value: False, "no such key"),
    "ignore": (lambda value: True, "anything"),
    "uuid": (lambda value: isinstance(value, str) and bool(_UUID.fullmatch(value)), "a UUID"),
    "email": (lambda value: isinstance(value, str) and bool(_EMAIL.fullmatch(value)), "an email"),
    "datetime": (_is_datetime, "an ISO 8601 date and time"),
}

MARKERS: tuple[str, ...] = (
    *(f"#{name}" for name in _NAMED),
    "#regex <pattern>",
    "#[]",
    "#[N]",
    "#[] <marker>",
    "#[N] <marker>",
)
"""Every marker as a scenario writes it; each also comes optional, with a second ``#``."""

# The names did-you-mean compares an unknown marker with.
_SPELLINGS = (*(f"#{name}" for name in _NAMED), "#regex", "#[]")


@dataclass(frozen=True)
class Marker:
    """One parsed marker; see the module docstring for the vocabulary."""

    text: str
    kind: str
    optional: bool = False
    pattern: re.Pattern[str] | None = None
    length: int | None = None
    each: Marker | None = None

    def accepts_absent(self) -> bool:
        """Whether an absent key satisfies the marker."""
        return self.optional or self.kind in ("notpresent", "ignore")

    def accepts(self, value: Any) -> bool:
        """Whether ``value``, which is there, satisfies the marker (array items aside:
        ``each`` is for the caller to apply, so that it can say which item fails)."""
        if value is None and self.optional:
            return True
        if self.kind == "regex":
            assert self.pattern is not None
            return isinstance(value, str) and self.pattern.fullmatch(value) is not None
        if self.kind == "[]":
            return isinstance(value, list | tuple) and self.length in (None, len(value))
        return _NAMED[self.kind][0](value)

    def describe(self) -> str:
        """What the marker asks for, in words, then as written: ``a string (#string)``."""
        if self.kind == "regex":
            assert self.pattern is not None
            words = f"a string matching {self.pattern.pattern} in full"
        elif self.kind == "[]":
            size = "" if self.length is None else f" of {_items(self.length)}"
            each = "" if self.each is None else f", each {self.each.describe()}"
            words = f"an array{size}{each}"
        else:
            words = _NAMED[self.kind][1]
        if self.optional and self.kind not in ("ignore", "notpresent"):
            words += ", null or no such key"
        return f"{words} ({self.text})"


def is_escaped(text: str) -> bool:
    """Whether ``text`` is a literal written with a backslash before its leading ``#``."""
    return _ESCAPED.match(text) is not None


def unescape(text: str) -> str:
    """The literal an escaped text stands for: ``\\#general`` -> ``#general``."""
    return text[1:]


def escape_markers(value: Any) -> Any:
    """Return ``value`` with every string that would read as a marker escaped, so that an
    actual value (a recorded context, say) can serve as an expected one, literally."""
    if isinstance(value, str):
        return "\\" + value if value.startswith("#") or is_escaped(value) else value
    if isinstance(value, dict):
        return {key: escape_markers(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [escape_markers(item) for item in value]
    return value


@lru_cache(maxsize=1024)
def parse_marker(text: str, where: str = "") -> Marker:
    """Parse ``text``, which starts with ``#``, into a ``Marker``.

    An unknown marker raises ``UnknownNameError``, a ``#regex`` with a malformed pattern a
    ``WorldError`` with a caret; ``where`` says where the marker was written.
    """
    optional = text.startswith("##")
    body = text[2:] if optional else text[1:]
    if body in _NAMED:
        return Marker(text, body, optional)
    if body.startswith("regex "):
        pattern = compile_regex(body[len("regex ") :], f"the marker {text!r} {where}".rstrip())
        return Marker(text, "regex", optional, pattern=pattern)
    if array := _ARRAY.fullmatch(body):
        return _array_marker(text, optional, array, where)
    raise _unknown(text, body, where)


def _array_marker(text: str, optional: bool, array: re.Match[str], where: str) -> Marker:
    place = f" {where}" if where else ""
    nested = _ARRAY_CHAIN.match(text)
    if nested and nested.group().count("[") > DEEPEST_ARRAY_MARKER:
        raise WorldError(
            f"the marker {_clip(text)}{place} nests more than {DEEPEST_ARRAY_MARKER} array "
            "markers; an array of arrays of strings is #[] #[] string"
        )
    if len(array[1]) > _LONGEST_LENGTH:
        raise WorldError(
            f"the marker {_clip(text)}{place} asks for an array of a {len(array[1]):,}-digit "
            "number of items; write a length such as #[3]"
        )
    length = int(array[1]) if array[1] else None
    each = None
    if array[2]:
        item = array[2].strip()
        each = parse_marker(item if item.startswith("#") else f"#{item}", where)
    return Marker(text, "[]", optional, length=length, each=each)


def _clip(text: str) -> str:
    return repr(text) if len(text) <= _SHOWN else f"{text[: _SHOWN - 1]!r}…"


def _unknown(text: str, body: str, where: str) -> WorldError:
    if body.rstrip() == "regex":
        return WorldError(
            f"the marker {text!r}{' ' + where if where else ''} has no pattern; write it "
            "as #regex followed by a space and the pattern, such as #regex [a-z]+"
        )
    place = f"{where} " if where else ""
    literal = f"write \\{text} to compare the text {text!r} itself"
    return UnknownNameError("marker", text, _SPELLINGS, where=f"{place}({literal})")


def _items(count: int) -> str:
    return "1 item" if count == 1 else f"{count} items"
