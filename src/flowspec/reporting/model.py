"""What a run came to, in a shape every report writer reads: features, their scenarios
(one per outline row), their steps, and the flow path each scenario's last run took.

Plain frozen data, so the bdd layer fills it once and writers can only read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Status = Literal["passed", "failed", "error", "skipped", "undefined"]


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


@dataclass(frozen=True)
class FeatureReport:
    name: str
    file: str
    line: int
    description: str = ""
    tags: tuple[Tag, ...] = ()
    scenarios: tuple[ScenarioReport, ...] = ()


@dataclass(frozen=True)
class RunReport:
    features: tuple[FeatureReport, ...] = ()
