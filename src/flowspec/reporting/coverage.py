"""Flow coverage: which tasks and which branches of each flow at least one scenario took.

A branch is a rule of the flow (an edge of its graph). A scenario takes a rule when its path
shows the rule's source task yielding the rule's outcome: the button clicked, the condition
branch chosen, the action's result. A sub-flow task yields its outcome only when the
sub-flow returns, so for it the next task of the same flow in the path names the rule taken.
Every scenario that ran counts, passed or failed, as code coverage counts lines a failing
test ran.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flowspec.reporting.model import FlowEdge, FlowGraph, FlowStep, RunReport


@dataclass(frozen=True)
class FlowCoverage:
    """One flow's coverage: the tasks and rules some scenario took."""

    flow: FlowGraph
    tasks: frozenset[str]
    edges: frozenset[FlowEdge]

    @property
    def task_percent(self) -> float:
        return _percent(len(self.tasks), len(self.flow.nodes))

    @property
    def branch_percent(self) -> float:
        return _percent(len(self.edges), len(self.flow.edges))

    @property
    def uncovered_edges(self) -> tuple[FlowEdge, ...]:
        return tuple(edge for edge in self.flow.edges if edge not in self.edges)

    @property
    def uncovered_tasks(self) -> tuple[str, ...]:
        return tuple(node.id for node in self.flow.nodes if node.id not in self.tasks)


def coverage(report: RunReport) -> tuple[FlowCoverage, ...]:
    """The coverage of every flow in the report, in the report's order."""
    paths = [s.flow_path for f in report.features for s in f.scenarios if s.flow_path]
    return tuple(flow_coverage(flow, paths) for flow in report.flows)


def flow_coverage(flow: FlowGraph, paths: Iterable[tuple[FlowStep, ...]]) -> FlowCoverage:
    """What of ``flow`` the ``paths`` took; steps of other flows are passed over."""
    known = {node.id for node in flow.nodes}
    tasks: set[str] = set()
    taken: set[tuple[str, str]] = set()  # (source, outcome)
    followed: set[tuple[str, str]] = set()  # (source, next task of the same flow)
    for path in paths:
        mine = [step for step in path if step.flow == flow.id]
        for position, step in enumerate(mine):
            if step.id not in known:
                continue
            tasks.add(step.id)
            if step.outcome is not None:
                taken.add((step.id, step.outcome))
            if position + 1 < len(mine):
                followed.add((step.id, mine[position + 1].id))
    sub_flows = {node.id for node in flow.nodes if node.kind == "flow"}
    edges = {
        edge
        for edge in flow.edges
        if (edge.source, edge.outcome) in taken
        or (edge.source in sub_flows and (edge.source, edge.target) in followed)
    }
    return FlowCoverage(flow, frozenset(tasks), frozenset(edges))


def below(coverages: Iterable[FlowCoverage], minimum: float) -> tuple[FlowCoverage, ...]:
    """The flows whose task or branch coverage is under ``minimum`` percent."""
    return tuple(c for c in coverages if c.task_percent < minimum or c.branch_percent < minimum)


def _percent(part: int, whole: int) -> float:
    return 100.0 if whole == 0 else 100.0 * part / whole


def describe(flow: FlowGraph, edge: FlowEdge) -> str:
    """``"Verify code" --Send again--> "Send code"``: a branch in words, by task names."""
    names = {node.id: node.name or node.id for node in flow.nodes}
    return (
        f'"{names.get(edge.source, edge.source)}" --{edge.label}--> '
        f'"{names.get(edge.target, edge.target)}"'
    )


def table(coverages: Iterable[FlowCoverage]) -> str:
    """The coverage of each flow as a terminal table, then its uncovered branches."""
    listed = list(coverages)
    width = max([len("flow"), *(len(c.flow.id) for c in listed)])
    lines = [f"{'flow':<{width}}  {'tasks':>13}  {'branches':>13}"]
    for c in listed:
        tasks = f"{len(c.tasks)}/{len(c.flow.nodes)} {c.task_percent:5.1f}%"
        branches = f"{len(c.edges)}/{len(c.flow.edges)} {c.branch_percent:5.1f}%"
        lines.append(f"{c.flow.id:<{width}}  {tasks:>13}  {branches:>13}")
    for c in listed:
        if c.uncovered_edges:
            lines += ["", f"{c.flow.id}: branches no scenario took"]
            lines += [f"  {describe(c.flow, edge)}" for edge in c.uncovered_edges]
    return "\n".join(lines) + "\n"
