"""The marker vocabulary: parsing, mistakes in it, and the escape for a literal ``#``."""

from __future__ import annotations

from typing import Any

import pytest

from flowspec.errors import UnknownNameError, WorldError
from flowspec.expect import MARKERS, escape_markers, match_value
from flowspec.expect.markers import parse_marker


def test_every_listed_marker_parses_plain_and_optional() -> None:
    """Each marker of MARKERS, with its placeholders filled in, parses with one hash or two."""
    for written in MARKERS:
        text = written.replace("<pattern>", "[a-z]+").replace("<marker>", "#string")
        text = text.replace("N", "2")
        assert parse_marker(text).text == text
        optional = parse_marker(f"#{text}")
        assert optional.optional
        assert optional.kind == parse_marker(text).kind


def test_item_marker_may_leave_out_its_hash() -> None:
    """``#[] string`` reads as ``#[] #string``."""
    assert parse_marker("#[] string").each == parse_marker("#[] #string").each


def test_unknown_marker_suggests_the_closest_and_the_escape() -> None:
    """A misspelt marker is a world error naming where it is, what it may mean and how to
    write the text literally."""
    with pytest.raises(UnknownNameError) as raised:
        match_value({"name": "Ada"}, {"name": "#strng"}, at="$.user")
    message = str(raised.value)
    assert message.startswith("unknown marker '#strng' at $.user.name")
    assert "Did you mean '#string'" in message
    assert "write \\#strng to compare the text" in message


def test_unknown_marker_without_lookalike_lists_the_known_markers() -> None:
    """With nothing close, the message lists every marker there is."""
    with pytest.raises(UnknownNameError) as raised:
        match_value("x", "#zzzzzzzzzz")
    assert "Known markers: " in str(raised.value)
    assert "'#uuid'" in str(raised.value)


def test_misspelt_marker_is_reported_even_after_a_mismatch() -> None:
    """Markers are parsed before matching, so an earlier mismatch cannot hide a typo."""
    with pytest.raises(UnknownNameError):
        match_value({"a": 1, "b": 2}, {"a": 9, "b": "#nubmer"})


def test_regex_marker_without_pattern_says_how_to_write_it() -> None:
    """``#regex`` alone is a world error showing the form with a pattern."""
    with pytest.raises(WorldError, match="#regex followed by a space and the pattern"):
        parse_marker("#regex")


def test_regex_marker_with_a_bad_pattern_points_at_the_column() -> None:
    """A malformed pattern in ``#regex`` is a world error with a caret under its column."""
    with pytest.raises(WorldError) as raised:
        match_value("x", "#regex ab[c")
    lines = str(raised.value).splitlines()
    assert lines[0] == (
        "bad regular expression in the marker '#regex ab[c' at $, column 3: "
        "unterminated character set"
    )
    assert lines[1:3] == ["    ab[c", "      ^"]


@pytest.mark.parametrize(
    "value",
    [
        "#general",
        "\\#general",
        "\\\\#x",
        {"channel": "#general", "list": ["#a", {"b": "##string"}], "plain": "C:\\temp"},
        ["#[]", 1, None],
    ],
    ids=["hash", "escaped", "double-escaped", "nested", "array"],
)
def test_escaped_values_match_themselves_literally(value: Any) -> None:
    """escape_markers turns any value into an expected value that means exactly it."""
    assert match_value(value, escape_markers(value)) == []
    assert match_value(value, escape_markers(value), mode="contains") == []


def test_escape_leaves_ordinary_strings_alone() -> None:
    """Only strings that would read as markers, or as escapes, change."""
    assert escape_markers({"a": "x#y", "b": "C:\\temp", "c": 3}) == {
        "a": "x#y",
        "b": "C:\\temp",
        "c": 3,
    }
