"""The paths through a flow, read from its graph, are written as the engine records runs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from flowspec.engine.paths import FlowPath, Visit, describe, flow_paths
from flowspec.engine.runner import LocalRunner
from flowspec.engine.world import World

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def world() -> World:
    return World.load(ROOT / "scenarios")


def ran(recorded: list[Mapping[str, Any]]) -> tuple[Visit, ...]:
    """A run's flow.path, as paths are written."""
    return tuple(Visit(e["flow"], e["id"], e.get("outcome")) for e in recorded)


def test_a_run_takes_a_path_the_graph_lists(world: World) -> None:
    """Bob saving his profile records exactly one of profile-update's paths."""
    bob = world.refresh_token(world.user("bob@acme.test"))
    run = LocalRunner(world).start("profile-update", refresh_jwt=bob)
    run.interact("save", {"name": "Bob B"})
    taken = FlowPath(ran(run.context["flow"]["path"]), "completed")
    assert taken in list(flow_paths("profile-update", world.flows))


def test_a_path_may_stop_on_a_screen_with_nowhere_to_go(world: World) -> None:
    """Anonymous, step-up stops on "Sign in first", which the graph lists as a waiting path."""
    run = LocalRunner(world).start("step-up")
    waiting = FlowPath(ran(run.context["flow"]["path"]), "waiting")
    assert waiting in list(flow_paths("step-up", world.flows))
    assert describe(waiting, world.flows) == "Signed in? [not Signed in] > Sign in first"


def test_sub_flows_are_walked_and_continue_in_the_caller(world: World) -> None:
    """step-up's paths go through mfa-enrollment's tasks and end at step-up's End."""
    paths = list(flow_paths("step-up", world.flows))
    through = [p for p in paths if any(v.flow == "mfa-enrollment" for v in p.visits)]
    assert through
    completed = [p for p in through if p.ending == "completed"]
    assert all(p.visits[-1] == Visit("step-up", "End", "success") for p in completed)
    assert any(v.outcome == "End.success" for p in completed for v in p.visits)


def test_loops_are_bounded_and_come_after_the_paths_without_them(world: World) -> None:
    """No task is visited more than twice, and every path without a repeat comes first."""
    paths = list(flow_paths("sign-up-or-in", world.flows))
    repeats = [max(Counter((v.flow, v.task) for v in p.visits).values()) for p in paths]
    assert max(repeats) == 2
    assert repeats == sorted(repeats)
    assert len(set(paths)) == len(paths)
    once = list(flow_paths("sign-up-or-in", world.flows, visits_per_task=1))
    assert paths[: len(once)] == once


def test_an_action_error_with_a_rule_of_its_own_is_a_path(world: World) -> None:
    """impersonation's ImpersonationNotAllowed rule leads to its own path."""
    described = [describe(p, world.flows) for p in flow_paths("impersonation", world.flows)]
    assert any("Impersonate [ImpersonationNotAllowed] > Not allowed" in d for d in described)
