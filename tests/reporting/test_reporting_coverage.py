"""Flow coverage: tasks and branches the scenarios' paths took, per flow."""

from __future__ import annotations

import pytest

from flowspec.reporting.coverage import below, coverage, describe, flow_coverage, table
from flowspec.reporting.model import (
    FeatureReport,
    FlowEdge,
    FlowGraph,
    FlowNode,
    FlowStep,
    RunReport,
    ScenarioReport,
)

# start -> condition: loggedIn? -> screen Verify (Verify / Send again) -> end; else -> end
STEP_UP = FlowGraph(
    "step-up",
    "Step-up",
    "0",
    nodes=(
        FlowNode("0", "Start", "start"),
        FlowNode("1", "Logged in?", "condition"),
        FlowNode("2", "Verify code", "screen"),
        FlowNode("3", "Send code", "action", "sendOTP"),
        FlowNode("4", "Done", "end", "logged-in"),
    ),
    edges=(
        FlowEdge("0", "1", "next", "next"),
        FlowEdge("1", "3", "yes", "logged in"),
        FlowEdge("1", "4", "ELSE", "else"),
        FlowEdge("3", "2", "success", "success"),
        FlowEdge("2", "4", "verify", "Verify"),
        FlowEdge("2", "3", "resend", "Send again"),
    ),
)


def path(*steps: tuple[str, str | None], flow: str = "step-up") -> tuple[FlowStep, ...]:
    return tuple(FlowStep(task, f"task {task}", outcome, flow) for task, outcome in steps)


def test_a_path_covers_its_tasks_and_the_branches_its_outcomes_name() -> None:
    """Each task visited counts once; each outcome marks the rule it is keyed by."""
    taken = path(("0", "next"), ("1", "yes"), ("3", "success"), ("2", "verify"), ("4", None))
    result = flow_coverage(STEP_UP, [taken])
    assert result.tasks == {"0", "1", "2", "3", "4"}
    assert result.task_percent == 100.0
    assert {(e.source, e.outcome) for e in result.uncovered_edges} == {
        ("1", "ELSE"),
        ("2", "resend"),
    }
    assert result.branch_percent == pytest.approx(100 * 4 / 6)


def test_paths_of_several_scenarios_add_up() -> None:
    """A second scenario that takes the ELSE branch and resends covers what the first left."""
    first = path(("0", "next"), ("1", "yes"), ("3", "success"), ("2", "verify"), ("4", None))
    second = path(("0", "next"), ("1", "yes"), ("3", "success"), ("2", "resend"), ("3", "success"))
    third = path(("0", "next"), ("1", "ELSE"), ("4", None))
    assert flow_coverage(STEP_UP, [first, second, third]).branch_percent == 100.0


def test_steps_of_another_flow_with_the_same_task_ids_count_for_that_flow_only() -> None:
    """Task ids repeat across flows, so a sub-flow's steps never cover the caller's tasks."""
    other = path(("0", "next"), ("1", "ELSE"), flow="mfa-enrollment")
    result = flow_coverage(STEP_UP, [other])
    assert result.tasks == frozenset()
    assert result.edges == frozenset()


def test_a_sub_flow_task_covers_the_rule_to_the_task_that_follows_it() -> None:
    """A sub-flow task yields no outcome of its own; the next task of its flow names the rule."""
    caller = FlowGraph(
        "sign-in",
        "Sign in",
        "0",
        nodes=(
            FlowNode("0", "Start", "start"),
            FlowNode("1", "Enroll MFA", "flow", "mfa-enrollment"),
            FlowNode("2", "Done", "end"),
            FlowNode("3", "Failed", "end"),
        ),
        edges=(
            FlowEdge("0", "1", "next", "next"),
            FlowEdge("1", "2", "9.success", "9.success"),
            FlowEdge("1", "3", "8.success", "8.success"),
        ),
    )
    taken = (
        FlowStep("0", "Start", "next", "sign-in"),
        FlowStep("1", "Enroll MFA", None, "sign-in"),
        FlowStep("0", "Start", "next", "mfa-enrollment"),
        FlowStep("9", "End", "9.success", "mfa-enrollment"),
        FlowStep("2", "Done", None, "sign-in"),
    )
    result = flow_coverage(caller, [taken])
    assert {(e.source, e.target) for e in result.edges} == {("0", "1"), ("1", "2")}


def test_a_report_gives_every_flow_even_one_no_scenario_ran() -> None:
    """Coverage lists each flow of the report; an unrun flow is at 0% and below a minimum."""
    scenario = ScenarioReport(
        "steps up", 3, "passed", 0.0, flow_id="step-up", flow_path=path(("0", "next"))
    )
    unrun = FlowGraph("profile", "Profile", "0", nodes=(FlowNode("0", "Start", "start"),))
    report = RunReport(
        (FeatureReport("Step-up", "features/step_up.feature", 1, scenarios=(scenario,)),),
        (STEP_UP, unrun),
    )
    result = coverage(report)
    assert [c.flow.id for c in result] == ["step-up", "profile"]
    assert result[1].task_percent == 0.0
    assert [c.flow.id for c in below(result, 50)] == ["step-up", "profile"]
    assert below(result, 0) == ()


def test_the_table_gives_counts_percentages_and_uncovered_branches_in_words() -> None:
    """The terminal table is one row per flow, then each uncovered branch by task names."""
    taken = path(("0", "next"), ("1", "yes"), ("3", "success"), ("2", "verify"), ("4", None))
    result = flow_coverage(STEP_UP, [taken])
    text = table([result])
    assert "step-up" in text
    assert "5/5 100.0%" in text
    assert "4/6  66.7%" in text
    assert '"Verify code" --Send again--> "Send code"' in text
    assert '"Logged in?" --else--> "Done"' in text
    assert describe(STEP_UP, STEP_UP.edges[0]) == '"Start" --next--> "Logged in?"'
