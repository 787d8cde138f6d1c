"""The matcher: every marker, every mode, and every mismatch reported at its own path."""

from __future__ import annotations

from typing import Any, NamedTuple

import pytest

from flowspec.expect import MISSING, Mismatch, Mode, match_value
from flowspec.expect.match import fits

UUID = "123e4567-e89b-12d3-a456-426614174000"


class Case(NamedTuple):
    id: str
    actual: Any
    expected: Any
    mode: Mode
    paths: list[str]
    """The paths of the mismatches reported, in order; empty when the values match."""


def case(
    id: str, actual: Any, expected: Any, paths: list[str] | None = None, mode: Mode = "equals"
) -> Case:
    return Case(id, actual, expected, mode, paths or [])


MARKERS = [
    case("string", "Ada", "#string"),
    case("string-not-number", 5, "#string", ["$"]),
    case("number-int", 5, "#number"),
    case("number-float", 2.5, "#number"),
    case("number-not-numeric-text", "5", "#number", ["$"]),
    case("number-not-boolean", True, "#number", ["$"]),
    case("boolean", False, "#boolean"),
    case("boolean-not-zero", 0, "#boolean", ["$"]),
    case("array", [1], "#array"),
    case("array-not-object", {}, "#array", ["$"]),
    case("object", {"a": 1}, "#object"),
    case("object-not-array", [], "#object", ["$"]),
    case("null", {"a": None}, {"a": "#null"}),
    case("null-not-zero", {"a": 0}, {"a": "#null"}, ["$.a"]),
    case("null-needs-the-key", {}, {"a": "#null"}, ["$.a"]),
    case("notnull", {"a": 0}, {"a": "#notnull"}),
    case("notnull-not-null", {"a": None}, {"a": "#notnull"}, ["$.a"]),
    case("notnull-needs-the-key", {}, {"a": "#notnull"}, ["$.a"]),
    case("present-null", {"a": None}, {"a": "#present"}),
    case("present-absent", {}, {"a": "#present"}, ["$.a"]),
    case("notpresent", {}, {"a": "#notpresent"}),
    case("notpresent-null", {"a": None}, {"a": "#notpresent"}, ["$.a"]),
    case("ignore-value", {"a": [1, {"b": 2}]}, {"a": "#ignore"}),
    case("ignore-absent", {}, {"a": "#ignore"}),
    case("uuid", UUID, "#uuid"),
    case("uuid-upper-case", UUID.upper(), "#uuid"),
    case("uuid-misplaced-hyphen", "123e4567e-89b-12d3-a456-426614174000", "#uuid", ["$"]),
    case("uuid-not-hex", "zzze4567-e89b-12d3-a456-426614174000", "#uuid", ["$"]),
    case("email", "ada@acme.test", "#email"),
    case("email-no-domain-dot", "ada@acme", "#email", ["$"]),
    case("email-space", "ada lovelace@acme.test", "#email", ["$"]),
    case("datetime-utc", "2024-05-01T10:00:00Z", "#datetime"),
    case("datetime-offset-fraction", "2024-05-01T10:00:00.123+02:00", "#datetime"),
    case("datetime-date-only", "2024-05-01", "#datetime", ["$"]),
    case("datetime-month-13", "2024-13-01T10:00:00Z", "#datetime", ["$"]),
    case("datetime-not-a-string", 1_714_557_600, "#datetime", ["$"]),
    case("regex-full-match", "abc", "#regex [a-z]+"),
    case("regex-partial-is-not-enough", "abc1", "#regex [a-z]+", ["$"]),
    case("regex-with-spaces", "Ada Lovelace", "#regex [A-Z]\\w+ [A-Z]\\w+"),
    case("regex-not-a-string", 1, "#regex \\d", ["$"]),
    case("any-array", [], "#[]"),
    case("any-array-not-string", "x", "#[]", ["$"]),
    case("array-length", [1, 2], "#[2]"),
    case("array-length-wrong", [1], "#[2]", ["$"]),
    case("array-each", ["a", "b"], "#[] #string"),
    case("array-each-wrong-item", ["a", 1, "c", True], "#[] #string", ["$[1]", "$[3]"]),
    case("array-length-and-each", [1, 2], "#[2] #number"),
    case("array-each-bare-marker", [1.5, 2], "#[] number"),
    case("array-each-optional-items", ["a", None], "#[] ##string"),
    case("array-each-regex", ["t1", "t22"], "#[] #regex t\\d+"),
    case("optional-string", {"a": "x"}, {"a": "##string"}),
    case("optional-string-null", {"a": None}, {"a": "##string"}),
    case("optional-string-absent", {}, {"a": "##string"}),
    case("optional-string-wrong-type", {"a": 1}, {"a": "##string"}, ["$.a"]),
    case("optional-array-absent", {}, {"a": "##[] #number"}),
    case("optional-array-items-checked", {"a": [1, "2"]}, {"a": "##[] #number"}, ["$.a[1]"]),
    case("optional-uuid-null", {"a": None}, {"a": "##uuid"}),
    case("optional-uuid-wrong", {"a": "nope"}, {"a": "##uuid"}, ["$.a"]),
    case("escaped-hash-is-literal", "#general", "\\#general"),
    case("escaped-hash-differs", "#random", "\\#general", ["$"]),
    case("double-backslash-keeps-one", "\\#x", "\\\\#x"),
]

