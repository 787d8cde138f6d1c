"""Expected values as a product owner writes them in a Gherkin step."""

from __future__ import annotations

import json
from typing import Any, NoReturn

__all__ = ["parse_expected"]


def parse_expected(text: str) -> Any:
    """Turn a Gherkin argument into the value a check compares against.

    The rule: if ``text`` is a JSON document, it means that document; otherwise it means
    itself, as a string. So ``true``, ``false`` and ``null`` are the JSON literals (in
    lowercase, as they appear in the context), ``3`` and ``2.5`` are numbers, ``[1, 2]``
    and ``{"role": "admin"}`` are an array and an object, and ``"Ada"`` (double quotes, as
    JSON writes strings) is the string ``Ada``. Anything else stays the raw text: ``Ada``,
    ``True``, ``'Ada'`` (single quotes are not JSON) and ``007`` (JSON has no leading
    zeros) are all strings. ``NaN`` and ``Infinity`` are strings too: JSON has no such
    numbers, though Python's parser accepts them. Whitespace around a JSON value is ignored.
    """
    try:
        return json.loads(text, parse_constant=_not_json)
    except ValueError:
        return text


def _not_json(constant: str) -> NoReturn:
    raise ValueError(f"{constant} is not a JSON number")
