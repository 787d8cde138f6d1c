"""Marker-aware checks on a path of the flow context, and the messages they fail with."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

import pytest

from flowspec.errors import ExpectationFailed, JSONPathSyntaxError, UnknownNameError, WorldError
from flowspec.expect import (
    check_compare,
    check_count,
    check_document,
    check_each,
    check_match,
    check_not_match,
    check_regex,
)

JWT = (
    "eyJhbGciOiJSUzI1NiIsImtpZCI6IlAyQUJDIn0"
    ".eyJzdWIiOiJVMmFiYyIsImV4cCI6MTcwMDAwMDAwMH0"
    ".c2lnbmF0dXJlLWJ5dGVzLW5vdC1yZWFsbHktYS1zaWduYXR1cmU"
)

CONTEXT: dict[str, Any] = {
    "flow": {
        "status": "completed",
        "path": [{"id": "t1", "name": "Start"}, {"id": "t2", "name": "Login"}],
    },
    "user": {
        "loggedIn": True,
        "userId": "U2abc",
        "email": "ada@acme.test",
        "name": "Ada",
        "roles": ["admin", "viewer"],
        "age": 36,
        "tenants": {"T1": {"roles": ["admin"]}, "T2": {"roles": []}},
    },
    "authInfo": {"sessionJwt": {"sub": "U2abc", "amr": ["pwd", "otp"], "exp": 1_900_000_000}},
    "error": None,
    "runnerLogs": [f"refresh token was {JWT}"],
}

Check = Callable[..., None]


def failure(check: Check, *args: Any, **kwargs: Any) -> str:
    """The message of the ExpectationFailed that ``check`` raises on CONTEXT."""
    with pytest.raises(ExpectationFailed) as raised:
        check(CONTEXT, *args, **kwargs)
    return str(raised.value)


PASSING: list[tuple[str, Check, tuple[Any, ...], dict[str, Any]]] = [
    (
        "match-markers",
        check_match,
        (
            "$.user",
            {
                "name": "#string",
                "age": "#number",
                "email": "#email",
                "loggedIn": "#boolean",
                "userId": "#regex U2\\w+",
                "roles": "#[2] #string",
                "tenants": "#object",
                "phone": "##string",
            },
        ),
        {},
    ),
    ("match-dollarless", check_match, ("user.name", "Ada"), {}),
    ("match-filter-one-as-value", check_match, ("$.flow.path[?(@.id == 't2')].name", "Login"), {}),
    ("match-filter-as-array", check_match, ("$.flow.path[?(@.id == 't2')].name", ["Login"]), {}),
    (
        "match-filter-none-notpresent",
        check_match,
        ("$.flow.path[?(@.id == 't9')]", "#notpresent"),
        {},
    ),
    ("match-filter-none-empty-array", check_match, ("$.flow.path[?(@.id == 't9')]", []), {}),
    ("match-wildcard-list", check_match, ("$.flow.path[*].name", ["Start", "Login"]), {}),
    (
        "match-wildcard-contains",
        check_match,
        ("$.flow.path[*].name", "Login"),
        {"mode": "contains"},
    ),
    ("match-notpresent-on-missing-path", check_match, ("$.user.phone", "#notpresent"), {}),
    ("match-optional-on-missing-path", check_match, ("$.user.phone", "##string"), {}),
    ("match-ignore-on-missing-path", check_match, ("$.user.phone", "#ignore"), {}),
    (
        "match-contains-only",
        check_match,
        ("$.authInfo.sessionJwt.amr", ["otp", "pwd"]),
        {"mode": "contains only"},
    ),
    (
        "match-contains-any",
        check_match,
        ("$.user.roles", ["owner", "viewer"]),
        {"mode": "contains any"},
    ),
    ("match-not-contains", check_match, ("$.user.roles", "owner"), {"mode": "not contains"}),
    ("not-match", check_not_match, ("$.user.name", "#number"), {}),
    ("each-array", check_each, ("$.flow.path", {"id": "#regex t\\d", "name": "#string"}), {}),
    ("each-wildcard", check_each, ("$.user.tenants.*.roles", "#array"), {}),
    ("each-empty-array", check_each, ("$.user.tenants.T2.roles", "#string"), {}),
    ("count-array", check_count, ("$.user.roles", 2), {}),
    ("count-object-keys", check_count, ("$.user.tenants", 2), {}),
    ("count-wildcard", check_count, ("$.flow.path[*]", 2), {}),
    ("count-filter-none", check_count, ("$.flow.path[?(@.id == 't9')]", 0), {}),
    ("count-empty-wildcard", check_count, ("$.user.tenants.T2.roles[*]", 0), {}),
    ("regex-search", check_regex, ("$.user.email", "@acme\\."), {}),
    ("regex-each", check_regex, ("$.flow.path[*].id", "^t\\d$"), {}),
    ("compare-greater", check_compare, ("$.user.age", ">", 18), {}),
    ("compare-at-least", check_compare, ("$.user.age", ">=", 36), {}),
    ("compare-less", check_compare, ("$.user.age", "<", 36.5), {}),
    ("compare-at-most", check_compare, ("$.user.age", "<=", 36), {}),
    (
        "document-subset",
        check_document,
        ({"user": {"roles": ["viewer"], "tenants": {"T1": {}}}},),
        {},
    ),
    (
        "document-markers",
        check_document,
        ({"flow": {"path": "#[2]"}, "error": "#null", "session": "#notpresent"},),
        {},
    ),
    ("document-exact-self", check_document, (copy.deepcopy(CONTEXT),), {"exact": True}),
]


@pytest.mark.parametrize(
    ("check", "args", "kwargs"),
    [case[1:] for case in PASSING],
    ids=[case[0] for case in PASSING],
)
def test_check_passes(check: Check, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Each check returns quietly when the context holds what it expects."""
    check(CONTEXT, *args, **kwargs)