EQUALS = [
    case("scalar", "Ada", "Ada"),
    case("int-float", 1, 1.0),
    case("true-not-one", True, 1, ["$"]),
    case("zero-not-false", 0, False, ["$"]),
    case("string-not-number", "36", 36, ["$"]),
    case("null", None, None),
    case("null-not-absent", {}, {"a": None}, ["$.a"]),
    case("key-order-ignored", {"a": 1, "b": 2}, {"b": 2, "a": 1}),
    case("extra-key", {"a": 1, "b": 2}, {"a": 1}, ["$.b"]),
    case("missing-key", {"a": 1}, {"a": 1, "b": 2}, ["$.b"]),
    case("array-order-matters", [1, 2], [2, 1], ["$[0]", "$[1]"]),
    case("array-length", [1, 2, 3], [1, 2], ["$"]),
    case("object-not-array", {"a": 1}, [1], ["$"]),
    case(
        "nested",
        {"user": {"roles": ["admin", "viewer"], "tenant": {"id": "T1"}}},
        {"user": {"roles": ["admin", "owner"], "tenant": {"id": "T2"}}},
        ["$.user.roles[1]", "$.user.tenant.id"],
    ),
    case(
        "several-at-once",
        {"name": "Ada", "age": 36, "roles": ["a"], "extra": True},
        {"name": "Bob", "age": "#string", "roles": ["a"], "phone": "#present"},
        ["$.name", "$.age", "$.phone", "$.extra"],
    ),
    case("markers-inside-arrays", [{"id": UUID, "n": 1}], [{"id": "#uuid", "n": "#number"}]),
    case("quoted-key-paths", {"a b": {"where": 1}}, {"a b": {"where": 2}}, ["$['a b']['where']"]),
]

CONTAINS = [
    case("string-substring", "ada@acme.test", "@acme", mode="contains"),
    case("string-substring-missing", "ada@acme.test", "@example", ["$"], mode="contains"),
    case("string-all-substrings", "ada@acme.test", ["ada", "acme"], mode="contains"),
    case("string-some-substring-missing", "ada@acme", ["ada", "x"], ["$"], mode="contains"),
    case("string-number-is-not-text", "tel 555", 555, ["$"], mode="contains"),
    case("array-member", ["admin", "viewer"], "admin", mode="contains"),
    case("array-member-missing", ["admin", "viewer"], "owner", ["$"], mode="contains"),
    case("array-subset-any-order", ["a", "b", "c"], ["c", "a"], mode="contains"),
    case("array-repeats-do-not-count", ["a"], ["a", "a"], mode="contains"),
    case("array-marker-member", ["a", 1], "#number", mode="contains"),
    case("array-of-objects-subset", [{"id": 1, "n": "x"}], {"n": "x"}, mode="contains"),
    case(
        "array-of-objects-closest-reported",
        [{"id": "t1", "name": "Start"}, {"id": "t2", "name": "Login"}],
        [{"id": "t2", "name": "Logn"}],
        ["$[1].name"],
        mode="contains",
    ),
    case("object-subset", {"a": 1, "b": 2}, {"b": 2}, mode="contains"),
    case("object-subset-wrong-value", {"a": 1, "b": 2}, {"b": 3}, ["$.b"], mode="contains"),
    case("object-subset-missing-key", {"a": 1}, {"c": 3}, ["$.c"], mode="contains"),
    case(
        "object-deep-subset",
        {"user": {"name": "Ada", "roles": ["admin", "viewer"], "age": 36}},
        {"user": {"roles": ["viewer"]}},
        mode="contains",
    ),
    case(
        "object-nested-text-is-not-substring",
        {"user": {"name": "Ada"}},
        {"user": {"name": "Ad"}},
        ["$.user.name"],
        mode="contains",
    ),
    case("object-notpresent-in-subset", {"a": 1}, {"b": "#notpresent"}, mode="contains"),
    case("number-has-nothing-in-it", 36, 3, ["$"], mode="contains"),
    case("object-and-a-key-name", {"a": 1}, "a", ["$"], mode="contains"),
]

