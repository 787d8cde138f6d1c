"""What failure messages show of the context: shortened, located, and without JWTs."""

from __future__ import annotations

import json
from typing import Any

import pytest

from flowspec.expect import REDACTED, excerpt, redact, render_value

JWT = (
    "eyJhbGciOiJSUzI1NiIsImtpZCI6IlAyQUJDIn0"
    ".eyJzdWIiOiJVMmFiYyIsImV4cCI6MTcwMDAwMDAwMH0"
    ".c2lnbmF0dXJlLWJ5dGVzLW5vdC1yZWFsbHktYS1zaWduYXR1cmU"
)


@pytest.mark.parametrize(
    ("value", "redacted"),
    [
        (JWT, REDACTED),
        (f"Bearer {JWT}", f"Bearer {REDACTED}"),
        ([JWT, "kept"], [REDACTED, "kept"]),
        ({"a": {"b": [JWT]}}, {"a": {"b": [REDACTED]}}),
        ({JWT: 1}, {REDACTED: 1}),
        ("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", REDACTED),
        ("eyJhbGciOiJSUzI1NiJ9.onlytwo", "eyJhbGciOiJSUzI1NiJ9.onlytwo"),
        ("abc.def.ghi", "abc.def.ghi"),
        ("ada@acme.test", "ada@acme.test"),
        (3, 3),
        (None, None),
    ],
    ids=[
        "token",
        "inside-text",
        "in-array",
        "nested",
        "as-key",
        "unsigned",
        "two-segments",
        "not-eyJ",
        "email",
        "number",
        "null",
    ],
)
def test_redact_replaces_every_jwt_looking_text(value: Any, redacted: Any) -> None:
    """redact replaces JWT-looking text anywhere in a value and leaves the rest alone."""
    assert redact(value) == redacted


def test_render_value_is_one_line_json() -> None:
    """render_value writes JSON: quoted strings, lowercase literals, one line."""
    assert render_value({"ok": True, "name": "Ada", "n": None}) == (
        '{"ok": true, "name": "Ada", "n": null}'
    )


def test_render_value_redacts_and_cuts() -> None:
    """render_value never shows a token and stays within its width."""
    rendered = render_value({"token": JWT, "items": list(range(100))}, max_chars=40)
    assert JWT not in rendered
    assert len(rendered) <= 40
    assert rendered.endswith("…")


def test_render_value_survives_non_json_values() -> None:
    """A value JSON cannot encode is rendered by its repr rather than crashing the message."""
    assert render_value({"when": {1, 2}}) == '{"when": "{1, 2}"}'


def test_excerpt_shows_the_parent_of_the_match_under_its_path() -> None:
    """excerpt heads the rendering with the parent's path and shows its JSON."""
    document = {"user": {"loggedIn": False, "email": "ada@acme.test"}}
    assert excerpt(document, "$.user.loggedIn") == (
        'context near $.user:\n{"loggedIn": false, "email": "ada@acme.test"}'
    )


def test_excerpt_of_a_missing_path_shows_the_nearest_existing_ancestor() -> None:
    """For a path that matches nothing, excerpt shows the deepest ancestor that exists."""
    document = {"user": {"profile": {"name": "Ada"}}}
    assert excerpt(document, "$.user.profile.phone.number") == (
        'context near $.user.profile:\n{"name": "Ada"}'
    )


def test_excerpt_goes_multi_line_when_wide() -> None:
    """A parent too wide for one line is rendered one key per line."""
    document = {"user": {f"key{i}": "x" * 20 for i in range(6)}}
    lines = excerpt(document, "$.user.key0").splitlines()
    assert lines[1] == "{"
    assert lines[2] == '  "key0": "xxxxxxxxxxxxxxxxxxxx",'


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("y" * 200, "y" * 60 + "… (200 chars)"),
        ("y" * 80, "y" * 80),
        (list(range(9)), [0, 1, 2, 3, 4, "… 4 more items"]),
        (list(range(6)), [0, 1, 2, 3, 4, "… 1 more item"]),
        ({"a": {"b": {"c": {"d": 1}, "e": 2}}}, {"a": {"b": "{… 2 keys}"}}),
        ({"a": {"b": [[1, 2]]}}, {"a": {"b": "[… 1 item]"}}),
        ({"a": {"b": {}, "c": []}}, {"a": {"b": {}, "c": []}}),
    ],
    ids=[
        "long-string",
        "string-at-limit",
        "long-array",
        "one-more-item",
        "deep-object",
        "deep-array",
        "deep-empty",
    ],
)
def test_excerpt_shortens_long_and_deep_values(value: Any, shown: Any) -> None:
    """Long strings, long arrays and deep nesting are shortened with a note of what is cut."""
    document = {"parent": {"value": value}}
    body = excerpt(document, "$.parent.value", max_chars=10_000).split("\n", 1)[1]
    assert json.loads(body) == {"value": shown}


def test_excerpt_shortens_wide_objects() -> None:
    """An object with many keys keeps the first twelve and counts the rest."""
    document = {"wide": {f"k{i:02}": i for i in range(20)}}
    body = json.loads(excerpt(document, "$.wide.k00", max_chars=10_000).split("\n", 1)[1])
    assert list(body)[-1] == "…"
    assert body["…"] == "8 more keys"
    assert len(body) == 13


def test_excerpt_respects_max_chars() -> None:
    """The JSON part of an excerpt is at most max_chars long and ends with an ellipsis."""
    document = {"big": {f"key{i:02}": "v" * 70 for i in range(12)}}
    body = excerpt(document, "$.big.key00", max_chars=300).split("\n", 1)[1]
    assert len(body) <= 300
    assert body.endswith("\n…")


def test_excerpt_never_shows_a_token_even_when_cut() -> None:
    """A JWT is redacted before shortening, so no part of it survives in the excerpt."""
    document = {"authInfo": {"raw": JWT, "note": f"Bearer {JWT}"}}
    shown = excerpt(document, "$.authInfo.raw", max_chars=60)
    assert JWT[:20] not in shown
    assert REDACTED in shown
