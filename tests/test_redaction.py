"""One redaction rule for every message, log line and report."""

from __future__ import annotations

import json

import pytest

from flowspec.redaction import (
    REDACTED_JWT,
    REDACTED_SECRET,
    redact_text,
    redacted_json,
    redacted_json_array,
)

JWS = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.abc_-9"
JWE = "eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"token {JWS} end", f"token {REDACTED_JWT} end"),
        (f"Bearer P2x:{JWS}", f"Bearer P2x:{REDACTED_JWT}"),
        (f"five segments {JWE}", f"five segments {REDACTED_JWT}"),
        ("a sentence with eyJ in it", "a sentence with eyJ in it"),
        ("not.a.jwt", "not.a.jwt"),
    ],
    ids=["jws", "after-a-colon", "jwe", "bare-prefix", "dotted-words"],
)
def test_jwt_shaped_text_is_replaced_where_it_stands(text: str, expected: str) -> None:
    """Every JWT-shaped string is cut out, and nothing else is."""
    assert redact_text(text) == expected


def test_secrets_go_by_value_the_longest_first() -> None:
    """A known secret is replaced whole even when a shorter secret is part of it."""
    text = "key K9secretK9 and K9"
    assert (
        redact_text(text, ["K9", "K9secretK9", None])
        == f"key {REDACTED_SECRET} and {REDACTED_SECRET}"
    )


def test_json_text_hides_a_token_that_follows_an_escape() -> None:
    """A token right after a newline is still cut out, though its JSON text reads "\\neyJ"."""
    text = redacted_json({"error": f"bad token:\n{JWS}", "lines": [f"\t{JWS}"]})
    assert "eyJ" not in text
    assert json.loads(text) == {
        "error": f"bad token:\n{REDACTED_JWT}",
        "lines": [f"\t{REDACTED_JWT}"],
    }


def test_json_text_hides_a_secret_that_json_escapes() -> None:
    """A secret holding a quote or a backslash is found and replaced in the value."""
    secret = 'K9"back\\slash'
    text = redacted_json({"message": f"key {secret} refused"}, [secret])
    assert json.loads(text) == {"message": f"key {REDACTED_SECRET} refused"}


def test_json_with_nothing_to_hide_is_the_plain_encoding() -> None:
    """Without a token or secret, the text is exactly json.dumps of the value."""
    value = {"name": "Step-up", "steps": [1, 2.5, None, True]}
    assert redacted_json(value, ["K9secret"]) == json.dumps(value)


@pytest.mark.parametrize("items", [[], [{"a": 1}], [{"a": [1, 2]}, "two", None, 3.5]])
def test_an_array_in_pieces_reads_as_json_dumps_of_the_list(items: list[object]) -> None:
    assert "".join(redacted_json_array(items)) == json.dumps(items)


def test_an_array_in_pieces_hides_tokens_and_secrets_in_every_item() -> None:
    items = [{"step": "fine"}, {"error": f"bad token:\n{JWS}"}, {"message": "key K9secret"}]
    text = "".join(redacted_json_array(iter(items), ["K9secret"]))
    assert json.loads(text) == [
        {"step": "fine"},
        {"error": f"bad token:\n{REDACTED_JWT}"},
        {"message": f"key {REDACTED_SECRET}"},
    ]
