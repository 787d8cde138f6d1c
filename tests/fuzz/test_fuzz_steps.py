"""Fuzzing step arguments: any step text, built from the step library's own patterns with
random arguments, matches steps or not without raising; the parameter types keep exactly
the text they match; doc strings read as data or fail as a SettingsError.

Expected values and check tables, the other step arguments, are fuzzed with the checks
they feed (``test_fuzz_expect.py``).
"""

from __future__ import annotations

import re
from typing import Any

import parse
from behave.matchers import ParseMatcher
from behave.step_registry import registry
from hypothesis import given, settings
from hypothesis import strategies as st

import flowspec.bdd.steps  # noqa: F401  # registers the step library with behave
from flowspec.bdd.docstrings import parse_doc_string, parse_object
from flowspec.bdd.types import register_parameter_types
from flowspec.errors import SettingsError

FUZZ = settings.get_profile("flowspec-fuzz")

register_parameter_types()
TYPES = {name: ParseMatcher.TYPE_REGISTRY[name] for name in ParseMatcher.TYPE_REGISTRY}
MATCHERS = [matcher for matchers in registry.steps.values() for matcher in matchers]
PLACEHOLDER = re.compile(r"\{[^{}]*\}")

ARGUMENTS = (
    st.text(max_size=15)
    | st.sampled_from(
        (
            "admin",
            "an",
            "a",
            "true",
            "null",
            "-2.5",
            '"Ada"',
            "[1, 2]",
            '{"a": 1}',
            "{",
            '"',
            "greater than",
            "session",
            "seconds",
            "malformed",
            "1" * 5000,
            "\u0000",
        )
    )
    | st.text(st.sampled_from('"{}[]\\ -_:.,aA1'), max_size=15)
)


@st.composite
def step_texts(draw: st.DrawFn) -> str:
    """A step of the library with each placeholder filled with a random argument."""
    pattern = draw(st.sampled_from([matcher.pattern for matcher in MATCHERS]))
    return PLACEHOLDER.sub(lambda _: draw(ARGUMENTS), pattern)


@FUZZ
@given(step_texts() | st.text(max_size=60))
def test_any_step_text_matches_steps_or_none_without_raising(text: str) -> None:
    """Every step of the library matches any text, built from its patterns or random,
    or declines it; what it captures is text, or a whole number for ``{count:d}``."""
    for matcher in MATCHERS:
        found = matcher.match(text)
        arguments = found.arguments or [] if found is not None else []
        assert all(isinstance(argument.value, str | int) for argument in arguments)


@FUZZ
@given(st.sampled_from(sorted(TYPES)), ARGUMENTS)
def test_each_parameter_type_keeps_exactly_the_text_it_matches(name: str, text: str) -> None:
    """A parameter type matches text of its pattern and converts it to itself."""
    found = parse.parse(f"<{{value:{name}}}>", f"<{text}>", extra_types=TYPES)
    assert found is None or found["value"] == text


YAML_TEXT = (
    st.text(max_size=80)
    | st.text(st.sampled_from("{}[],:- \n&*!|>'\"#?ab1.%@`"), max_size=80)
    | st.sampled_from(
        (
            "2024-02-30",
            "!!int abc",
            "!!float ''",
            "!!bool maybe",
            "!!timestamp x",
            "!!binary aGk=",
            "!!set {a}",
            "!!python/object:os.system {}",
            "a: &a [*a]",
            "[" * 5000,
            "- " * 500 + "x",
            "1" * 5000,
            "a: " + "9" * 5000,
        )
    )
)


@st.composite
def laughs(draw: st.DrawFn) -> str:
    """Layers of anchors each aliasing the one before a random number of times."""
    fanouts = draw(st.lists(st.integers(1, 12), min_size=1, max_size=10))
    lines = ["l0: &l0 [lol, lol]"]
    lines += [
        f"l{depth}: &l{depth} [{', '.join([f'*l{depth - 1}'] * fanout)}]"
        for depth, fanout in enumerate(fanouts, start=1)
    ]
    return "\n".join(lines)


@FUZZ
@given(YAML_TEXT | laughs())
def test_any_doc_string_reads_as_data_or_fails_as_a_settings_error(text: str) -> None:
    """A doc string of any text, malformed scalars, deep nesting or a "billion laughs"
    reads as data, or fails as a SettingsError naming what it was for."""
    for read in (
        lambda: parse_doc_string(text, "claims"),
        lambda: parse_object(text, "claims", '{"su": true}'),
    ):
        refusal = refused(read)
        assert refusal is None or "the claims doc string" in str(refusal)


def refused(read: Any) -> SettingsError | None:
    """Run ``read``; the SettingsError it raised, if any."""
    try:
        read()
    except SettingsError as error:
        return error
    return None
