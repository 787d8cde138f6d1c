"""Tables of checks: every matcher a row may name, and one failure for all failing rows."""

from __future__ import annotations

from typing import Any

import pytest

from flowspec.errors import ExpectationFailed, JSONPathSyntaxError, UnknownNameError, WorldError
from flowspec.expect import MATCHERS, CheckRow, check_rows

CONTEXT: dict[str, Any] = {
    "flow": {"status": "completed", "path": [{"id": "t1"}, {"id": "t2"}]},
    "user": {
        "loggedIn": True,
        "name": "Ada",
        "email": "ada@acme.test",
        "roles": ["admin", "viewer"],
        "age": 36,
        "channel": "#general",
    },
    "error": None,
}

# For each matcher: a row that holds on CONTEXT and one that does not.
ROWS: dict[str, tuple[CheckRow, CheckRow]] = {
    "equals": (CheckRow("$.user.name", "equals", "Ada"), CheckRow("$.user.name", "equals", "Bob")),
    "is": (CheckRow("user.loggedIn", "is", "true"), CheckRow("user.loggedIn", "is", "false")),
    "does not equal": (
        CheckRow("$.user.age", "does not equal", '"36"'),
        CheckRow("$.user.age", "does not equal", "36"),
    ),
    "contains": (
        CheckRow("$.user.email", "contains", "@acme"),
        CheckRow("$.user.roles", "contains", "owner"),
    ),
    "contains only": (
        CheckRow("$.user.roles", "contains only", '["viewer", "admin"]'),
        CheckRow("$.user.roles", "contains only", '["admin"]'),
    ),
    "contains any": (
        CheckRow("$.user.roles", "contains any", '["owner", "admin"]'),
        CheckRow("$.user.roles", "contains any", '["owner"]'),
    ),
    "does not contain": (
        CheckRow("$.user.roles", "does not contain", "owner"),
        CheckRow("$.user.roles", "does not contain", "admin"),
    ),
    "matches": (
        CheckRow(
            "$.user",
            "matches",
            '{"name": "#string", "age": "#number", "loggedIn": true, "email": "#email", '
            '"roles": "#[2] #string", "channel": "\\\\#general", "phone": "##string"}',
        ),
        CheckRow("$.user.age", "matches", "#string"),
    ),
    "each matches": (
        CheckRow("$.flow.path", "each matches", '{"id": "#regex t\\\\d"}'),
        CheckRow("$.user.roles", "each matches", "#number"),
    ),
    "has count": (
        CheckRow("$.user.roles", "has count", "2"),
        CheckRow("$.flow.path[*]", "has count", "3"),
    ),
    "matches regex": (
        CheckRow("$.user.email", "matches regex", "^ada@"),
        CheckRow("$.user.email", "matches regex", "^bob@"),
    ),
    "is greater than": (
        CheckRow("$.user.age", "is greater than", "18"),
        CheckRow("$.user.age", "is greater than", "36"),
    ),
    "is at least": (
        CheckRow("$.user.age", "is at least", "36"),
        CheckRow("$.user.age", "is at least", "36.5"),
    ),
    "is less than": (
        CheckRow("$.user.age", "is less than", "40"),
        CheckRow("$.user.age", "is less than", "36"),
    ),
    "is at most": (
        CheckRow("$.user.age", "is at most", "36"),
        CheckRow("$.user.age", "is at most", "35"),
    ),
    "exists": (CheckRow("$.error", "exists", ""), CheckRow("$.user.phone", "exists", "")),
    "is absent": (CheckRow("$.user.phone", "is absent", ""), CheckRow("$.error", "is absent", "")),
}


def test_every_matcher_has_rows_here() -> None:
    """The table below covers every matcher check_rows knows, and no other."""
    assert set(ROWS) == set(MATCHERS)


