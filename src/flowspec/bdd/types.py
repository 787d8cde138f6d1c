"""The parameter types the step patterns use; each step module registers them first.

behave loads step modules in file-name order, so every module that uses a type calls
``register_parameter_types()`` (registering twice is harmless).
"""

from __future__ import annotations

from collections.abc import Callable

import parse
from behave import register_type


def _matching(pattern: str) -> Callable[[str], str]:
    """A parse type that matches ``pattern`` and keeps the matched text as it is."""

    def keep(text: str) -> str:
        return text

    parse.with_pattern(pattern)(keep)
    return keep


_ARTICLE = _matching(r"an?")
# "a malformed JWT" and friends have steps of their own; a role never shadows them.
_ROLE = _matching(r"(?!(?:malformed|expired|forged)\b)[\w-]+")
_TEXT = _matching(r'[^"]+')
_WORD = _matching(r"[\w-]+")
_TOKEN = _matching(r"session|refresh|input")
_UNIT = _matching(r"seconds?|minutes?|hours?|days?")
_COMPARISON = _matching(r"greater than|at least|less than|at most")
_LITERAL = _matching(r'true|false|null|-?\d+(?:\.\d+)?|"[^"]*"|\[.*\]|\{.*\}')
# They all keep the matched text as it is: the same text, the same value.
TEXT_TYPES = frozenset({_ARTICLE, _ROLE, _TEXT, _WORD, _TOKEN, _UNIT, _COMPARISON, _LITERAL})


def register_parameter_types() -> None:
    """Article (a/an), Role (a role name), Text (quoted text), Word (one word), Literal (a
    JSON literal), Token (session/refresh/input), Unit (of time), Comparison (of numbers)."""
    register_type(
        Article=_ARTICLE,
        Role=_ROLE,
        Text=_TEXT,
        Word=_WORD,
        Literal=_LITERAL,
        Token=_TOKEN,
        Unit=_UNIT,
        Comparison=_COMPARISON,
    )
