"""The run model shares one frozen step per distinct visit of a flow's task."""

from __future__ import annotations

from flowspec.reporting.model import FlowStep, FlowSteps


def test_equal_visits_are_one_step_and_different_ones_are_not() -> None:
    steps = FlowSteps()
    first = steps.step("1", "Start", "next", "step-up")
    assert steps.step("1", "Start", "next", "step-up") is first
    assert first == FlowStep("1", "Start", "next", "step-up")
    assert steps.step("1", "Start", None, "step-up") == FlowStep("1", "Start", None, "step-up")
    assert steps.step("1", "Start", "success", "step-up") is not first
    assert steps.step("1", "Start", "next", "mfa") is not first


def test_an_outcome_equal_to_python_but_of_another_type_is_its_own_step() -> None:
    """True == 1 in Python; a backend's odd outcome keeps the type it came with."""
    steps = FlowSteps()
    steps.step("1", "Start", True, "f")  # type: ignore[arg-type]
    assert steps.step("1", "Start", 1, "f").outcome is not True  # type: ignore[arg-type]


def test_an_outcome_no_hash_takes_still_makes_a_step() -> None:
    outcome = ["not", "a", "string"]
    step = FlowSteps().step("1", "Start", outcome, "f")  # type: ignore[arg-type]
    assert step == FlowStep("1", "Start", outcome, "f")  # type: ignore[arg-type]


def test_past_its_limit_the_store_starts_afresh_and_still_gives_equal_steps() -> None:
    steps = FlowSteps(limit=2)
    first = steps.step("1", "A")
    steps.step("2", "B")
    steps.step("3", "C")
    again = steps.step("1", "A")
    assert again == first
    assert again is not first
