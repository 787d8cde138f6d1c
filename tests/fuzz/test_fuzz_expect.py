"""Fuzzing the JSONPath checks: any expression, expected value, pattern or table row on
any context passes, fails as ExpectationFailed, or is refused as a mistake in the scenario
(a FlowspecError); nothing else escapes, jsonpath-ng's own errors included.

Expressions are drawn from JSONPath's grammar as jsonpath-ng extends it (fields, quoted
keys, indices, slices, wildcards, descendants, filters, unions, named operators such as
`` `len` `` and `` `sub(/a/, b)` ``, arithmetic), from the context's own keys, and from
random punctuation; expected values hold markers, well formed or not.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flowspec.errors import FlowspecError
from flowspec.expect import (
    COMPARISONS,
    MATCHERS,
    MODES,
    CheckRow,
    check_absent,
    check_compare,
    check_count,
    check_document,
    check_each,
    check_exists,
    check_match,
    check_not_match,
    check_regex,
    check_rows,
    context_of,
    excerpt,
    find,
    match_value,
    nearest_paths,
    parse_expected,
)

FUZZ = settings.get_profile("flowspec-fuzz")
# Random patterns such as "[[" make Python's re warn of a future change to sets.
pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning")

NAMES = st.sampled_from(("user", "roles", "flow", "path", "name", "id", "a", "where", "true"))
KEYS = NAMES | st.text(max_size=5)
HUGE_INTS = st.integers(4300, 4400).map(lambda digits: 10**digits)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | HUGE_INTS
    | st.floats()
    | st.text(max_size=10)
    | st.sampled_from(("admin", "2024-01-01T00:00:00Z", "a@b.co", "eyJhbGciOiJIUzI1NiJ9.e30.x"))
)
DOCUMENTS = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=5),
    max_leaves=25,
)
MARKERS = st.sampled_from(
    (
        "#string",
        "##number",
        "#boolean",
        "#array",
        "#object",
        "#null",
        "#notnull",
        "#present",
        "#notpresent",
        "#ignore",
        "#uuid",
        "#email",
        "#datetime",
        "#regex [a-z]+",
        "#regex (",
        "#regex a{4294967296}",
        "#regex " + "(" * 1200 + ")" * 1200,
        "#regex",
        "#[]",
        "#[2]",
        "#[] string",
        "#[1] #[2] #number",
        "#[" + "9" * 5000 + "]",
        "#[] " * 1500 + "string",
        "#unknown",
        "\\#general",
        "\\\\#x",
        "#",
        "##",
    )
)
EXPECTED = st.recursive(
    SCALARS | MARKERS,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(KEYS, children, max_size=3),
    max_leaves=12,
)
SEGMENTS = st.sampled_from(
    (
        ".user",
        ".roles",
        ".name",
        ".*",
        "..name",
        "..*",
        "[0]",
        "[-1]",
        "[*]",
        "[0:2]",
        "[::2]",
        "[0,1]",
        "['a b']",
        "['where']",
        '["true"]',
        "[?(@.name == 'x')]",
        "[?(@.id > 1)]",
        "[?(@.id < 'a')]",
        "[?(@.name =~ 'a.*')]",
        "[?(@.name =~ '(')]",
        "[?(@.id)]",
        "[?(@.id & @.name)]",
        "[?(!@.id)]",
        ".`len`",
        ".`sub(/a/, b)`",
        ".`sub(/(/, b)`",
        ".`split(,, 0, -1)`",
        ".`split( , 9, 9)`",
        ".`str()`",
        ".`sorted`",
        ".`keys`",
        ".`this`",
        ".`parent`",
        ".`unknown`",
        " * 2",
        " + $.a",
        " - 'x'",
        " / 0",
        " | $.user",
        " & $.user",
        " where name",
        "[" + "9" * 30 + "]",
        "[" + "1" * 5000 + "]",
    )
)
PATHS = (
    st.lists(SEGMENTS | NAMES.map(".{}".format), min_size=1, max_size=5).map(
        lambda steps: "$" + "".join(steps)
    )
    | st.lists(SEGMENTS | NAMES.map(".{}".format), min_size=1, max_size=4).map(
        lambda steps: "".join(steps).lstrip(".")
    )
    | st.text(st.sampled_from("$.[]*?@()'\"`=<>!&|~:,-0123456789ab /\\"), min_size=1, max_size=20)
    | st.text(max_size=12)
)


def checked(call: Callable[[], Any]) -> None:
    """Run one check; passing, failing and refusing are all fine, crashing is not."""
    with contextlib.suppress(FlowspecError):
        call()


@FUZZ
@given(DOCUMENTS, PATHS)
def test_presence_checks_and_suggestions_on_any_path(document: Any, path: str) -> None:
    """check_exists, check_absent, find, nearest_paths, context_of and excerpt take any
    path on any context."""
    checked(lambda: check_exists(document, path))
    checked(lambda: check_absent(document, path))
    checked(lambda: find(document, path))
    checked(lambda: nearest_paths(document, path))
    checked(lambda: context_of(document, path))
    checked(lambda: excerpt(document, path))


@FUZZ
@given(DOCUMENTS, PATHS, EXPECTED, st.sampled_from(MODES))
def test_value_checks_on_any_path_and_expected_value(
    document: Any, path: str, expected: Any, mode: Any
) -> None:
    """check_match in every mode, check_not_match and check_each take any path and any
    expected value, markers included."""
    checked(lambda: check_match(document, path, expected, mode=mode))
    checked(lambda: check_not_match(document, path, expected))
    checked(lambda: check_each(document, path, expected))


@FUZZ
@given(
    DOCUMENTS,
    PATHS,
    st.integers(-2, 10) | HUGE_INTS,
    st.text(max_size=12) | MARKERS,
    st.sampled_from(sorted(COMPARISONS)),
    st.floats() | st.integers(),
)
def test_count_regex_and_comparison_checks_on_any_path(
    document: Any, path: str, count: int, pattern: str, op: Any, number: float
) -> None:
    """check_count, check_regex and check_compare take any path, count, pattern and
    number."""
    checked(lambda: check_count(document, path, count))
    checked(lambda: check_regex(document, path, pattern))
    checked(lambda: check_compare(document, path, op, number))


@FUZZ
@given(DOCUMENTS, EXPECTED, st.booleans(), st.sampled_from(MODES))
def test_whole_document_checks_and_matching_take_any_expected_value(
    document: Any, expected: Any, exact: bool, mode: Any
) -> None:
    """check_document and match_value compare any context with any expected value."""
    checked(lambda: check_document(document, expected, exact=exact))
    checked(lambda: match_value(document, expected, mode=mode))


CELLS = (
    st.text(max_size=12)
    | MARKERS
    | st.sampled_from(("3", "-1", "2.5", "true", "null", '"Ada"', "[1, 2]", '{"a": 1}', "NaN"))
    | st.just("1" * 5000)
)
ROWS = st.lists(
    st.builds(
        CheckRow,
        PATHS,
        st.sampled_from(MATCHERS) | st.text(max_size=10) | st.sampled_from(("Has  Count", "IS")),
        CELLS,
    ),
    max_size=4,
)


@FUZZ
@given(DOCUMENTS, ROWS)
def test_a_table_of_any_rows_passes_fails_or_is_refused(
    document: Any, rows: list[CheckRow]
) -> None:
    """check_rows takes any table: paths, matcher names and expected cells as written."""
    checked(lambda: check_rows(document, rows))


@FUZZ
@given(CELLS | st.text())
def test_any_step_argument_reads_as_an_expected_value(text: str) -> None:
    """parse_expected reads any text as a JSON value or as the text itself."""
    parse_expected(text)