CONTAINS_ONLY = [
    case("any-order", ["a", "b"], ["b", "a"], mode="contains only"),
    case("missing-item", ["a", "b"], ["a", "b", "c"], ["$"], mode="contains only"),
    case("extra-item", ["a", "b", "c"], ["a", "b"], ["$[2]"], mode="contains only"),
    case("repeats-count", ["a", "b"], ["a", "a"], ["$[1]"], mode="contains only"),
    case("markers-need-pairing", ["a", "b"], ["#string", "a"], mode="contains only"),
    case("single-item", ["a"], "a", mode="contains only"),
    case(
        "objects-compare-whole",
        [{"id": 1, "n": 2}],
        [{"id": 1}],
        ["$[0].n"],
        mode="contains only",
    ),
    case("object-exact-keys", {"a": 1, "b": 2}, {"b": 2, "a": 1}, mode="contains only"),
    case("object-extra-key", {"a": 1, "b": 2}, {"a": 1}, ["$.b"], mode="contains only"),
]

CONTAINS_ANY = [
    case("array", ["a", "b"], ["x", "b"], mode="contains any"),
    case("array-none", ["a", "b"], ["x", "y"], ["$"], mode="contains any"),
    case("array-object-subset", [{"id": 1, "n": 2}], [{"n": 2}], mode="contains any"),
    case("string", "ada@acme.test", ["@example", "@acme"], mode="contains any"),
    case("string-none", "ada@acme.test", ["@example", "@test.org"], ["$"], mode="contains any"),
    case("object", {"a": 1, "b": 2}, {"a": 9, "b": 2}, mode="contains any"),
    case("object-none", {"a": 1, "b": 2}, {"a": 9, "c": 2}, ["$"], mode="contains any"),
]

NOT_CONTAINS = [
    case("array", ["a", "b"], ["x", "y"], mode="not contains"),
    case("array-found", ["a", "b", "c"], ["c", "a"], ["$[2]", "$[0]"], mode="not contains"),
    case("array-single", ["admin"], "owner", mode="not contains"),
    case("array-object-subset-found", [{"id": 1, "n": 2}], {"n": 2}, ["$[0]"], mode="not contains"),
    case("string", "ada@acme.test", "@example", mode="not contains"),
    case("string-found", "ada@acme.test", ["@acme", "x"], ["$"], mode="not contains"),
    case("object", {"a": 1}, {"a": 2, "b": 1}, mode="not contains"),
    case("object-found", {"a": 1, "b": 2}, {"a": 1, "b": 3}, ["$.a"], mode="not contains"),
    case("object-key-present", {"a": None}, {"a": "#present"}, ["$.a"], mode="not contains"),
    case("marker-on-a-value", "Ada", "#null", mode="not contains"),
    case("marker-on-a-value-found", None, "#null", ["$"], mode="not contains"),
]

CASES = MARKERS + EQUALS + CONTAINS + CONTAINS_ONLY + CONTAINS_ANY + NOT_CONTAINS


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_match_value_reports_each_mismatch_at_its_path(case: Case) -> None:
    """match_value reports exactly the expected mismatch paths, and none when values match."""
    mismatches = match_value(case.actual, case.expected, mode=case.mode)
    assert [m.path for m in mismatches] == case.paths
    assert fits(case.actual, case.expected, case.mode) is not case.paths


