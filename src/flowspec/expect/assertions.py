"""Checks with markers and modes: match, each, count, regex, compare, whole document.

Each ``check_*`` passes quietly or raises ``ExpectationFailed`` listing every mismatch
at once, each with its canonical path, what was expected and what was there, followed by
one excerpt of the context (see ``report``). A path that selects nothing fails with
"nothing there" and suggestions, except where the expected value accepts absence
(``#notpresent``, ``##string``, ``#ignore``). What a path observes is ``observe``'s
rule: one value, or the list of what a wildcard or filter selected.

Each check has a ``*_findings`` twin that returns the findings instead of raising, so
that ``check_rows`` can gather the failures of a whole table.
"""

from __future__ import annotations

import operator
import sys
from collections.abc import Callable, Iterator
from typing import Any, Literal

from flowspec.errors import ExpectationFailed, UnknownNameError, WorldError
from flowspec.expect.excerpt import render_value
from flowspec.expect.markers import parse_marker
from flowspec.expect.match import (
    MISSING,
    MODES,
    Difference,
    Mode,
    differences,
    fits,
    parse_markers,
    show_actual,
    show_expected,
)
from flowspec.expect.observe import Observed, observe
from flowspec.expect.paths import Location, rooted
from flowspec.expect.patterns import compile_regex
from flowspec.expect.report import Finding, describe

__all__ = [
    "COMPARISONS",
    "Comparison",
    "absent_findings",
    "check_compare",
    "check_count",
    "check_document",
    "check_each",
    "check_match",
    "check_not_match",
    "check_regex",
    "compare_findings",
    "count_findings",
    "document_findings",
    "each_findings",
    "exists_findings",
    "match_findings",
    "not_match_findings",
    "regex_findings",
]

Comparison = Literal[">", ">=", "<", "<="]
COMPARISONS: dict[Comparison, tuple[Callable[[Any, Any], bool], str]] = {
    ">": (operator.gt, "greater than"),
    ">=": (operator.ge, "at least"),
    "<": (operator.lt, "less than"),
    "<=": (operator.le, "at most"),
}


def check_match(document: Any, expression: str, expected: Any, *, mode: Mode = "equals") -> None:
    """Pass if what ``expression`` observes matches ``expected`` in ``mode``.

    ``expected`` may hold markers anywhere; the modes are ``match``'s. In ``equals``, a
    wildcard or filter that selected exactly one node observes that node, and one that
    selected none observes nothing, unless ``expected`` is an array (or an array marker):
    ``$.flow.path[?(@.id == 't2')].name`` equals ``"Login"``. In the other modes it
    observes the list of what it selected.
    """
    findings = match_findings(document, expression, expected, mode)
    if findings:
        head = f"{rooted(expression)}: {len(findings)} mismatches ({mode} "
        raise ExpectationFailed(describe(document, findings, f"{head}{_show(expected)})"))


def check_not_match(document: Any, expression: str, expected: Any) -> None:
    """Pass if what ``expression`` observes does not match ``expected`` (as ``equals``)."""
    findings = not_match_findings(document, expression, expected)
    if findings:
        raise ExpectationFailed(describe(document, findings))


def check_each(document: Any, expression: str, expected: Any) -> None:
    """Pass if every item of the array ``expression`` observes matches ``expected``
    (as ``equals``, markers allowed); an empty array passes."""
    findings = each_findings(document, expression, expected)
    if findings:
        head = f"{rooted(expression)}: {len(findings)} mismatches (each matches "
        raise ExpectationFailed(describe(document, findings, f"{head}{_show(expected)})"))


def check_count(document: Any, expression: str, count: int) -> None:
    """Pass if ``expression`` observes an array of ``count`` items (an object of ``count``
    keys), or, for a wildcard or filter, selects ``count`` nodes."""
    findings = count_findings(document, expression, count)
    if findings:
        raise ExpectationFailed(describe(document, findings))


def check_regex(document: Any, expression: str, pattern: str) -> None:
    """Pass if the string ``expression`` observes, or each string a wildcard selects,
    contains a match of ``pattern`` (``re.search``; anchor it with ``^`` and ``$``)."""
    findings = regex_findings(document, expression, pattern)
    if findings:
        head = f"{rooted(expression)}: {len(findings)} values do not match /{pattern}/"
        raise ExpectationFailed(describe(document, findings, head))


def check_compare(document: Any, expression: str, op: Comparison, number: float) -> None:
    """Pass if the number ``expression`` observes, or each number a wildcard selects,
    compares with ``number`` as ``op`` says; ``true`` is not a number."""
    findings = compare_findings(document, expression, op, number)
    if findings:
        words = COMPARISONS[op][1]
        head = f"{rooted(expression)}: {len(findings)} values not {words} {render_value(number)}"
        raise ExpectationFailed(describe(document, findings, head))


def check_document(document: Any, expected: Any, *, exact: bool = False) -> None:
    """Pass if the whole ``document`` contains ``expected`` (a deep subset), or with
    ``exact`` equals it; markers anywhere, key order ignored."""
    findings = document_findings(document, expected, exact=exact)
    if findings:
        how = "equals" if exact else "contains"
        head = f"the flow context: {len(findings)} mismatches ({how} the expected document)"
        raise ExpectationFailed(describe(document, findings, head))


