"""Checks on the flow context, written as JSONPath: the only home of jsonpath-ng.

``paths`` compiles expressions (once each), finds and selects matches under canonical
names; ``literals`` turns a Gherkin argument into the expected value; ``markers`` is the
vocabulary of ``#string``, ``##number``, ``#regex ...`` and the rest; ``match`` matches a
value against an expected one in a mode (equals, contains, contains only, contains any,
not contains) and lists every difference; ``observe`` says what a path observes and
names each difference by its path; ``report`` and ``excerpt`` render a failure, with
JWTs redacted; ``assertions`` holds the marker-aware checks and ``rows`` the table of
checks; ``checks`` holds the literal checks the first steps were written with. Every
check raises ``flowspec.errors.ExpectationFailed`` when the context disagrees.
"""

from flowspec.expect.assertions import (
    COMPARISONS,
    Comparison,
    check_compare,
    check_count,
    check_document,
    check_each,
    check_match,
    check_not_match,
    check_regex,
)
from flowspec.expect.checks import (
    check_absent,
    check_exists,
    describe_mismatch,
    describe_missing,
    json_equal,
)
from flowspec.expect.excerpt import REDACTED, excerpt, redact, render_value
from flowspec.expect.literals import parse_expected
from flowspec.expect.markers import MARKERS, escape_markers
from flowspec.expect.match import MISSING, MODES, Mismatch, Mode, match_value
from flowspec.expect.paths import compile_path, context_of, find, nearest_paths, rooted, walk
from flowspec.expect.rows import MATCHERS, CheckRow, check_rows

# Plain sorted order (the surface test asserts sorted(__all__)), which RUF022's isort-style
# order, constants before classes, contradicts once both start alike.
__all__ = [  # noqa: RUF022
    "COMPARISONS",
    "CheckRow",
    "Comparison",
    "MARKERS",
    "MATCHERS",
    "MISSING",
    "MODES",
    "Mismatch",
    "Mode",
    "REDACTED",
    "check_absent",
    "check_compare",
    "check_count",
    "check_document",
    "check_each",
    "check_exists",
    "check_match",
    "check_not_match",
    "check_regex",
    "check_rows",
    "compile_path",
    "context_of",
    "describe_mismatch",
    "describe_missing",
    "escape_markers",
    "excerpt",
    "find",
    "json_equal",
    "match_value",
    "nearest_paths",
    "parse_expected",
    "redact",
    "render_value",
    "rooted",
    "walk",
]
