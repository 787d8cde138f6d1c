"""Checks on the flow context: when they pass, and what they say when they fail."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import pytest

import flowspec.expect
from flowspec.errors import ExpectationFailed, FlowMisbehaved
from flowspec.expect import (
    check_absent,
    check_exists,
    check_match,
    check_not_match,
    describe_mismatch,
    json_equal,
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
        "loggedIn": False,
        "email": "ada@acme.test",
        "name": "Ada",
        "roles": ["admin", "viewer"],
        "age": 36,
    },
    "error": None,
    "runnerLogs": [f"refresh token was {JWT}"],
}

Check = Callable[..., None]
contains = partial(check_match, mode="contains")


@pytest.mark.parametrize(
    ("check", "args"),
    [
        (check_match, ("$.user.loggedIn", False)),
        (check_match, ("user.name", "Ada")),
        (check_match, ("$.user.age", 36.0)),
        (check_match, ("$.error", None)),
        (check_match, ("$.flow.path[*].name", ["Start", "Login"])),
        (check_match, ("$.flow.path[?(@.id == 't2')].name", "Login")),
        (check_match, ("$.user.roles", ["admin", "viewer"])),
        (check_not_match, ("$.user.loggedIn", True)),
        (check_not_match, ("$.user.age", "36")),
        (check_not_match, ("$.user.loggedIn", 0)),
        (contains, ("$.user.email", "@acme")),
        (contains, ("$.user.roles", "admin")),
        (contains, ("$.flow.path[*].name", "Login")),
        (contains, ("$.user", {"name": "Ada", "age": 36})),
        (contains, ("$.flow.path", {"name": "Start"})),
        (contains, ("$.flow.path", {"id": "t1", "name": "Start"})),
        (check_exists, ("$.user.email",)),
        (check_exists, ("$.error",)),
        (check_exists, ("$.flow.path[*]",)),
        (check_absent, ("$.user.phone",)),
        (check_absent, ("$.flow.path[?(@.id == 't9')]",)),
    ],
    ids=[
        "equals-boolean",
        "equals-dollarless",
        "equals-int-float",
        "equals-null",
        "equals-all-matches",
        "equals-filtered",
        "equals-array",
        "not-equals-boolean",
        "not-equals-string-number",
        "not-equals-false-zero",
        "contains-substring",
        "contains-member",
        "contains-among-matches",
        "contains-subset",
        "contains-member-superset",
        "contains-member-equal",
        "exists",
        "exists-null",
        "exists-several",
        "absent",
        "absent-filter",
    ],
)
def test_check_passes(check: Check, args: tuple[Any, ...]) -> None:
    """Each check returns quietly when the context holds what it expects."""
    check(CONTEXT, *args)


@pytest.mark.parametrize(
    ("check", "args", "first_line"),
    [
        (check_match, ("$.user.loggedIn", True), "$.user.loggedIn: expected true, got false"),
        (check_match, ("$.user.age", "36"), '$.user.age: expected "36", got a number (36)'),
        (check_match, ("$.user.loggedIn", 0), "$.user.loggedIn: expected 0, got a boolean (false)"),
        (
            check_match,
            ("$.flow.path[*].name", ["Start"]),
            '$.flow.path[*].name: expected 1 item, got 2: ["Start", "Login"]',
        ),
        (
            check_not_match,
            ("$.user.name", "Ada"),
            '$.user.name: expected anything but "Ada", got "Ada"',
        ),
        (
            contains,
            ("$.user.email", "@example"),
            '$.user.email: expected a string containing "@example", got "ada@acme.test"',
        ),
        (
            contains,
            ("$.user.roles", "owner"),
            '$.user.roles: expected an item equal to "owner", got none among 2 items',
        ),
        (
            contains,
            ("$.user", {"name": "Bob"}),
            '$.user.name: expected "Bob", got "Ada"',
        ),
        (
            contains,
            ("$.user.age", 3),
            "$.user.age: expected an array, object or string to look in, got a number (36)",
        ),
        (
            contains,
            ("$.user.email", 3),
            "$.user.email: expected a text to look for in a string, got a number (3)",
        ),
        (
            check_absent,
            ("$.user.email",),
            '$.user.email: expected nothing there, got "ada@acme.test"',
        ),
        (check_absent, ("$.error",), "$.error: expected nothing there, got null"),
        (
            check_exists,
            ("$.user.loggedin",),
            "$.user.loggedin: nothing there. Did you mean $.user.loggedIn?",
        ),
        (
            check_match,
            ("user.emial", "x"),
            "$.user.emial: nothing there. Did you mean $.user.email?",
        ),
        (check_not_match, ("$.user.phone", "x"), "$.user.phone: nothing there."),
        (
            contains,
            ("$.flow.paths", "x"),
            "$.flow.paths: nothing there. Did you mean $.flow.path?",
        ),
    ],
    ids=[
        "equals",
        "equals-string-not-number",
        "equals-zero-not-false",
        "equals-all-matches",
        "not-equals",
        "contains-substring",
        "contains-member",
        "contains-subset",
        "contains-in-number",
        "contains-number-in-string",
        "absent",
        "absent-null",
        "exists",
        "equals-missing",
        "not-equals-missing",
        "contains-missing",
    ],
)
def test_check_fails_with_path_expected_and_actual(
    check: Check, args: tuple[Any, ...], first_line: str
) -> None:
    """A failing check raises ExpectationFailed whose first line names path, expected, actual."""
    with pytest.raises(ExpectationFailed) as raised:
        check(CONTEXT, *args)
    assert str(raised.value).splitlines()[0].startswith(first_line)


def test_failure_is_an_assertion_error_for_behave() -> None:
    """ExpectationFailed is a FlowMisbehaved and an AssertionError, so behave marks it failed."""
    with pytest.raises(AssertionError) as raised:
        check_match(CONTEXT, "$.user.loggedIn", True)
    assert isinstance(raised.value, FlowMisbehaved)


def test_mismatch_message_shows_the_context_near_the_path() -> None:
    """A mismatch message shows the parent object, indented under the first line."""
    with pytest.raises(ExpectationFailed) as raised:
        check_match(CONTEXT, "$.user.loggedIn", True)
    lines = str(raised.value).splitlines()
    assert lines[1] == "  context near $.user:"
    assert lines[2:] == [
        "  {",
        '    "loggedIn": false,',
        '    "email": "ada@acme.test",',
        '    "name": "Ada",',
        '    "roles": [',
        '      "admin",',
        '      "viewer"',
        "    ],",
        '    "age": 36',
        "  }",
    ]


def test_missing_message_shows_the_nearest_existing_parent() -> None:
    """A nothing-there message shows the nearest ancestor of the path that exists."""
    document = {"user": {"loggedIn": False}}
    with pytest.raises(ExpectationFailed) as raised:
        check_match(document, "$.user.loggedin", True)
    assert str(raised.value) == (
        "$.user.loggedin: nothing there. Did you mean $.user.loggedIn?\n"
        "  context near $.user:\n"
        '  {"loggedIn": false}'
    )


def test_missing_message_without_lookalikes_has_no_suggestion() -> None:
    """When nothing looks like the path, the message says so without a question."""
    with pytest.raises(ExpectationFailed) as raised:
        check_exists(CONTEXT, "$.session.accepted")
    first = str(raised.value).splitlines()[0]
    assert first == "$.session.accepted: nothing there."


@pytest.mark.parametrize(
    ("check", "args"),
    [
        (check_match, ("$.runnerLogs[0]", "nothing")),
        (contains, ("$.runnerLogs", "absent")),
        (check_absent, ("$.runnerLogs",)),
        (check_not_match, ("$.runnerLogs[0]", f"refresh token was {JWT}")),
        (check_match, ("$.user.name", JWT)),
        (check_exists, ("$.runnerLogz",)),
    ],
    ids=["actual", "contains", "absent", "expected-equals-actual", "expected", "excerpt"],
)
def test_messages_never_hold_a_raw_jwt(check: Check, args: tuple[Any, ...]) -> None:
    """A token in the context or in the expected value is redacted from every message."""
    with pytest.raises(ExpectationFailed) as raised:
        check(CONTEXT, *args)
    message = str(raised.value)
    assert JWT not in message
    assert JWT.split(".")[0] not in message
    assert "<redacted JWT>" in message


def test_describe_mismatch_builds_the_standard_message() -> None:
    """describe_mismatch writes the first line from a rendered expectation and the actual."""
    message = describe_mismatch(CONTEXT, "$.user.age", "a number above 40", 36)
    assert message.splitlines()[:2] == [
        "$.user.age: expected a number above 40, got 36",
        "  context near $.user:",
    ]


@pytest.mark.parametrize(
    ("left", "right", "equal"),
    [
        (1, 1.0, True),
        (True, 1, False),
        (False, 0, False),
        (True, True, True),
        (None, None, True),
        (None, False, False),
        ("1", 1, False),
        ([1, True], [1.0, True], True),
        ([1, True], [1, 1], False),
        ({"a": 1}, {"a": 1.0}, True),
        ({"a": True}, {"a": 1}, False),
        ({"a": 1}, {"a": 1, "b": 2}, False),
        ([1, 2], [2, 1], False),
        ([1], (1,), True),
    ],
    ids=[
        "int-float",
        "true-one",
        "false-zero",
        "booleans",
        "nulls",
        "null-false",
        "string-number",
        "arrays",
        "array-true-one",
        "objects",
        "object-true-one",
        "extra-key",
        "order",
        "tuple-as-array",
    ],
)
def test_json_equal_follows_json_not_python(left: Any, right: Any, equal: bool) -> None:
    """json_equal treats numbers by value but never a boolean as a number."""
    assert json_equal(left, right) is equal
    assert json_equal(right, left) is equal


def test_public_names_are_sorted_and_importable() -> None:
    """flowspec.expect exports one sorted __all__, every name of which exists."""
    names = flowspec.expect.__all__
    assert names == sorted(names)
    assert all(hasattr(flowspec.expect, name) for name in names)
