"""Fuzzing the YAML shorthand: any flow built from its vocabulary compiles and validates,
or fails as a FlowDefinitionError.

Flows are drawn from the shorthand's own grammar (tasks of every kind, buttons, inputs,
branches, tests, outcomes), with any field sometimes replaced by a value of another
type, and with raw YAML written into values: tags (``!!int abc``), anchors and aliases,
dates that do not exist, numbers of thousands of digits.
"""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import event, given, settings
from hypothesis import strategies as st

from flowspec.engine.conditions import OPERATORS
from flowspec.engine.loader import validate
from flowspec.engine.shorthand import parse_shorthand
from flowspec.errors import FlowDefinitionError

FUZZ = settings.get_profile("flowspec-fuzz")

SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10)
ODD = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=8,
)
# Raw YAML written in place of a value: tags PyYAML's safe constructors choke on, dates
# that do not exist, aliases, anchors and very long numbers.
RAW_YAML = (
    "2001-02-30",
    "2001-12-14t21:59:43.10-25:00",
    "!!int abc",
    "!!int ''",
    "!!float ''",
    "!!float .",
    "!!bool maybe",
    "!!timestamp x",
    "!!binary '%%%'",
    "!!set [1]",
    "!!omap [a, b]",
    "!!python/name:os.system",
    "0x_",
    "*nowhere",
    "&anchor value",
    "&same [1, 2]",
    "*same",
    "~",
    "yes",
    "Off",
    "1" * 5000,
    "'unclosed",
    "{a: 1, a: 2}",
    "? [1, 2]\n  : x",
)
RAW = st.sampled_from(range(len(RAW_YAML))).map(lambda index: f"raw-yaml-{index:02d}")
NAMES = st.text(min_size=1, max_size=8)
TASK_IDS = st.sampled_from(("welcome", "verify", "done", "7", "logged in?", "send link.end"))


# One field in so many holds an odd value: often enough to reach every check, rarely
# enough that many flows still compile.
ODDS = st.sampled_from((True,) + (False,) * 15)


def sometimes(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``strategy``, or now and then a value of another type or raw YAML."""
    return ODDS.flatmap(lambda odd: ODD | RAW if odd else strategy)


def sometimes_key(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``strategy``, or now and then another scalar or raw YAML: a mapping key."""
    return ODDS.flatmap(lambda odd: SCALARS | RAW if odd else strategy)


TARGETS = sometimes(TASK_IDS)
OUTCOMES = sometimes_key(st.sampled_from(("success", "InvalidCode", "polling", "submit")))
NEXT = sometimes(
    TARGETS
    | st.lists(TARGETS, max_size=3)
    | st.dictionaries(OUTCOMES, TARGETS | st.lists(TARGETS, max_size=3), max_size=3)
)
BUTTON = sometimes(
    TARGETS
    | st.fixed_dictionaries(
        {},
        optional={
            "to": TARGETS,
            "id": sometimes(NAMES),
            "provider": sometimes(st.sampled_from(("google", "apple"))),
            "validates": sometimes(st.booleans()),
        },
    )
)
INPUT = sometimes(
    NAMES
    | st.fixed_dictionaries(
        {},
        optional={
            "name": sometimes(NAMES),
            "required": sometimes(st.booleans()),
            "component": sometimes(st.sampled_from(("TextField", "Checkbox"))),
        },
    )
)
OPERATOR = sometimes_key(st.sampled_from(sorted(OPERATORS)) | NAMES)
TEST = sometimes(OPERATOR | st.dictionaries(OPERATOR, ODD | RAW, max_size=3))
KEY = sometimes_key(st.sampled_from(("user.loggedIn", "jwtClaims.roles", "form.email")))
WHEN = sometimes(
    st.dictionaries(KEY, TEST, max_size=3)
    | st.lists(st.dictionaries(KEY, TEST, min_size=1, max_size=2), max_size=3)
)
BRANCH = sometimes(
    st.fixed_dictionaries(
        {},
        optional={
            "branch": sometimes(NAMES),
            "id": sometimes(NAMES),
            "when": WHEN,
            "then": TARGETS,
        },
    )
    | st.fixed_dictionaries({"else": TARGETS}, optional={"branch": sometimes(st.text())})
)
COMMON = {"name": sometimes(NAMES), "description": ODD, "next": NEXT}
TASK = sometimes(
    st.fixed_dictionaries(
        {"action": sometimes(st.sampled_from(("loadUser", "logged-in")))},
        optional={**COMMON, "arguments": sometimes(st.dictionaries(st.text(max_size=5), ODD))},
    )
    | st.fixed_dictionaries(
        {},
        optional={
            **COMMON,
            "screen": sometimes(NAMES),
            "inputs": sometimes(st.lists(INPUT, max_size=3)),
            "buttons": sometimes(st.dictionaries(sometimes_key(NAMES), BUTTON)),
        },
    )
    | st.fixed_dictionaries(
        {"condition": sometimes(st.lists(BRANCH, max_size=4))},
        optional={"name": COMMON["name"], "description": ODD, "next": NEXT},
    )
    | st.fixed_dictionaries({"flow": sometimes(NAMES)}, optional=COMMON)
)
FLOWS = sometimes(
    st.fixed_dictionaries(
        {
            "tasks": sometimes(
                st.dictionaries(sometimes_key(TASK_IDS), TASK, min_size=1, max_size=6)
            )
        },
        optional={
            "flow": sometimes(NAMES),
            "name": sometimes(NAMES),
            "description": ODD,
            "start": TARGETS,
        },
    )
)


def written(document: Any) -> str:
    """``document`` as YAML, each ``raw-yaml-NN`` value replaced by raw YAML text."""
    text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
    for index, raw in enumerate(RAW_YAML):
        text = text.replace(f"raw-yaml-{index:02d}", raw)
    return text


def compiled_or_refused(text: str, source: str) -> FlowDefinitionError | None:
    """Compile and validate ``text``; the refusal, if it is refused."""
    try:
        validate(parse_shorthand(text, source, default_id="fuzz"))
    except FlowDefinitionError as error:
        return error
    return None


@FUZZ
@given(FLOWS)
def test_any_shorthand_flow_compiles_or_is_refused(document: Any) -> None:
    """A flow drawn from the shorthand's grammar, with odd values and raw YAML in it,
    compiles and validates or fails as a FlowDefinitionError naming the file."""
    refusal = compiled_or_refused(written(document), "fuzz.yaml")
    event("compiled" if refusal is None else "refused")
    assert refusal is None or refusal.source.startswith("fuzz.yaml"), refusal.source


ANCHORED = st.lists(st.integers(1, 12), min_size=1, max_size=12)


@FUZZ
@given(ANCHORED, st.sampled_from(("arguments", "description")))
def test_aliases_that_repeat_anchors_compile_or_are_refused(fanouts: list[int], field: str) -> None:
    """Layers of anchors, each aliasing the one before some times over (up to a "billion
    laughs"), in a field the flow keeps or one it ignores, compile or are refused."""
    layers = ["x0: &x0 [a, b]"]
    layers += [
        f"x{depth}: &x{depth} [{', '.join([f'*x{depth - 1}'] * fanout)}]"
        for depth, fanout in enumerate(fanouts, start=1)
    ]
    text = f"tasks:\n  start:\n    action: loadUser\n    {field}:\n"
    text += "".join(f"      {layer}\n" for layer in layers)
    refusal = compiled_or_refused(text, "laughs.yaml")
    assert refusal is None or refusal.source.startswith("laughs.yaml"), refusal.source
