"""The flow model: what a Descope export's ``contents`` and ``screens`` describe.

Every loader (the single-file export, the YAML shorthand) compiles to these frozen
definitions; the runner reads nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

TaskType = Literal["start", "screen", "automated", "condition", "flow"]

ELSE = "ELSE"
SUCCESS = "success"
END_SUFFIX = ".end"


@dataclass(frozen=True)
class Rule:
    """An edge: when a task yields ``interaction_id``, the run goes to ``task_id``."""

    interaction_id: str
    task_id: str


@dataclass(frozen=True)
class AtomicCondition:
    """One test of a condition branch: the dynamic value at ``key`` against ``predicate``."""

    key: str
    operator: str
    predicate: Any = None


@dataclass(frozen=True)
class Branch:
    """A named branch of a condition task; all its conditions must hold (AND)."""

    name: str
    interaction_id: str
    conditions: tuple[AtomicCondition, ...] = ()

    @property
    def is_else(self) -> bool:
        return self.interaction_id == ELSE


@dataclass(frozen=True)
class Interaction:
    """A button or other control on a screen that moves the flow on.

    ``validates`` is false for a button that submits without checking the screen's
    required inputs (Descope's ``formNoValidate``, e.g. "Send again"). ``provider`` names
    the social login a button starts ("google" for a GoogleButton), else "".
    """

    id: str
    label: str
    validates: bool = True
    provider: str = ""


@dataclass(frozen=True)
class ScreenInput:
    """A named input on a screen; its value reaches the flow as ``form.<name>``."""

    name: str
    required: bool = False
    component: str = "TextField"


@dataclass(frozen=True)
class Screen:
    """What a screen task shows: its buttons and its inputs."""

    id: str
    interactions: tuple[Interaction, ...] = ()
    inputs: tuple[ScreenInput, ...] = ()


@dataclass(frozen=True)
class Task:
    """One node of the flow graph, as in the export's ``contents.tasks``."""

    id: str
    name: str
    type: TaskType
    rules: tuple[Rule, ...] = ()
    action: str | None = None
    arguments: Mapping[str, Any] = field(default_factory=dict)
    error_handling: Mapping[str, str] = field(default_factory=dict)
    branches: tuple[Branch, ...] = ()
    screen: Screen | None = None
    sub_flow_id: str | None = None
    position: tuple[float, float] | None = None

    def targets(self, interaction_id: str) -> tuple[str, ...]:
        """The task ids the rules keyed ``interaction_id`` lead to, in export order."""
        return tuple(r.task_id for r in self.rules if r.interaction_id == interaction_id)

    def interaction(self, interaction_id: str) -> Interaction | None:
        """The screen's button with this id, if the task is a screen that shows it."""
        if self.screen is None:
            return None
        return next((i for i in self.screen.interactions if i.id == interaction_id), None)

    @property
    def is_end(self) -> bool:
        """An end task issues the session and has nowhere to go."""
        return self.type == "automated" and self.action == "logged-in" and not self.rules


@dataclass(frozen=True)
class Flow:
    """A whole flow: its tasks by id and the task the run starts at."""

    id: str
    name: str
    start_task: str
    tasks: Mapping[str, Task]
    source: str

    def task(self, task_id: str) -> Task:
        return self.tasks[task_id]