FAILING: list[tuple[str, Check, tuple[Any, ...], dict[str, Any], str]] = [
    (
        "match-literal",
        check_match,
        ("$.user.name", "Bob"),
        {},
        '$.user.name: expected "Bob", got "Ada"',
    ),
    (
        "match-marker",
        check_match,
        ("$.user.age", "#string"),
        {},
        "$.user.age: expected a string (#string), got a number (36)",
    ),
    (
        "match-missing-path",
        check_match,
        ("$.user.nmae", "Ada"),
        {},
        "$.user.nmae: nothing there. Did you mean $.user.name?",
    ),
    (
        "match-filter-none",
        check_match,
        ("$.flow.path[?(@.id == 't9')].name", "x"),
        {},
        "$.flow.path[?(@.id == 't9')].name: nothing there.",
    ),
    (
        "match-present-on-missing-path",
        check_match,
        ("$.user.phone", "#present"),
        {},
        "$.user.phone: nothing there.",
    ),
    (
        "match-not-contains-on-missing-path",
        check_match,
        ("$.user.phone", "x"),
        {"mode": "not contains"},
        "$.user.phone: nothing there.",
    ),
    (
        "match-notpresent-on-a-value",
        check_match,
        ("$.user.name", "#notpresent"),
        {},
        '$.user.name: expected no such key (#notpresent), got a string ("Ada")',
    ),
    (
        "match-wildcard-item",
        check_match,
        ("$.flow.path[*].name", ["Start", "Logout"]),
        {},
        '$.flow.path[1].name: expected "Logout", got "Login"',
    ),
    (
        "match-wildcard-length",
        check_match,
        ("$.flow.path[*].name", ["Start"]),
        {},
        '$.flow.path[*].name: expected 1 item, got 2: ["Start", "Login"]',
    ),
    (
        "match-not-contains",
        check_match,
        ("$.user.roles", "viewer"),
        {"mode": "not contains"},
        '$.user.roles[1]: expected no item matching "viewer", got "viewer"',
    ),
    (
        "not-match",
        check_not_match,
        ("$.user.name", "#string"),
        {},
        '$.user.name: expected anything but a string (#string), got "Ada"',
    ),
    (
        "not-match-missing-path",
        check_not_match,
        ("$.user.phone", "x"),
        {},
        "$.user.phone: nothing there.",
    ),
    (
        "each-item",
        check_each,
        ("$.flow.path", {"id": "t1", "name": "#string"}),
        {},
        '$.flow.path[1].id: expected "t1", got "t2"',
    ),
    (
        "each-wildcard-item",
        check_each,
        ("$.flow.path[*].id", "#regex t1"),
        {},
        "$.flow.path[1].id: expected a string matching t1 in full",
    ),
    (
        "each-not-array",
        check_each,
        ("$.user.name", "#string"),
        {},
        '$.user.name: expected an array, got a string ("Ada")',
    ),
    (
        "each-missing-path",
        check_each,
        ("$.user.rolez", "#string"),
        {},
        "$.user.rolez: nothing there. Did you mean $.user.roles?",
    ),
    (
        "count-array",
        check_count,
        ("$.user.roles", 3),
        {},
        '$.user.roles: expected 3 items, got 2: ["admin", "viewer"]',
    ),
    (
        "count-keys",
        check_count,
        ("$.user.tenants", 1),
        {},
        "$.user.tenants: expected 1 key, got 2:",
    ),
    (
        "count-matches",
        check_count,
        ("$.flow.path[*]", 1),
        {},
        "$.flow.path[*]: expected 1 match, got 2:",
    ),
    (
        "count-not-countable",
        check_count,
        ("$.user.age", 1),
        {},
        "$.user.age: expected an array or object of 1 item, got a number (36)",
    ),
    (
        "count-mistyped-wildcard",
        check_count,
        ("$.flow.paths[*]", 0),
        {},
        "$.flow.paths[*]: nothing there.",
    ),
    (
        "regex",
        check_regex,
        ("$.user.email", "^bob"),
        {},
        '$.user.email: expected a string matching /^bob/, got "ada@acme.test"',
    ),
    (
        "regex-not-string",
        check_regex,
        ("$.user.age", "3"),
        {},
        "$.user.age: expected a string matching /3/, got a number (36)",
    ),
    (
        "regex-each",
        check_regex,
        ("$.flow.path[*].name", "^S"),
        {},
        '$.flow.path[1].name: expected a string matching /^S/, got "Login"',
    ),
    (
        "compare",
        check_compare,
        ("$.user.age", ">", 40),
        {},
        "$.user.age: expected a number greater than 40, got 36",
    ),
    (
        "compare-boolean",
        check_compare,
        ("$.user.loggedIn", ">=", 0),
        {},
        "$.user.loggedIn: expected a number at least 0, got a boolean (true)",
    ),
    (
        "compare-missing",
        check_compare,
        ("$.user.agee", "<", 1),
        {},
        "$.user.agee: nothing there. Did you mean $.user.age?",
    ),
    (
        "document-subset",
        check_document,
        ({"user": {"name": "Bob"}},),
        {},
        '$.user.name: expected "Bob", got "Ada"',
    ),
    (
        "document-exact-extra-key",
        check_document,
        ({k: v for k, v in CONTEXT.items() if k != "error"},),
        {"exact": True},
        "$.error: expected no such key, got null",
    ),
]