def test_a_mismatch_holds_expected_actual_and_a_reason() -> None:
    """A mismatch keeps the expected value as written, the actual value and a short reason."""
    [mismatch] = match_value({"age": 5}, {"age": "#string"}, at="$.user")
    assert mismatch == Mismatch(
        "$.user.age", "#string", 5, "expected a string (#string), got a number (5)"
    )
    assert str(mismatch) == "$.user.age: expected a string (#string), got a number (5)"


def test_an_absent_key_is_missing_not_null() -> None:
    """A key that is not there has the MISSING actual value, which is not null."""
    [mismatch] = match_value({}, {"a": None})
    assert mismatch.actual is MISSING
    assert mismatch.reason == "expected null, got nothing (no such key)"


def test_an_unexpected_key_has_missing_as_its_expected_value() -> None:
    """In equals, a key the expected object lacks is reported with MISSING expected."""
    [mismatch] = match_value({"a": 1, "b": [2]}, {"a": 1})
    assert (mismatch.path, mismatch.expected, mismatch.actual) == ("$.b", MISSING, [2])
    assert mismatch.reason == "expected no such key, got an array of 1 item ([2])"


@pytest.mark.parametrize(
    ("actual", "expected", "mode", "reason"),
    [
        ("36", 36, "equals", 'expected 36, got a string ("36")'),
        ("Ada", "Bob", "equals", 'expected "Bob", got "Ada"'),
        ([1], [1, 2], "equals", "expected 2 items, got 1: [1]"),
        ("x", "#[2]", "equals", 'expected an array of 2 items (#[2]), got a string ("x")'),
        (None, "##number", "equals", ""),
        (
            3,
            "##string",
            "equals",
            "expected a string, null or no such key (##string), got a number (3)",
        ),
        ("tel 555", 555, "contains", 'to look for the text 555, quote it: "555"'),
        (["a"], "b", "contains", 'expected an item equal to "b", got none among 1 item: ["a"]'),
        ("abc", ["x", "y"], "contains any", 'expected a string containing "x" or "y", got "abc"'),
        (["a", "b"], ["a"], "contains only", 'expected no further item, got "b"'),
        (["a"], "a", "not contains", 'expected no item matching "a", got "a"'),
    ],
    ids=[
        "type-shown-when-it-differs",
        "same-type",
        "array-length",
        "array-marker",
        "optional-null-passes",
        "optional-described",
        "number-in-string-hint",
        "no-such-item",
        "no-such-text",
        "extra-item",
        "unwanted-item",
    ],
)
def test_reasons_read_as_expected_then_actual(
    actual: Any, expected: Any, mode: Mode, reason: str
) -> None:
    """Each reason says what was expected, then what was there, in JSON."""
    found = match_value(actual, expected, mode=mode)
    if not reason:
        assert found == []
    else:
        assert reason in found[0].reason


def test_unmatched_object_item_is_explained_by_its_closest_candidate() -> None:
    """When no array item matches an expected object, the closest item's differences show."""
    [mismatch] = match_value(
        [{"id": "t1", "name": "Start"}, {"id": "t2", "name": "Login"}],
        {"id": "t2", "name": "Logn"},
        mode="contains",
        at="$.flow.path",
    )
    assert mismatch.path == "$.flow.path[1].name"
    assert mismatch.reason.endswith("(no item matches; this one is the closest)")


def test_a_missing_key_suggests_the_key_it_was_likely_meant_to_be() -> None:
    """A misspelt expected key is reported missing with the close key the object has."""
    found = match_value({"name": "Ada", "email": "a@b.test"}, {"nmae": "Ada"}, mode="contains")
    assert [m.path for m in found] == ["$.nmae"]
    assert found[0].reason.endswith("Did you mean 'name'?")


def test_a_missing_key_with_no_close_key_gets_no_suggestion() -> None:
    """A missing key unlike any other key is reported without a guess."""
    found = match_value({"name": "Ada"}, {"tenant": "acme"}, mode="contains")
    assert "Did you mean" not in found[0].reason
