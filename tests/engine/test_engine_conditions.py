"""Descope's condition operators, dynamic-value lookup and branch choice."""

from __future__ import annotations

import copy
import pickle
from typing import Any

import pytest

from flowspec.engine.conditions import OPERATORS, choose_branch, evaluate
from flowspec.engine.dynamic import MISSING, lookup, render, text
from flowspec.engine.model import ELSE, AtomicCondition, Branch
from flowspec.errors import UnknownNameError

# (operator, target value, predicate, expected)
OPERATOR_CASES = [
    # equal: strict sameness or equal string forms
    pytest.param("equal", "US", "US", True, id="equal-same-string"),
    pytest.param("equal", "US", "FR", False, id="equal-other-string"),
    pytest.param("equal", 1, "1", True, id="equal-number-vs-numeric-string"),
    pytest.param("equal", 2.0, "2", True, id="equal-integral-float-prints-as-int"),
    pytest.param("equal", 1, 1.0, True, id="equal-int-vs-float"),
    pytest.param("equal", True, "true", True, id="equal-bool-vs-true-string"),
    pytest.param("equal", True, "True", False, id="equal-bool-vs-capitalised-string"),
    pytest.param("equal", True, 1, False, id="equal-bool-is-not-number"),
    pytest.param("equal", None, "", True, id="equal-null-vs-empty-string"),
    pytest.param("equal", ["a", "b"], ["a", "b"], True, id="equal-lists-by-value"),
    pytest.param("equal", "Us", "US", False, id="equal-case-sensitive"),
    # not-equal: the exact negation
    pytest.param("not-equal", "US", "FR", True, id="not-equal-different"),
    pytest.param("not-equal", 1, "1", False, id="not-equal-coerced-equal"),
    pytest.param("not-equal", True, 1, True, id="not-equal-bool-vs-number"),
    # contains: list membership (strict) or substring
    pytest.param("contains", ["admin", "user"], "admin", True, id="contains-list-member"),
    pytest.param("contains", ["admin"], "adm", False, id="contains-list-no-partial"),
    pytest.param("contains", [1, 2], "1", False, id="contains-list-strict-items"),
    pytest.param("contains", "hello world", "world", True, id="contains-substring"),
    pytest.param("contains", "phone", "totp", False, id="contains-no-substring"),
    pytest.param("contains", "v12", 12, True, id="contains-number-predicate-as-text"),
    pytest.param("contains", 123, "2", False, id="contains-number-target"),
    pytest.param("contains", {"a": 1}, "a", False, id="contains-object-target"),
    # doesnt-contains: the negation
    pytest.param("doesnt-contains", ["admin"], "owner", True, id="doesnt-contains-absent"),
    pytest.param("doesnt-contains", "hello world", "world", False, id="doesnt-contains-present"),
    # numeric comparisons
    pytest.param("greater-than", 0.7, 0.5, True, id="gt-numbers"),
    pytest.param("greater-than", 0.5, 0.5, False, id="gt-equal-numbers"),
    pytest.param("greater-than", "25", 18, True, id="gt-numeric-string"),
    pytest.param("greater-than", " 25 ", "18", True, id="gt-padded-numeric-strings"),
    pytest.param("greater-than", "1e3", 999, True, id="gt-exponent-string"),
    pytest.param("greater-than", True, 0, True, id="gt-bool-as-one"),
    pytest.param("greater-than", "abc", 1, False, id="gt-non-numeric-string"),
    pytest.param("greater-than", "", -1, False, id="gt-empty-string"),
    pytest.param("greater-than", None, -1, False, id="gt-null"),
    pytest.param("greater-than", [5], 1, False, id="gt-list"),
    pytest.param("greater-than", "1_000", 1, False, id="gt-underscore-string"),
    pytest.param("greater-than", "inf", 1, False, id="gt-infinity-string"),
    pytest.param("greater-than", 5, "x", False, id="gt-bad-predicate"),
    pytest.param("greater-than-or-equal", 0.5, "0.5", True, id="gte-equal"),
    pytest.param("greater-than-or-equal", 0.4, 0.5, False, id="gte-smaller"),
    pytest.param("less-than", "17", 18, True, id="lt-numeric-string"),
    pytest.param("less-than", 18, 18, False, id="lt-equal"),
    pytest.param("less-than-or-equal", 18, "18", True, id="lte-equal"),
    pytest.param("less-than-or-equal", 19, 18, False, id="lte-greater"),
    # empty / not-empty
    pytest.param("empty", None, None, True, id="empty-null"),
    pytest.param("empty", "", None, True, id="empty-string"),
    pytest.param("empty", [], None, True, id="empty-list"),
    pytest.param("empty", {}, None, True, id="empty-object"),
    pytest.param("empty", 0, None, False, id="empty-zero-is-a-value"),
    pytest.param("empty", False, None, False, id="empty-false-is-a-value"),
    pytest.param("empty", " ", None, False, id="empty-space-is-text"),
    pytest.param("not-empty", "+1 555", "", True, id="not-empty-text"),
    pytest.param("not-empty", [], "", False, id="not-empty-empty-list"),
    # is-true / is-false
    pytest.param("is-true", True, "", True, id="is-true-bool"),
    pytest.param("is-true", "true", "", True, id="is-true-string"),
    pytest.param("is-true", "TRUE", "", False, id="is-true-string-case-matters"),
    pytest.param("is-true", 2, "", True, id="is-true-nonzero"),
    pytest.param("is-true", 0, "", False, id="is-true-zero"),
    pytest.param("is-true", "yes", "", False, id="is-true-other-string"),
    pytest.param("is-true", [1], "", False, id="is-true-list"),
    pytest.param("is-false", False, False, True, id="is-false-bool"),
    pytest.param("is-false", "false", False, True, id="is-false-string"),
    pytest.param("is-false", 0.0, False, True, id="is-false-zero"),
    pytest.param("is-false", "", False, False, id="is-false-empty-string"),
    pytest.param("is-false", None, False, False, id="is-false-null"),
    # in / not-in
    pytest.param("in", "US", ["US", "CA"], True, id="in-list"),
    pytest.param("in", "FR", ["US", "CA"], False, id="in-list-absent"),
    pytest.param("in", "b", "a,b,c", True, id="in-comma-string"),
    pytest.param("in", "b", "a, b", False, id="in-comma-string-not-trimmed"),
    pytest.param("in", 1, "1,2", False, id="in-number-vs-string-items"),
    pytest.param("in", "US", 42, False, id="in-bad-predicate"),
    pytest.param("not-in", "FR", ["US", "CA"], True, id="not-in-absent"),
    pytest.param("not-in", "US", "US,CA", False, id="not-in-present"),
    pytest.param("not-in", "US", 42, False, id="not-in-bad-predicate"),
    # matches: regex search
    pytest.param("matches", "12345", r"^\d{5}$", True, id="matches-anchored"),
    pytest.param("matches", "1234", r"^\d{5}$", False, id="matches-anchored-miss"),
    pytest.param("matches", "a@corp.com", "corp", True, id="matches-search-not-fullmatch"),
    pytest.param("matches", "12345", "(bad", False, id="matches-bad-regex"),
    pytest.param("matches", 12345, r"\d+", False, id="matches-non-string-target"),
    # server-only validators
    pytest.param("is-email", "ana@example.com", None, True, id="is-email-valid"),
    pytest.param("is-email", "ana@example", None, False, id="is-email-no-tld"),
    pytest.param("is-email", "ana example@x.io", None, False, id="is-email-space"),
    pytest.param("is-email", 7, None, False, id="is-email-number"),
    pytest.param("is-phone", "+14155552671", None, True, id="is-phone-e164"),
    pytest.param("is-phone", "+1 (415) 555-2671", None, True, id="is-phone-separators"),
    pytest.param("is-phone", "12345", None, False, id="is-phone-too-short"),
    pytest.param("is-phone", "+0123456789", None, False, id="is-phone-leading-zero"),
    pytest.param("is-phone", "call me", None, False, id="is-phone-words"),
]


