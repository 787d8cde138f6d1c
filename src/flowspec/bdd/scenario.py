"""What one scenario holds between its steps, kept on behave's scenario-level context.

behave drops attributes set during a scenario when the scenario ends, so each scenario
starts with no JWT, no run and no users; the world itself, and the remote backend's
client, are made once per process.

The engine and the remote client (httpx) are imported by the functions that use them,
not here: every step module imports this one, and registering the steps (``flowspec
steps``, behave loading ``steps/``) then costs little more than importing behave; a
local run never imports httpx at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from flowspec.errors import RunStateError, SettingsError

if TYPE_CHECKING:
    from flowspec.engine.doubles import Doubles
    from flowspec.engine.runner import LocalRunner, Run, Runner
    from flowspec.engine.users import User
    from flowspec.engine.world import World
    from flowspec.identity import VirtualAuthenticator
    from flowspec.remote import RemoteRunner

ATTRIBUTE = "flowspec"
BACKENDS = ("local", "remote")
LOCAL_TAG = "local"
TokenDelivery = Literal["input", "header"]


@dataclass(frozen=True)
class SignInOnStart:
    """A test user's JWT the remote backend gets with the scenario's next start: against
    ``flowspec serve``, which signs the user in and starts the flow in one round trip
    (``RemoteRunner.start_signed_in``). The start replaces it with the JWT it got."""

    runner: RemoteRunner
    login_id: str


@dataclass
class ScenarioState:
    """The scenario's JWT, the people it named, the run it started and pending inputs."""

    world: World
    runner: Runner
    # The visitor's device; on the local runner, the one its doubles hold.
    authenticator: VirtualAuthenticator
    token: str | SignInOnStart | None = None
    delivery: TokenDelivery = "input"
    people: dict[str, User] = field(default_factory=dict)
    flow_inputs: dict[str, Any] = field(default_factory=dict)
    screen_inputs: dict[str, Any] = field(default_factory=dict)
    device_info: dict[str, Any] = field(default_factory=dict)
    run: Run | None = None

    def doubles(self) -> Doubles:
        """The outside world of this scenario: only the local runner has one to set."""
        return self.local_runner("sets or reads what the outside world answers").doubles

    def local_runner(self, what: str) -> LocalRunner:
        """The local runner, for a step that only it can do; a clear error elsewhere."""
        local = _as_local(self.runner)
        if local is None:
            raise RunStateError(
                f"this step {what}, which only the local runner can do; tag the scenario "
                f"@{LOCAL_TAG} so other backends skip it"
            )
        return local

    def refresh_token(self, user: User) -> str | SignInOnStart:
        """A refresh JWT for ``user`` from the backend: minted locally, or obtained from a
        remote project through its test-user OTP endpoints; from ``flowspec serve``, with
        the next start (:class:`SignInOnStart`)."""
        if _as_local(self.runner) is None:
            # Imported only here, off the local path, so a local run never loads httpx.
            from flowspec.remote import RemoteRunner

            if isinstance(self.runner, RemoteRunner):
                login_id = user.login_ids[0]
                if self.runner.signs_in_on_start:
                    return SignInOnStart(self.runner, login_id)
                return self.runner.test_user_refresh_jwt(login_id)
        return self.world.refresh_token(user)

    def current(self) -> Run:
        if self.run is None:
            raise RunStateError(
                'no flow is running yet: add a step such as When I run the "step-up" flow'
            )
        return self.run

    def view(self) -> dict[str, Any]:
        """The flow context of the run now, for a step that reads it at once and keeps
        nothing of it (see ``Run.view``)."""
        return self.current().view()


def _as_local(runner: Runner) -> LocalRunner | None:
    """``runner`` when it is the local runner."""
    from flowspec.engine.runner import LocalRunner  # on use: see the module docstring

    return runner if isinstance(runner, LocalRunner) else None


@cache
def load_world(root: Path) -> World:
    """The world at ``root``, read once per process."""
    from flowspec.engine.world import World  # on use: see the module docstring

    return World.load(root)


def world_loaded() -> bool:
    """Whether this process has read a world (a forked worker has its parent's)."""
    return load_world.cache_info().currsize > 0


def scenario(context: Any) -> ScenarioState:
    """The current scenario's state, created on first use."""
    state = getattr(context, ATTRIBUTE, None)
    if state is None:
        state = _new_state(context)
        setattr(context, ATTRIBUTE, state)
    return state


def backend_of(context: Any) -> str:
    """The backend this behave run uses: ``-D backend=`` (``flowspec run --backend``)."""
    backend = str(context.config.userdata.get("backend", "local"))
    if backend not in BACKENDS:
        raise SettingsError(f"unknown backend {backend!r}; available: {', '.join(BACKENDS)}")
    return backend


def world_for(context: Any) -> World:
    """The world of this behave run: ``scenarios/`` beside the steps, or ``-D scenarios=``."""
    backend_of(context)
    return _world_in(
        project_folder(context), str(context.config.userdata.get("scenarios", "scenarios"))
    )


@cache
def _world_in(project: Path, scenarios: str) -> World:
    """The world ``scenarios`` names from ``project``: its path resolved once per process,
    not for every scenario."""
    return load_world((project / scenarios).resolve())


def project_folder(context: Any) -> Path:
    """The folder behave found ``steps/`` in: the project's root."""
    return Path(getattr(context.config, "base_dir", None) or Path.cwd())


_remote_runners: dict[Path, RemoteRunner] = {}


def remote_runner(project: Path, flows: Path) -> RemoteRunner:
    """One remote client per process: its connections are kept alive across scenarios."""
    if project not in _remote_runners:
        from flowspec.remote import RemoteRunner, load_settings  # the remote backend only

        pyproject = project / "pyproject.toml"
        settings = load_settings(pyproject if pyproject.exists() else None)
        _remote_runners[project] = RemoteRunner(settings, flows)
    return _remote_runners[project]


def reset_served_world(context: Any) -> None:
    """Give a scenario on ``flowspec serve`` the world as loaded, as the local runner does;
    after the first refusal (a real project), stop asking. Once serve has accepted one,
    each reset rides on the scenario's first request instead of a round trip of its own."""
    world = world_for(context)
    remote = remote_runner(project_folder(context), world.root / "flows")
    if remote not in _no_reset and not remote.reset_served_world(deferred=True):
        _no_reset.add(remote)


_no_reset: set[RemoteRunner] = set()


def close_remote_runners() -> None:
    """Close the remote clients this process opened (behave's after_all)."""
    while _remote_runners:
        _remote_runners.popitem()[1].close()


def _new_state(context: Any) -> ScenarioState:
    from flowspec.engine.runner import LocalRunner  # on use: see the module docstring

    world = world_for(context)
    if backend_of(context) == "remote":
        from flowspec.identity import VirtualAuthenticator

        remote = remote_runner(project_folder(context), world.root / "flows")
        return ScenarioState(world=world, runner=remote, authenticator=VirtualAuthenticator())
    runner = LocalRunner(world)
    # One device per scenario: the passkeys users.yaml gives users live on it.
    return ScenarioState(world=world, runner=runner, authenticator=runner.doubles.device)
