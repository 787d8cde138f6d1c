"""Turning Gherkin arguments into expected values."""

from __future__ import annotations

from typing import Any

import pytest

from flowspec.expect import parse_expected


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("true", True),
        ("false", False),
        ("null", None),
        ("3", 3),
        ("-2.5", -2.5),
        ("1e3", 1000.0),
        ("[1, 2]", [1, 2]),
        ('{"role": "admin"}', {"role": "admin"}),
        ('"Ada"', "Ada"),
        ('"true"', "true"),
        ('"3"', "3"),
        (" true ", True),
        ("Ada", "Ada"),
        ("True", "True"),
        ("'Ada'", "'Ada'"),
        ("007", "007"),
        ("NaN", "NaN"),
        ("Infinity", "Infinity"),
        ('"Ada', '"Ada'),
        ("ada@acme.test", "ada@acme.test"),
        ("", ""),
    ],
    ids=[
        "true",
        "false",
        "null",
        "integer",
        "float",
        "exponent",
        "array",
        "object",
        "quoted-string",
        "quoted-true",
        "quoted-number",
        "padded-literal",
        "bare-word",
        "capitalised-true",
        "single-quoted",
        "leading-zero",
        "nan",
        "infinity",
        "unbalanced-quote",
        "email",
        "empty",
    ],
)
def test_parse_expected_reads_json_or_keeps_the_text(text: str, value: Any) -> None:
    """A JSON argument means its JSON value; anything else means the raw text."""
    parsed = parse_expected(text)
    assert parsed == value
    assert type(parsed) is type(value)
