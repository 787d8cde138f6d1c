"""A scenario rehearsed outside behave: step lines run through the step library, one by
one, on a fresh local run, the way behave would run them.

``flowspec new`` rehearses every scenario it may write, so a line is written only when
the step library reads it and, for a Then, when it holds.
"""

from __future__ import annotations

from typing import Any, Literal

from behave.step_registry import registry

from flowspec.bdd.scenario import ATTRIBUTE, ScenarioState
from flowspec.engine.doubles import Purpose
from flowspec.engine.paths import Visit
from flowspec.engine.runner import LocalRunner
from flowspec.engine.world import World
from flowspec.errors import FlowspecError

Keyword = Literal["Given", "When", "Then"]


class _Context:
    """What a step function reads of behave's context: the scenario's state, and no
    table or doc string."""

    def __init__(self, state: ScenarioState) -> None:
        setattr(self, ATTRIBUTE, state)
        self.table = None
        self.text = None


class Rehearsal:
    """One scenario on the local runner, from its first step."""

    def __init__(self, world: World) -> None:
        runner = LocalRunner(world)
        self.world = world
        self.runner = runner
        self.state = ScenarioState(world=world, runner=runner, authenticator=runner.doubles.device)
        self._context = _Context(self.state)

    def run(self, keyword: Keyword, text: str) -> None:
        """Run the step ``keyword text`` as behave would; its errors are raised."""
        for matcher in registry.steps[keyword.lower()]:
            match = matcher.match(text)
            if match is not None:
                args = [a.value for a in match.arguments if a.name is None]
                kwargs = {a.name: a.value for a in match.arguments if a.name is not None}
                match.func(self._context, *args, **kwargs)
                return
        # Lines are made from the library's own phrases; one it cannot read is a bug here.
        raise LookupError(f"no step of flowspec's library reads: {keyword} {text}")

    def holds(self, text: str) -> bool:
        """Whether the Then step ``text`` passes now."""
        try:
            self.run("Then", text)
        except (FlowspecError, AssertionError):
            return False
        return True

    @property
    def doc(self) -> dict[str, Any]:
        """The flow context of the run (a copy)."""
        return self.state.current().context

    def visits(self) -> tuple[Visit, ...]:
        """The run's path so far, as :mod:`flowspec.engine.paths` writes paths."""
        return tuple(
            Visit(str(e["flow"]), str(e["id"]), e.get("outcome")) for e in self.doc["flow"]["path"]
        )

    def sent_to(self, purpose: Purpose) -> list[str]:
        """The addresses sent a message of ``purpose``, the newest first."""
        outbox = self.runner.doubles.outbox
        return list(dict.fromkeys(m.to for m in reversed(outbox) if m.purpose == purpose))
