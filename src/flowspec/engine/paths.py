"""The paths through a flow, read from its graph alone: every way from the start to an end.

A path is written the way a run of the local engine records it in ``flow.path``: the
tasks visited, each with the outcome it took (a condition's branch id, a button's id, an
action's outcome, ``<end id>.success`` for the end of a sub-flow; nothing for a start
task, a flow task, the screen a path stops on, or a screen left by the client's answer
to a two-phase action). So a path found here can be compared with what a run really did.

The walk follows the engine (:mod:`flowspec.engine.execution`): a condition may take any
of its branches, a screen any interaction it has a rule for, an automated task
``success`` or any error it has a rule of its own for (errors shown on the screen before,
by Descope's automatic error handling, are no paths of the graph); a ``flow`` task runs
its sub-flow, whose end continues through the caller's rule. A path ends when the flow
completes, or on a screen with nowhere to go. A task appears at most ``visits_per_task``
times on one path, so loops (a "Send again" button) are walked a bounded number of times.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

from flowspec.engine.model import ELSE, END_SUFFIX, SUCCESS, Flow, Task

Ending = Literal["completed", "waiting"]


@dataclass(frozen=True)
class Visit:
    """One task on a path, and the outcome it took there (None where it takes none)."""

    flow: str
    task: str
    outcome: str | None


@dataclass(frozen=True)
class FlowPath:
    """A way through a flow: its visits, and whether it ends completed or on a screen."""

    visits: tuple[Visit, ...]
    ending: Ending


# The visit of the current task with an outcome, appended to the path so far.
_Visitor = Callable[[str | None], tuple["Visit", ...]]


@dataclass(frozen=True)
class _Frame:
    flow: Flow
    caller: Task | None


def flow_paths(
    flow_id: str, flows: Mapping[str, Flow], *, visits_per_task: int = 2
) -> Iterator[FlowPath]:
    """The paths through ``flows[flow_id]``: first those that visit no task twice, then
    those that loop (each path once)."""
    flow = flows[flow_id]
    seen: set[FlowPath] = set()
    for limit in range(1, visits_per_task + 1):
        walk = _Walk(flows, limit)
        for path in walk.paths(flow.start_task, (_Frame(flow, None),), (), None):
            if path not in seen:
                seen.add(path)
                yield path


def branch_label(task: Task, outcome: str) -> str:
    """How a condition's branch reads: its name, or for ELSE, "not" the other branches."""
    if outcome != ELSE:
        return next((b.name for b in task.branches if b.interaction_id == outcome), outcome)
    others = [b.name for b in task.branches if not b.is_else]
    return f"not {' / '.join(others)}" if others else "else"


def describe(path: FlowPath, flows: Mapping[str, Flow]) -> str:
    """The path as task names with the outcome each took (a branch, a button's label, an
    action's outcome), e.g. ``Signed in? [not Signed in] > Sign in first``."""
    parts = []
    for visit in path.visits:
        task = flows[visit.flow].tasks[visit.task]
        if visit.outcome is None or (task.type == "automated" and visit.outcome == SUCCESS):
            parts.append(task.name)
        elif task.type == "condition":
            parts.append(f"{task.name} [{branch_label(task, visit.outcome)}]")
        elif (button := task.interaction(visit.outcome)) is not None:
            parts.append(f'{task.name} ["{button.label}"]')
        else:
            parts.append(f"{task.name} [{visit.outcome}]")
    return " > ".join(parts)


class _Walk:
    """A depth-first walk of the graph, in the order the flow lists branches and rules."""

    def __init__(self, flows: Mapping[str, Flow], limit: int) -> None:
        self._flows = flows
        self._limit = limit

    def paths(
        self,
        task_id: str,
        frames: tuple[_Frame, ...],
        visits: tuple[Visit, ...],
        resume: str | None,
    ) -> Iterator[FlowPath]:
        """The paths that go on from ``task_id``; ``resume`` is the ``.end`` task a pending
        two-phase action resumes at when the client answers (``submit``)."""
        frame = frames[-1]
        task = frame.flow.tasks.get(task_id)
        if task is None:
            return
        here = (frame.flow.id, task.id)
        if sum(1 for v in visits if (v.flow, v.task) == here) >= self._limit:
            return

        def visit(outcome: str | None) -> tuple[Visit, ...]:
            return (*visits, Visit(frame.flow.id, task.id, outcome))

        if task.type == "start":
            if not task.rules:
                yield FlowPath(visit(None), "completed")
                return
            yield from self.paths(task.rules[0].task_id, frames, visit(None), resume)
        elif task.type == "condition":
            for branch in task.branches:
                targets = task.targets(branch.interaction_id)
                if targets:
                    yield from self.paths(targets[0], frames, visit(branch.interaction_id), resume)
        elif task.type == "screen":
            yield from self._screen(task, frames, visit, resume)
        elif task.type == "flow":
            sub = self._flows.get(task.sub_flow_id or "")
            if sub is not None:
                yield from self.paths(
                    sub.start_task, (*frames, _Frame(sub, task)), visit(None), resume
                )
        elif task.is_end and frame.caller is not None:
            ended = f"{task.id}.{SUCCESS}"
            caller = frame.caller
            targets = caller.targets(ended) or tuple(r.task_id for r in caller.rules)
            if targets:
                yield from self.paths(targets[0], frames[:-1], visit(ended), resume)
        else:
            yield from self._automated(task, frames, visit, resume)

    def _screen(
        self,
        task: Task,
        frames: tuple[_Frame, ...],
        visit: _Visitor,
        resume: str | None,
    ) -> Iterator[FlowPath]:
        interactions = list(dict.fromkeys(r.interaction_id for r in task.rules))
        if not interactions and resume is None:
            yield FlowPath(visit(None), "waiting")
        for interaction in interactions:
            yield from self.paths(task.targets(interaction)[0], frames, visit(interaction), resume)
        if resume is not None:
            # The client answers the paused action (a link clicked) while the screen shows.
            yield from self.paths(resume, frames, visit(None), None)

    def _automated(
        self,
        task: Task,
        frames: tuple[_Frame, ...],
        visit: _Visitor,
        resume: str | None,
    ) -> Iterator[FlowPath]:
        errors = [r.interaction_id for r in task.rules if r.interaction_id != SUCCESS]
        for outcome in dict.fromkeys([SUCCESS, *errors]):
            targets = task.targets(outcome)
            if outcome == SUCCESS and not targets:
                yield FlowPath(visit(SUCCESS), "completed")
                continue
            later = next((t for t in targets if t.endswith(END_SUFFIX)), None)
            if outcome == SUCCESS and later is not None:
                shown = [t for t in targets if t != later]
                if shown:
                    # The action waits for the client while the run shows a screen.
                    yield from self.paths(shown[0], frames, visit(SUCCESS), later)
                else:
                    yield from self.paths(later, frames, visit(SUCCESS), None)
                continue
            yield from self.paths(targets[0], frames, visit(outcome), resume)