@pytest.mark.parametrize(("operator", "value", "predicate", "expected"), OPERATOR_CASES)
def test_operator_coercions(operator: str, value: Any, predicate: Any, expected: bool) -> None:
    """Each operator applies Descope's coercions to the target and the predicate."""
    assert evaluate(operator, value, predicate) is expected


def test_every_operator_has_true_and_false_cases() -> None:
    """The table above covers each operator both holding and not holding."""
    seen: dict[str, set[bool]] = {}
    for case in OPERATOR_CASES:
        operator, _value, _predicate, expected = case.values
        seen.setdefault(str(operator), set()).add(bool(expected))
    assert {operator for operator, results in seen.items() if results == {True, False}} == OPERATORS


MISSING_CASES = [
    pytest.param("empty", None, True, id="empty"),
    pytest.param("not-empty", None, False, id="not-empty"),
    pytest.param("is-true", None, False, id="is-true"),
    pytest.param("is-false", None, False, id="is-false"),
    pytest.param("equal", "", True, id="equal-empty-string"),
    pytest.param("equal", None, True, id="equal-null"),
    pytest.param("equal", "x", False, id="equal-text"),
    pytest.param("not-equal", "x", True, id="not-equal-text"),
    pytest.param("not-equal", "", False, id="not-equal-empty-string"),
    pytest.param("contains", "x", False, id="contains"),
    pytest.param("doesnt-contains", "x", True, id="doesnt-contains"),
    pytest.param("greater-than", -1, False, id="greater-than"),
    pytest.param("less-than", 1, False, id="less-than"),
    pytest.param("in", ["a", None], False, id="in"),
    pytest.param("not-in", ["a"], True, id="not-in"),
    pytest.param("matches", ".*", False, id="matches"),
    pytest.param("is-email", None, False, id="is-email"),
]


