"""The test world's flows as the report model's graphs: what the drawings and coverage read.

The reporting layer knows nothing of the engine, so each flow is translated here once per
run: tasks become nodes of a kind a drawing can shape, rules become labelled edges.
"""

from __future__ import annotations

from flowspec.engine.model import ELSE, SUCCESS, Flow, Rule, Task
from flowspec.engine.world import World
from flowspec.reporting.model import FlowEdge, FlowGraph, FlowNode, NodeKind


def world_flow_graphs(world: World) -> tuple[FlowGraph, ...]:
    """Every flow of ``world``, sorted by id."""
    return tuple(flow_graph(world.flows[flow_id]) for flow_id in sorted(world.flows))


def flow_graph(flow: Flow) -> FlowGraph:
    tasks = flow.tasks.values()
    return FlowGraph(
        id=flow.id,
        name=flow.name,
        start=flow.start_task,
        nodes=tuple(_node(task) for task in tasks),
        edges=tuple(
            FlowEdge(task.id, rule.task_id, rule.interaction_id, _label(task, rule))
            for task in tasks
            for rule in task.rules
            if rule.task_id in flow.tasks
        ),
    )


def _node(task: Task) -> FlowNode:
    kind: NodeKind
    detail = ""
    if task.type == "automated":
        kind = "end" if task.is_end else "action"
        detail = task.action or ""
    elif task.type == "screen":
        kind = "screen"
        detail = task.screen.id if task.screen else ""
    elif task.type == "flow":
        kind = "flow"
        detail = task.sub_flow_id or ""
    else:
        kind = task.type
    return FlowNode(task.id, task.name, kind, detail)


def _label(task: Task, rule: Rule) -> str:
    """A button's label, a branch's name, ``done`` for a sub-flow that ended, or the outcome
    itself (``success``, an error)."""
    button = task.interaction(rule.interaction_id)
    if button is not None and button.label:
        return button.label
    branch = next((b for b in task.branches if b.interaction_id == rule.interaction_id), None)
    if branch is not None:
        return "else" if branch.is_else else branch.name or rule.interaction_id
    if rule.interaction_id == ELSE:
        return "else"
    if task.type == "flow" and rule.interaction_id.endswith(f".{SUCCESS}"):
        return "done"
    return rule.interaction_id
