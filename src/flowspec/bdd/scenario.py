"""What one scenario holds between its steps, kept on behave's scenario-level context.

behave drops attributes set during a scenario when the scenario ends, so each scenario
starts with no JWT, no run and no users; the world itself is loaded once per process.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

from flowspec.engine.doubles import Doubles
from flowspec.engine.runner import LocalRunner, Run, Runner
from flowspec.engine.users import User
from flowspec.engine.world import World
from flowspec.errors import RunStateError, SettingsError
from flowspec.identity import VirtualAuthenticator

ATTRIBUTE = "flowspec"
BACKENDS = ("local",)
TokenDelivery = Literal["input", "header"]


@dataclass
class ScenarioState:
    """The scenario's JWT, the people it named, the run it started and pending inputs."""

    world: World
    runner: Runner
    token: str | None = None
    delivery: TokenDelivery = "input"
    people: dict[str, User] = field(default_factory=dict)
    flow_inputs: dict[str, Any] = field(default_factory=dict)
    screen_inputs: dict[str, Any] = field(default_factory=dict)
    device_info: dict[str, Any] = field(default_factory=dict)
    run: Run | None = None
    authenticator: VirtualAuthenticator = field(default_factory=VirtualAuthenticator)

    def doubles(self) -> Doubles:
        """The outside world of this scenario: only the local runner has one to set."""
        if not isinstance(self.runner, LocalRunner):
            raise RunStateError(
                "this step sets what the outside world answers, which only the local runner "
                "can do; tag the scenario @local so other backends skip it"
            )
        return self.runner.doubles

    def current(self) -> Run:
        if self.run is None:
            raise RunStateError(
                'no flow is running yet: add a step such as When I run the "step-up" flow'
            )
        return self.run


@cache
def load_world(root: Path) -> World:
    """The world at ``root``, read once per process."""
    return World.load(root)


def scenario(context: Any) -> ScenarioState:
    """The current scenario's state, created on first use."""
    state = getattr(context, ATTRIBUTE, None)
    if state is None:
        state = _new_state(context)
        setattr(context, ATTRIBUTE, state)
    return state


def world_for(context: Any) -> World:
    """The world of this behave run: ``scenarios/`` beside the steps, or ``-D scenarios=``."""
    userdata = context.config.userdata
    backend = userdata.get("backend", "local")
    if backend not in BACKENDS:
        raise SettingsError(f"unknown backend {backend!r}; available: {', '.join(BACKENDS)}")
    return load_world((project_folder(context) / userdata.get("scenarios", "scenarios")).resolve())


def project_folder(context: Any) -> Path:
    """The folder behave found ``steps/`` in: the project's root."""
    return Path(getattr(context.config, "base_dir", None) or Path.cwd())


def _new_state(context: Any) -> ScenarioState:
    world = world_for(context)
    runner = LocalRunner(world)
    # One device per scenario: the passkeys users.yaml gives users live on it.
    return ScenarioState(world=world, runner=runner, authenticator=runner.doubles.device)