@pytest.mark.parametrize(("operator", "predicate", "expected"), MISSING_CASES)
def test_missing_key_behaves_like_undefined(operator: str, predicate: Any, expected: bool) -> None:
    """A key absent from the context is JavaScript's undefined to every operator."""
    assert evaluate(operator, MISSING, predicate) is expected


@pytest.mark.parametrize(
    ("operator", "value", "predicate"),
    [
        pytest.param("greater-than", object(), 1, id="gt-object"),
        pytest.param("less-than", {"a": 1}, [1], id="lt-containers"),
        pytest.param("greater-than", 10**400, 1, id="gt-huge-int"),
        pytest.param("matches", "x", "[", id="matches-unclosed-class"),
        pytest.param("matches", "x", {"re": "x"}, id="matches-object-pattern"),
        pytest.param("in", "x", None, id="in-null-predicate"),
        pytest.param("contains", None, None, id="contains-nulls"),
        pytest.param("equal", {"a": [1]}, object(), id="equal-odd-objects"),
    ],
)
def test_bad_inputs_are_false_not_errors(operator: str, value: Any, predicate: Any) -> None:
    """Values of the wrong kind make an operator false instead of raising."""
    assert evaluate(operator, value, predicate) is False


def test_unknown_operator_names_the_closest() -> None:
    """An operator Descope does not have is an error that suggests the right spelling."""
    with pytest.raises(UnknownNameError, match="is-true"):
        evaluate("is-truthy", True, None)


VALUES = {
    "user": {
        "loggedIn": True,
        "customAttributes": {"preferredMfaMethod": "totp", "score": 0},
        "loginIds": ["ana@example.com", "+15550001"],
        "phone": None,
    },
    "form": {"email": "ana@example.com", "age": 42},
    "idpInitiated": False,
    "authInfo": {"user": {"verifiedEmail": True}},
    "tenants": {"0": "numbered key"},
}


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        pytest.param("user.customAttributes.preferredMfaMethod", "totp", id="nested"),
        pytest.param("user.customAttributes.score", 0, id="falsy-value-kept"),
        pytest.param("form.email", "ana@example.com", id="form"),
        pytest.param("idpInitiated", False, id="top-level"),
        pytest.param("authInfo.user.verifiedEmail", True, id="deep"),
        pytest.param("user.loginIds.1", "+15550001", id="list-index"),
        pytest.param("user.phone", None, id="null-is-a-value"),
        pytest.param("tenants.0", "numbered key", id="numeric-key-of-mapping"),
    ],
)
def test_lookup_walks_dotted_keys(key: str, expected: Any) -> None:
    """Dotted keys walk mappings by name and lists by index."""
    assert lookup(VALUES, key) == expected


@pytest.mark.parametrize(
    "key",
    [
        pytest.param("user.customAttributes.plan", id="absent-leaf"),
        pytest.param("riskInfo.riskScore", id="absent-branch"),
        pytest.param("user.loginIds.5", id="index-out-of-range"),
        pytest.param("user.loginIds.-1", id="negative-index"),
        pytest.param("user.loginIds.first", id="name-on-list"),
        pytest.param("form.email.domain", id="through-a-string"),
        pytest.param("user.phone.country", id="through-null"),
    ],
)
def test_lookup_gives_missing_for_absent_keys(key: str) -> None:
    """A key that leads nowhere gives MISSING, never an exception."""
    assert lookup(VALUES, key) is MISSING


