"""The action registry: every emulated Descope action, with what it reads and writes.

An action declares its contract (the dynamic values it reads, the keys it writes, the
outcomes it can yield, whether it pauses for the client) so tools can reason about a flow
without running it, and so an unknown action is a clear error naming the task.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from flowspec.engine.model import SUCCESS, Task
from flowspec.engine.state import RunState
from flowspec.errors import UnknownNameError

PauseKind = Literal["webauthnCreate", "webauthnGet", "redirect", "poll"]


@dataclass(frozen=True)
class Pause:
    """The run waits for the client before the ``.end`` task.

    ``payload`` is what the client needs: the WebAuthn options, or the URL to redirect to.
    """

    kind: PauseKind
    payload: Mapping[str, Any]


@dataclass(frozen=True)
class Outcome:
    """What an action yielded: ``success`` or a named error, and maybe a pause."""

    name: str = SUCCESS
    description: str = ""
    pause: Pause | None = None

    @property
    def succeeded(self) -> bool:
        return self.name == SUCCESS


Run = Callable[[RunState, Task], Outcome]


@dataclass(frozen=True)
class ActionSpec:
    """An emulated action and its contract."""

    name: str
    run: Run
    reads: tuple[str, ...] = ()
    writes: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()
    pauses: bool = False

    @property
    def outcomes(self) -> tuple[str, ...]:
        return (SUCCESS, *self.errors)


@dataclass
class Registry:
    """Actions by Descope action name."""

    specs: dict[str, ActionSpec] = field(default_factory=dict)

    def action(
        self,
        name: str,
        *,
        reads: tuple[str, ...] = (),
        writes: tuple[str, ...] = (),
        errors: tuple[str, ...] = (),
        pauses: bool = False,
    ) -> Callable[[Run], Run]:
        """Register the decorated function as the emulation of action ``name``."""

        def register(run: Run) -> Run:
            self.specs[name] = ActionSpec(name, run, reads, writes, errors, pauses)
            return run

        return register

    def get(self, name: str, task: Task, flow_id: str) -> ActionSpec:
        try:
            return self.specs[name]
        except KeyError:
            where = f'in task "{task.id}" ("{task.name}") of flow "{flow_id}"'
            raise UnknownNameError("action", name, self.specs, where) from None


REGISTRY = Registry()