@pytest.mark.parametrize(
    ("check", "args", "kwargs", "first_line"),
    [case[1:] for case in FAILING],
    ids=[case[0] for case in FAILING],
)
def test_check_fails_with_path_expected_and_actual(
    check: Check, args: tuple[Any, ...], kwargs: dict[str, Any], first_line: str
) -> None:
    """A failing check raises ExpectationFailed whose first line names path, expected, actual."""
    assert failure(check, *args, **kwargs).splitlines()[0].startswith(first_line)


def test_several_mismatches_are_listed_under_one_head_with_one_excerpt() -> None:
    """Every mismatch gets a line under a head; one excerpt of their common parent follows."""
    message = failure(
        check_match,
        "$.user",
        {"name": "Bob", "age": "#string", "roles": ["owner"], "phone": 1},
        mode="contains",
    )
    lines = message.splitlines()
    assert lines[:5] == [
        '$.user: 4 mismatches (contains {"name": "Bob", "age": "#string", "roles": ["owner"], '
        '"phone": 1})',
        '  $.user.name: expected "Bob", got "Ada"',
        "  $.user.age: expected a string (#string), got a number (36)",
        '  $.user.roles: expected an item equal to "owner", got none among 2 items: '
        '["admin", "viewer"]',
        "  $.user.phone: expected 1, got nothing (no such key)",
    ]
    assert lines[5] == "  context near $.user:"
    assert message.count("context near") == 1


def test_document_mismatches_in_several_branches_show_their_common_parent() -> None:
    """Mismatches under user and flow are shown with an excerpt of the whole context."""
    message = failure(check_document, {"user": {"name": "Bob"}, "flow": {"status": "failed"}})
    lines = message.splitlines()
    assert lines[0] == "the flow context: 2 mismatches (contains the expected document)"
    assert lines[1:3] == [
        '  $.user.name: expected "Bob", got "Ada"',
        '  $.flow.status: expected "failed", got "completed"',
    ]
    assert lines[3] == "  context near $:"


