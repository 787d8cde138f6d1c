"""What a run came to, in a shape every report writer reads: features, their scenarios
(one per outline row), their steps, the flow path each scenario's last run took, and the
graph of every flow in the test world, for drawings and coverage.

Plain frozen data, so the bdd layer fills it once and writers can only read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Status = Literal["passed", "failed", "error", "skipped", "undefined"]
NodeKind = Literal["start", "screen", "condition", "action", "flow", "end"]


@dataclass(frozen=True)
class Tag:
    name: str
    line: int


@dataclass(frozen=True)
class FlowStep:
    """One task the flow went through, as ``flow.path`` in the flow context lists it."""

    id: str
    name: str
    outcome: str | None = None
    # The flow the task belongs to: a sub-flow's tasks sit in the caller's path.
    flow: str = ""


class FlowSteps:
    """One ``FlowStep`` object per distinct visit: the scenarios of a suite go through the
    same tasks thousands of times, and a frozen step may well be shared, which saves
    making it and the memory it takes. Holds at most ``limit`` of them, then starts
    afresh."""

    def __init__(self, limit: int = 65_536) -> None:
        self._limit = limit
        self._known: dict[tuple[Any, ...], FlowStep] = {}

    def step(self, id: str, name: str, outcome: str | None = None, flow: str = "") -> FlowStep:
        # The outcome's type is part of the key: True and 1 are equal keys otherwise.
        key = (id, name, outcome, type(outcome), flow)
        try:
            found = self._known.get(key)
        except TypeError:  # an outcome no hash takes, from an odd backend: not shared
            return FlowStep(id, name, outcome, flow)
        if found is None:
            if len(self._known) >= self._limit:
                self._known = {}
            found = self._known[key] = FlowStep(id, name, outcome, flow)
        return found


@dataclass(frozen=True)
class StepReport:
    keyword: str
    name: str
    line: int
    status: Status
    duration: float  # seconds
    error_message: str | None = None
    # Where the step's implementation lives ("steps/whens.py:12"); None when undefined.
    match: str | None = None


@dataclass(frozen=True)
class ScenarioReport:
    name: str
    line: int
    status: Status
    duration: float  # seconds
    tags: tuple[Tag, ...] = ()
    steps: tuple[StepReport, ...] = ()
    flow_id: str | None = None
    flow_path: tuple[FlowStep, ...] = ()
    # Where the scenario stands in the whole suite's walk, so reports of workers and
    # shards that each ran a part merge back into the order one process would give.
    order: int = 0


@dataclass(frozen=True)
class FeatureReport:
    name: str
    file: str
    line: int
    description: str = ""
    tags: tuple[Tag, ...] = ()
    scenarios: tuple[ScenarioReport, ...] = ()


@dataclass(frozen=True)
class FlowNode:
    """A task of a flow, as a drawing shows it; ``detail`` is its action, screen or sub-flow."""

    id: str
    name: str
    kind: NodeKind
    detail: str = ""


@dataclass(frozen=True)
class FlowEdge:
    """A rule of a flow: when ``source`` yields ``outcome`` the run goes to ``target``.

    ``label`` is what people call the outcome: a button's label, a branch's name, an error.
    """

    source: str
    target: str
    outcome: str
    label: str


@dataclass(frozen=True)
class FlowGraph:
    id: str
    name: str
    start: str
    nodes: tuple[FlowNode, ...] = ()
    edges: tuple[FlowEdge, ...] = ()


@dataclass(frozen=True)
class RunReport:
    features: tuple[FeatureReport, ...] = ()
    flows: tuple[FlowGraph, ...] = ()