@pytest.mark.parametrize("matcher", list(ROWS))
def test_each_matcher_passes_and_fails(matcher: str) -> None:
    """Each matcher passes its holding row and reports its failing row by number."""
    holding, failing = ROWS[matcher]
    check_rows(CONTEXT, [holding])
    with pytest.raises(ExpectationFailed) as raised:
        check_rows(CONTEXT, [holding, failing])
    lines = str(raised.value).splitlines()
    path = failing.path if failing.path.startswith("$") else f"$.{failing.path}"
    assert lines[0] == "1 of 2 rows failed:"
    assert lines[1] == f"  row 2: {path} {matcher} {failing.expected}".rstrip()
    assert lines[2].startswith(f"    {path}")
    assert sum(line.startswith("  context near $") for line in lines) == 1


def test_every_failing_row_is_reported_and_passing_rows_are_not() -> None:
    """One failure lists each failing row with path, matcher, expected and actual."""
    rows = [
        CheckRow("$.user.name", "equals", "Bob"),
        CheckRow("$.user.age", "is at least", "18"),
        CheckRow("$.user.roles", "has count", "3"),
        CheckRow("$.flow.status", "equals", "completed"),
        CheckRow("$.user.phon", "exists", ""),
    ]
    with pytest.raises(ExpectationFailed) as raised:
        check_rows(CONTEXT, rows)
    lines = str(raised.value).splitlines()
    assert lines[:7] == [
        "3 of 5 rows failed:",
        "  row 1: $.user.name equals Bob",
        '    $.user.name: expected "Bob", got "Ada"',
        "  row 3: $.user.roles has count 3",
        '    $.user.roles: expected 3 items, got 2: ["admin", "viewer"]',
        "  row 5: $.user.phon exists",
        "    $.user.phon: nothing there.",
    ]
    assert lines[7] == "  context near $.user:"
    assert "row 2" not in str(raised.value)
    assert "row 4" not in str(raised.value)


def test_passing_table_raises_nothing() -> None:
    """A table whose rows all hold passes quietly."""
    check_rows(CONTEXT, [holding for holding, _ in ROWS.values()])


def test_matcher_names_ignore_case_and_spacing() -> None:
    """``Contains  Only`` is ``contains only``: a product owner's typing is forgiven."""
    check_rows(CONTEXT, [CheckRow("$.user.roles", " Contains  Only ", '["admin", "viewer"]')])


def test_expected_cell_markers_and_escapes() -> None:
    """A cell holding ``#string`` is a marker; ``\\#general`` is the text ``#general``."""
    check_rows(
        CONTEXT,
        [
            CheckRow("$.user.name", "equals", "#string"),
            CheckRow("$.user.channel", "equals", "\\#general"),
        ],
    )


def test_unknown_matcher_names_the_row_and_suggests() -> None:
    """An unknown matcher is a world error with the row and did-you-mean."""
    with pytest.raises(UnknownNameError) as raised:
        check_rows(
            CONTEXT, [CheckRow("$.user.name", "equals", "Ada"), CheckRow("$.x", "equal", "1")]
        )
    assert str(raised.value).startswith("unknown matcher 'equal' in row 2. Did you mean 'equals'")


@pytest.mark.parametrize(
    ("row", "error", "message"),
    [
        (
            CheckRow("$.user.roles", "has count", "two"),
            WorldError,
            "'has count' needs a whole number",
        ),
        (CheckRow("$.user.age", "is at most", "x"), WorldError, "a comparison needs a number"),
        (CheckRow("$.user.name", "exists", "Ada"), WorldError, "'exists' takes no expected value"),
        (CheckRow("$.user.email", "matches regex", "(ada"), WorldError, "bad regular expression"),
        (CheckRow("$.user.name", "equals", "#strng"), UnknownNameError, "unknown marker '#strng'"),
        (CheckRow("$.user[", "equals", "1"), JSONPathSyntaxError, "bad JSONPath"),
    ],
    ids=["count", "comparison", "exists-with-value", "regex", "marker", "path"],
)
def test_a_wrong_row_stops_the_table_noting_the_row(
    row: CheckRow, error: type[Exception], message: str
) -> None:
    """A row the scenario got wrong raises its world error, noted with the row it is in."""
    with pytest.raises(error) as raised:
        check_rows(CONTEXT, [CheckRow("$.user.name", "equals", "Bob"), row])
    assert message in str(raised.value)
    if not isinstance(raised.value, UnknownNameError) or "marker" in message:
        assert any(note.startswith("in row 2 of the table: ") for note in raised.value.__notes__)