def test_a_single_mismatch_shows_the_context_near_it() -> None:
    """One mismatch reads as its line, then the excerpt of its parent, indented."""
    message = failure(check_match, "$.flow.path[1].name", "Logout")
    assert message.splitlines()[:3] == [
        '$.flow.path[1].name: expected "Logout", got "Login"',
        "  context near $.flow.path[1]:",
        '  {"id": "t2", "name": "Login"}',
    ]


def test_many_mismatches_are_capped_with_a_count_of_the_rest() -> None:
    """Past twenty mismatch lines, the message says how many more there are."""
    document = {"items": list(range(30))}
    with pytest.raises(ExpectationFailed) as raised:
        check_each(document, "$.items", "#string")
    lines = str(raised.value).splitlines()
    assert lines[0] == '$.items: 30 mismatches (each matches "#string")'
    assert lines[20] == "  $.items[19]: expected a string (#string), got a number (19)"
    assert lines[21] == "  ... and 10 more"


@pytest.mark.parametrize(
    ("check", "args", "kwargs"),
    [
        (check_match, ("$.runnerLogs[0]", "nothing"), {}),
        (check_match, ("$.user.name", JWT), {}),
        (check_match, ("$.runnerLogs", [JWT]), {"mode": "contains"}),
        (check_match, ("$.runnerLogs", "#string"), {"mode": "not contains"}),
        (check_each, ("$.runnerLogs", "#number"), {}),
        (check_regex, ("$.runnerLogs[0]", "^nothing"), {}),
        (check_document, ({"runnerLogs": ["x"]},), {}),
        (check_document, ({"runnerLogz": JWT},), {}),
    ],
    ids=["actual", "expected", "contains", "not-contains", "each", "regex", "document", "missing"],
)
def test_messages_never_hold_a_raw_jwt(
    check: Check, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    """A token in the context or in the expected value is redacted from every message."""
    message = failure(check, *args, **kwargs)
    assert JWT not in message
    assert JWT.split(".")[0] not in message
    assert "<redacted JWT>" in message


def test_malformed_path_is_a_syntax_error_with_a_caret() -> None:
    """A path jsonpath-ng cannot parse raises JSONPathSyntaxError pointing at the column."""
    with pytest.raises(JSONPathSyntaxError) as raised:
        check_match(CONTEXT, "$.user..[name", "Ada")
    assert "^" in str(raised.value)


def test_unknown_mode_is_a_world_error() -> None:
    """A mode that is not one of the five is a mistake in the step, not a failure."""
    with pytest.raises(UnknownNameError, match="Did you mean 'contains'"):
        check_match(CONTEXT, "$.user", {}, mode="contain")  # type: ignore[arg-type]


def test_bad_regex_is_a_world_error_with_a_caret() -> None:
    """A malformed pattern is a world error that shows the pattern and the column."""
    with pytest.raises(WorldError) as raised:
        check_regex(CONTEXT, "$.user.email", "^(ada")
    assert not isinstance(raised.value, ExpectationFailed)
    lines = str(raised.value).splitlines()
    assert re.match(
        r"bad regular expression in the pattern for \$\.user\.email, column 2", lines[0]
    )
    assert lines[1:3] == ["    ^(ada", "     ^"]


@pytest.mark.parametrize(
    ("check", "args"),
    [
        (check_count, ("$.user.roles", -1)),
        (check_count, ("$.user.roles", True)),
        (check_compare, ("$.user.age", ">", "10")),
        (check_compare, ("$.user.age", "=>", 10)),
    ],
    ids=["negative-count", "boolean-count", "text-number", "unknown-comparison"],
)
def test_bad_arguments_are_world_errors(check: Check, args: tuple[Any, ...]) -> None:
    """A count or comparison that makes no sense is the scenario's mistake, not a failure."""
    with pytest.raises(WorldError):
        check(CONTEXT, *args)


def test_checks_never_change_the_context() -> None:
    """Filters over objects and failing checks leave the caller's document as it was."""
    before = copy.deepcopy(CONTEXT)
    check_count(CONTEXT, "$.user.tenants[?(@.roles)]", 2)
    with pytest.raises(ExpectationFailed):
        check_match(CONTEXT, "$.user", {"name": "Bob"}, mode="contains")
    assert before == CONTEXT
