"""A table of checks, as a product owner writes it: path, matcher, expected, one per row.

Every row is checked, and one failure lists each failing row (its number, counted from
the first row under the header, and the row as written) with its mismatches under it;
passing rows are not mentioned. A row that is wrong rather than failing (an unknown
matcher, a malformed path or pattern, a count that is no number) stops the table at
once with a ``WorldError`` noting the row.

The expected cell is read by ``parse_expected`` (JSON, else the text itself), and
markers work in it with every matcher that compares values.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from flowspec.errors import ExpectationFailed, UnknownNameError, WorldError
from flowspec.expect.assertions import (
    Comparison,
    absent_findings,
    compare_findings,
    count_findings,
    each_findings,
    exists_findings,
    match_findings,
    not_match_findings,
    regex_findings,
)
from flowspec.expect.literals import parse_expected
from flowspec.expect.match import Mode
from flowspec.expect.paths import rooted
from flowspec.expect.report import Finding, describe_groups

__all__ = ["MATCHERS", "CheckRow", "check_rows"]


@dataclass(frozen=True)
class CheckRow:
    """One row of a check table, each cell as written."""

    path: str
    matcher: str
    expected: str


_RowCheck = Callable[[Any, str, str], list[Finding]]


def _matching(mode: Mode) -> _RowCheck:
    return lambda document, path, cell: match_findings(document, path, parse_expected(cell), mode)


def _comparing(op: Comparison) -> _RowCheck:
    return lambda document, path, cell: compare_findings(document, path, op, _number(cell))


def _bare(check: Callable[[Any, str], list[Finding]], name: str) -> _RowCheck:
    def run(document: Any, path: str, cell: str) -> list[Finding]:
        if cell.strip():
            raise WorldError(f"{name!r} takes no expected value, got {cell!r}; leave it empty")
        return check(document, path)

    return run


_CHECKS: dict[str, _RowCheck] = {
    "equals": _matching("equals"),
    "is": _matching("equals"),
    "matches": _matching("equals"),
    "does not equal": lambda document, path, cell: not_match_findings(
        document, path, parse_expected(cell)
    ),
    "contains": _matching("contains"),
    "contains only": _matching("contains only"),
    "contains any": _matching("contains any"),
    "does not contain": _matching("not contains"),
    "each matches": lambda document, path, cell: each_findings(
        document, path, parse_expected(cell)
    ),
    "has count": lambda document, path, cell: count_findings(document, path, _count(cell)),
    "matches regex": lambda document, path, cell: regex_findings(document, path, _pattern(cell)),
    "is greater than": _comparing(">"),
    "is at least": _comparing(">="),
    "is less than": _comparing("<"),
    "is at most": _comparing("<="),
    "exists": _bare(exists_findings, "exists"),
    "is absent": _bare(absent_findings, "is absent"),
}

MATCHERS: tuple[str, ...] = tuple(_CHECKS)
"""The matcher names a row may use; case and repeated spaces do not matter."""


def check_rows(document: Any, rows: Sequence[CheckRow]) -> None:
    """Check every row against ``document``; raise one ``ExpectationFailed`` for all the
    rows that fail (see the module docstring)."""
    failed: list[tuple[str, list[Finding]]] = []
    for number, row in enumerate(rows, start=1):
        findings = _check_row(document, row, number)
        if findings:
            failed.append((f"row {number}: {_as_written(row)}", findings))
    if failed:
        head = f"{len(failed)} of {len(rows)} rows failed:"
        raise ExpectationFailed(describe_groups(document, head, failed))


def _check_row(document: Any, row: CheckRow, number: int) -> list[Finding]:
    matcher = " ".join(row.matcher.split()).lower()
    if matcher not in _CHECKS:
        raise UnknownNameError("matcher", row.matcher, MATCHERS, where=f"in row {number}")
    try:
        return _CHECKS[matcher](document, row.path, row.expected)
    except WorldError as error:
        error.add_note(f"in row {number} of the table: {_as_written(row)}")
        raise


def _as_written(row: CheckRow) -> str:
    return " ".join(part for part in (rooted(row.path.strip()), row.matcher, row.expected) if part)


def _count(cell: str) -> int:
    value = parse_expected(cell)
    if isinstance(value, bool) or not isinstance(value, int):
        raise WorldError(f"'has count' needs a whole number, such as 3; got {cell!r}")
    return value


def _number(cell: str) -> float:
    value = parse_expected(cell)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise WorldError(f"a comparison needs a number, such as 10 or 2.5; got {cell!r}")
    return value


def _pattern(cell: str) -> str:
    # A pattern is taken as written, unless it is a JSON string ("^a\\.b$").
    value = parse_expected(cell)
    return value if isinstance(value, str) else cell