def test_missing_is_a_falsy_singleton_with_a_readable_repr() -> None:
    """MISSING prints as MISSING, is falsy, and survives copying and pickling."""
    assert repr(MISSING) == "MISSING"
    assert not MISSING
    assert MISSING is not None
    assert copy.deepcopy(MISSING) is MISSING
    assert pickle.loads(pickle.dumps(MISSING)) is MISSING


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        pytest.param("{{form.age}}", 42, id="whole-template-keeps-number"),
        pytest.param("{{ user.loggedIn }}", True, id="spaces-inside-braces"),
        pytest.param("{{user.loginIds}}", ["ana@example.com", "+15550001"], id="keeps-list"),
        pytest.param("{{form.nope}}", MISSING, id="whole-template-missing"),
        pytest.param("Hi {{form.email}}!", "Hi ana@example.com!", id="embedded"),
        pytest.param("{{form.age}} years", "42 years", id="embedded-number-as-text"),
        pytest.param("[{{form.nope}}]", "[]", id="embedded-missing-is-empty"),
        pytest.param("{{user.loggedIn}}/{{idpInitiated}}", "true/false", id="two-booleans"),
        pytest.param("no template", "no template", id="plain-string"),
        pytest.param(0.5, 0.5, id="number-unchanged"),
        pytest.param(None, None, id="null-unchanged"),
    ],
)
def test_render_resolves_templates(template: Any, expected: Any) -> None:
    """A whole template keeps the value's type; embedded ones become its string form."""
    assert render(template, VALUES) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(2.0, "2", id="integral-float"),
        pytest.param(0.1, "0.1", id="fraction"),
        pytest.param(1e21, "1e+21", id="large-float-exponent"),
        pytest.param(float("nan"), "", id="nan"),
        pytest.param(False, "false", id="false"),
        pytest.param([1, None, "a"], "1,,a", id="list"),
        pytest.param(MISSING, "", id="missing"),
    ],
)
def test_text_prints_values_as_descope_does(value: Any, expected: str) -> None:
    """String forms follow JavaScript's printing, which the server mirrors."""
    assert text(value) == expected


def _branch(name: str, *conditions: AtomicCondition) -> Branch:
    return Branch(name=name, interaction_id=name.lower(), conditions=conditions)


ELSE_BRANCH = Branch(name="Otherwise", interaction_id=ELSE)


def test_choose_branch_takes_the_first_branch_that_holds() -> None:
    """Branches are tried in order and the first whose conditions hold wins."""
    branches = [
        _branch("Sms", AtomicCondition("user.customAttributes.preferredMfaMethod", "equal", "sms")),
        _branch(
            "Totp", AtomicCondition("user.customAttributes.preferredMfaMethod", "contains", "t")
        ),
        _branch("Also", AtomicCondition("user.loggedIn", "is-true")),
        ELSE_BRANCH,
    ]
    chosen = choose_branch(branches, VALUES)
    assert chosen is not None
    assert chosen.name == "Totp"


def test_choose_branch_ands_the_conditions_of_a_branch() -> None:
    """A branch holds only when every one of its conditions holds."""
    both = _branch(
        "Both",
        AtomicCondition("user.loggedIn", "is-true"),
        AtomicCondition("form.age", "less-than", 18),
    )
    assert choose_branch([both, ELSE_BRANCH], VALUES) is ELSE_BRANCH


def test_choose_branch_falls_back_to_else_wherever_it_is_listed() -> None:
    """ELSE is the fallback: a holding branch listed after it still wins."""
    late = _branch("Late", AtomicCondition("idpInitiated", "is-false"))
    assert choose_branch([ELSE_BRANCH, late], VALUES) is late


def test_choose_branch_returns_none_without_else() -> None:
    """When nothing holds and there is no ELSE, there is no branch to take."""
    never = _branch("Never", AtomicCondition("riskInfo.riskScore", "greater-than", 0.5))
    assert choose_branch([never], VALUES) is None


def test_branch_without_conditions_never_holds() -> None:
    """A non-ELSE branch with no conditions is skipped, as Descope's evaluator does."""
    assert choose_branch([_branch("Empty"), ELSE_BRANCH], VALUES) is ELSE_BRANCH


def test_choose_branch_renders_template_predicates() -> None:
    """A predicate template is resolved against the values before comparing."""
    same_email = _branch("Same", AtomicCondition("user.loginIds.0", "equal", "{{form.email}}"))
    assert choose_branch([same_email, ELSE_BRANCH], VALUES) is same_email


def test_choose_branch_renders_templates_inside_list_predicates() -> None:
    """Templates inside a list predicate are resolved item by item."""
    listed = _branch("Listed", AtomicCondition("form.email", "in", ["x", "{{user.loginIds.0}}"]))
    assert choose_branch([listed, ELSE_BRANCH], VALUES) is listed
