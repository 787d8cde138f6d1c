"""Fuzzing condition evaluation: any operator on any values answers true or false, or
names the unknown operator; templates and dotted keys resolve to something, never a crash.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flowspec.engine.conditions import OPERATORS, choose_branch, evaluate
from flowspec.engine.dynamic import MISSING, lookup, render, text
from flowspec.engine.model import ELSE, AtomicCondition, Branch
from flowspec.errors import UnknownNameError

FUZZ = settings.get_profile("flowspec-fuzz")
# Random patterns such as "[[" make Python's re warn of a future change to sets.
pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning")

KEYS = st.sampled_from(("user", "form", "roles", "0", "1", "a.b", "", "riskScore")) | st.text(
    max_size=6
)
# Strings the operators read specially: numbers, booleans, emails, phones, patterns
# (including ones Python's re refuses in ways other than re.error), templates.
SPECIAL_TEXT = st.sampled_from(
    (
        "",
        " 2.5 ",
        "1e999",
        "-0",
        "NaN",
        "true",
        "false",
        "a@b.co",
        "+1 (555) 010-9999",
        "a,b, c",
        "(",
        "a{4294967296}",
        "(" * 1200 + ")" * 1200,
        "[" * 5 + "a",
        "(?P<x>a)(?P=x)",
        "{{form.email}}",
        "{{ user.roles.0 }}",
        "x{{missing}}y",
        "{{}}",
        "{{" * 30,
        "9" * 5000,
    )
)
# Whole numbers too long for str() (over 4300 digits), built from a small exponent so
# that hypothesis never has to print them.
HUGE_INTS = st.integers(4300, 5000).map(lambda digits: 10**digits)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | HUGE_INTS
    | st.floats()
    | st.text(max_size=12)
    | SPECIAL_TEXT
)
VALUES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=4),
    max_leaves=20,
)
TARGETS = VALUES | st.just(MISSING)
OPERATOR_NAMES = st.sampled_from(sorted(OPERATORS))
DOTTED = st.lists(KEYS, min_size=1, max_size=4).map(".".join)


@FUZZ
@given(OPERATOR_NAMES, TARGETS, VALUES)
def test_every_operator_answers_true_or_false_for_any_values(
    operator: str, value: Any, predicate: Any
) -> None:
    """Each of Descope's operators gives a boolean for any target and predicate."""
    assert evaluate(operator, value, predicate) in (True, False)


PATTERNS = SPECIAL_TEXT | st.text(st.sampled_from("()[]{}*+?|\\^$.a1,:<>=!PE"), max_size=30)


@FUZZ
@given(st.sampled_from(("matches", "equal", "in")), st.text(max_size=12), PATTERNS)
def test_any_pattern_or_predicate_text_answers_true_or_false(
    operator: str, value: str, predicate: str
) -> None:
    """``matches`` with any pattern (malformed, huge repeats, deep groups) on a string
    target, and the text-reading operators on any text, give a boolean."""
    assert evaluate(operator, value, predicate) in (True, False)


@FUZZ
@given(st.text(max_size=20).filter(lambda name: name not in OPERATORS), TARGETS, VALUES)
def test_an_unknown_operator_is_named(operator: str, value: Any, predicate: Any) -> None:
    """An operator Descope does not have raises UnknownNameError and nothing else."""
    with pytest.raises(UnknownNameError) as caught:
        evaluate(operator, value, predicate)
    assert caught.value.name == operator


CONDITIONS = st.builds(
    AtomicCondition, DOTTED, OPERATOR_NAMES, VALUES | DOTTED.map("{{{}}}".format)
)
BRANCHES = st.lists(
    st.builds(
        Branch,
        st.text(max_size=6),
        st.text(max_size=6) | st.just(ELSE),
        st.lists(CONDITIONS, max_size=3).map(tuple),
    ),
    max_size=4,
)
CONTEXTS = st.dictionaries(KEYS, VALUES, max_size=6)


@FUZZ
@given(BRANCHES, CONTEXTS)
def test_a_condition_task_takes_one_of_its_branches_or_none(
    branches: list[Branch], values: dict[str, Any]
) -> None:
    """Any branches over any context choose one of themselves, or None."""
    chosen = choose_branch(branches, values)
    assert chosen is None or any(chosen is branch for branch in branches)


@FUZZ
@given(CONTEXTS, DOTTED | st.text(max_size=20))
def test_any_dotted_key_looks_up_a_value_or_missing(values: dict[str, Any], key: str) -> None:
    """lookup walks any dotted key through any context without raising."""
    lookup(values, key)


@FUZZ
@given(CONTEXTS, VALUES | st.text(st.sampled_from("{} .ab0"), max_size=30) | SPECIAL_TEXT)
def test_any_template_renders(values: dict[str, Any], template: Any) -> None:
    """render resolves any template against any context, and text gives any value's
    string form."""
    text(render(template, values))
