"""Checks on the flow context, written as JSONPath: the only home of jsonpath-ng.

``paths`` compiles expressions (once each) and finds matches under canonical names;
``literals`` turns a Gherkin argument into the expected value; ``excerpt`` renders the
part of the context a failure message shows, with JWTs redacted; ``checks`` holds the
assertions, which raise ``flowspec.errors.ExpectationFailed``.
"""

from flowspec.expect.checks import (
    check_absent,
    check_contains,
    check_equals,
    check_exists,
    check_not_equals,
    describe_mismatch,
    describe_missing,
    json_equal,
)
from flowspec.expect.excerpt import REDACTED, excerpt, redact, render_value
from flowspec.expect.literals import parse_expected
from flowspec.expect.paths import compile_path, context_of, find, nearest_paths, rooted, walk

__all__ = [
    "REDACTED",
    "check_absent",
    "check_contains",
    "check_equals",
    "check_exists",
    "check_not_equals",
    "compile_path",
    "context_of",
    "describe_mismatch",
    "describe_missing",
    "excerpt",
    "find",
    "json_equal",
    "nearest_paths",
    "parse_expected",
    "redact",
    "render_value",
    "rooted",
    "walk",
]