def match_findings(
    document: Any, expression: str, expected: Any, mode: Mode = "equals"
) -> list[Finding]:
    """What ``check_match`` would report; empty when it passes."""
    if mode not in MODES:
        raise UnknownNameError("match mode", mode, MODES)
    parse_markers(expected, rooted(expression))
    one_as_value = mode == "equals" and not _array_shaped(expected)
    observed = observe(document, expression, one_as_value=one_as_value)
    if observed.value is MISSING:
        accepts_absence = mode != "not contains" and _is_marker(expected)
        if accepts_absence and fits(MISSING, expected):
            return []
        return [observed.nothing_there(expected)]
    return observed.findings(differences(observed.value, expected, mode))


def not_match_findings(document: Any, expression: str, expected: Any) -> list[Finding]:
    """What ``check_not_match`` would report; empty when it passes."""
    parse_markers(expected, rooted(expression))
    observed = observe(document, expression, one_as_value=not _array_shaped(expected))
    if observed.value is MISSING:
        return [observed.nothing_there(expected)]
    if not fits(observed.value, expected):
        return []
    reason = (
        f"expected anything but {show_expected(expected)}, "
        f"got {show_actual(observed.value, expected)}"
    )
    return [observed.finding(Difference((), expected, observed.value, reason))]


def each_findings(document: Any, expression: str, expected: Any) -> list[Finding]:
    """What ``check_each`` would report; empty when it passes."""
    parse_markers(expected, f"{rooted(expression)}[*]")
    observed = observe(document, expression)
    if observed.value is MISSING:
        return [observed.nothing_there(expected)]
    items = observed.value
    if not isinstance(items, list | tuple):
        reason = f"expected an array, got {show_actual(items)}"
        return [observed.finding(Difference((), expected, items, reason))]
    return observed.findings(
        found._replace(steps=(index, *found.steps))
        for index, item in enumerate(items)
        for found in differences(item, expected)
    )


def count_findings(document: Any, expression: str, count: int) -> list[Finding]:
    """What ``check_count`` would report; empty when it passes."""
    if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= sys.maxsize:
        raise WorldError(
            f"a count is a whole number from 0 to {sys.maxsize:,} (no array holds more), "
            f"got {render_value(count)}"
        )
    observed = observe(document, expression)
    value = observed.value
    if value is MISSING:
        return [observed.nothing_there(count)]
    if observed.listed:
        noun = "match"
    elif isinstance(value, list | tuple):
        noun = "item"
    elif isinstance(value, dict):
        noun = "key"
    else:
        reason = (
            f"expected an array or object of {_count_of(count, 'item')}, got {show_actual(value)}"
        )
        return [observed.finding(Difference((), count, value, reason))]
    if len(value) == count:
        return []
    reason = f"expected {_count_of(count, noun)}, got {len(value)}: {_show(value)}"
    return [observed.finding(Difference((), count, value, reason))]


def regex_findings(document: Any, expression: str, pattern: str) -> list[Finding]:
    """What ``check_regex`` would report; empty when it passes."""
    compiled = compile_regex(pattern, f"the pattern for {rooted(expression)}")
    observed = observe(document, expression)
    if observed.value is MISSING:
        return [observed.nothing_there(pattern)]
    return observed.findings(
        Difference(
            steps,
            pattern,
            value,
            f"expected a string matching /{pattern}/, got {show_actual(value, '')}",
        )
        for steps, value in _values(observed)
        if not (isinstance(value, str) and compiled.search(value))
    )


def compare_findings(
    document: Any, expression: str, op: Comparison, number: float
) -> list[Finding]:
    """What ``check_compare`` would report; empty when it passes."""
    if op not in COMPARISONS:
        raise UnknownNameError("comparison", op, COMPARISONS)
    if isinstance(number, bool) or not isinstance(number, int | float):
        raise WorldError(f"a comparison needs a number, got {render_value(number)}")
    compare, words = COMPARISONS[op]
    observed = observe(document, expression)
    if observed.value is MISSING:
        return [observed.nothing_there(number)]
    return observed.findings(
        Difference(
            steps,
            number,
            value,
            f"expected a number {words} {render_value(number)}, got {show_actual(value, 0)}",
        )
        for steps, value in _values(observed)
        if isinstance(value, bool)
        or not isinstance(value, int | float)
        or not compare(value, number)
    )


def exists_findings(document: Any, expression: str) -> list[Finding]:
    """``nothing there`` unless ``expression`` selects something, even ``null``."""
    observed = observe(document, expression)
    return [] if observed.selection.values else [observed.nothing_there(None)]


def absent_findings(document: Any, expression: str) -> list[Finding]:
    """A finding for each node ``expression`` selects; none when it selects nothing."""
    observed = observe(document, expression)
    if observed.value is MISSING:
        return []
    return observed.findings(
        Difference(steps, MISSING, value, f"expected nothing there, got {show_actual(value)}")
        for steps, value in _values(observed)
    )


def document_findings(document: Any, expected: Any, *, exact: bool = False) -> list[Finding]:
    """What ``check_document`` would report; empty when it passes."""
    observed = observe(document, "$")
    return observed.findings(differences(document, expected, "equals" if exact else "contains"))


def _values(observed: Observed) -> Iterator[tuple[Location, Any]]:
    if observed.listed:
        yield from (((index,), value) for index, value in enumerate(observed.value))
    else:
        yield (), observed.value


def _array_shaped(expected: Any) -> bool:
    if isinstance(expected, list | tuple):
        return True
    return _is_marker(expected) and parse_marker(expected).kind in ("array", "[]")


def _is_marker(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("#")


def _show(value: Any) -> str:
    return render_value(value, 80)


def _count_of(count: int, noun: str) -> str:
    if count == 1:
        return f"1 {noun}"
    return f"{count} {noun}es" if noun.endswith("ch") else f"{count} {noun}s"
