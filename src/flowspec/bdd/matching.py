"""Thens that match parts of the flow context, or all of it, against expectations.

Expected values are JSON literals, or markers such as ``"#string"`` and ``"##number"``
(see docs/steps.md); doc strings may be JSON or YAML.
"""

from __future__ import annotations

from typing import Any, Literal

from flowspec.bdd.docstrings import parse_doc_string
from flowspec.bdd.scenario import scenario
from flowspec.errors import SettingsError
from flowspec.expect import (
    CheckRow,
    Mode,
    check_compare,
    check_count,
    check_document,
    check_each,
    check_match,
    check_regex,
    check_rows,
    parse_expected,
)

COMPARISONS: dict[str, Literal[">", ">=", "<", "<="]] = {
    "greater than": ">",
    "at least": ">=",
    "less than": "<",
    "at most": "<=",
}


def matches(context: Any, path: str, expected: str, mode: Mode = "equals") -> None:
    check_match(scenario(context).view(), path, parse_expected(expected), mode=mode)


def matches_doc_string(context: Any, path: str, text: str | None) -> None:
    """The value matches the doc string (JSON or YAML, markers allowed), key for key."""
    check_match(scenario(context).view(), path, parse_doc_string(text, "expected"))


def each_matches(context: Any, path: str, expected: str) -> None:
    check_each(scenario(context).view(), path, parse_expected(expected))


def has_count(context: Any, path: str, count: int) -> None:
    check_count(scenario(context).view(), path, count)


def matches_pattern(context: Any, path: str, pattern: str) -> None:
    check_regex(scenario(context).view(), path, pattern)


def compares(context: Any, path: str, comparison: str, number: str) -> None:
    try:
        value = float(number)
    except ValueError:
        raise SettingsError(f"{number!r} is not a number to compare with") from None
    check_compare(scenario(context).view(), path, COMPARISONS[comparison], value)


def context_matches(context: Any, text: str | None, exact: bool = False) -> None:
    """The whole flow context matches the doc string (a subset of it, unless ``exact``)."""
    check_document(scenario(context).view(), parse_doc_string(text, "expected"), exact=exact)


def rows_hold(context: Any, table: Any) -> None:
    """Every row of a path / matcher / expected table holds; all failing rows are reported."""
    missing = {"path", "matcher"} - set(table.headings)
    if missing:
        raise SettingsError(
            f"the table needs the columns path, matcher and expected; it lacks {sorted(missing)}"
        )
    rows = [CheckRow(row["path"], row["matcher"], row.get("expected", "") or "") for row in table]
    check_rows(scenario(context).view(), rows)
