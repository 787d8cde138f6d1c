"""The seam between the step library and a backend, and the local backend behind it.

The step library talks only to ``Runner`` and ``Run``; the local engine here and the
remote client both implement them, so the same feature runs on either.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, Protocol

from flowspec.engine.doubles import Doubles
from flowspec.engine.execution import Execution
from flowspec.engine.state import RunState
from flowspec.engine.users import Directory
from flowspec.engine.world import World

JWT_INPUT = "jwt"


class Run(Protocol):
    """A started flow: read its context, send it interactions."""

    @property
    def context(self) -> dict[str, Any]:
        """The flow context now: a snapshot that later interactions do not change."""
        ...

    def view(self) -> dict[str, Any]:
        """The flow context now, for a reader done with it before the run moves on: never
        keep or change it. It may be the run's own state (the local runner's is), which
        spares the copy ``context`` makes."""
        ...

    def interact(self, interaction_id: str, inputs: Mapping[str, Any] | None = None) -> None: ...


class Runner(Protocol):
    """Starts flows on one backend."""

    def start(
        self,
        flow_id: str,
        *,
        inputs: Mapping[str, Any] | None = None,
        refresh_jwt: str | None = None,
        device_info: Mapping[str, Any] | None = None,
    ) -> Run: ...


class LocalRunner:
    """Runs flows in-process against the test world.

    Users and doubles (the outbox, stubbed providers) are private to this runner and
    shared by the runs it starts, so a scenario is isolated from the next one.
    """

    def __init__(self, world: World) -> None:
        self._world = world
        self._directory = world.directory()
        self.doubles = Doubles()

    @property
    def directory(self) -> Directory:
        """The users this runner's runs read and change (sign-ups add to them)."""
        return self._directory

    def start(
        self,
        flow_id: str,
        *,
        inputs: Mapping[str, Any] | None = None,
        refresh_jwt: str | None = None,
        device_info: Mapping[str, Any] | None = None,
    ) -> Execution:
        """Start ``flow_id``; a refresh JWT comes as the SDK's token or as the input ``jwt``."""
        flow = self._world.flow(flow_id)
        form = dict(inputs or {})
        # The console runner's way: the token is an input, but never a form value.
        token_input = form.pop(JWT_INPUT, None)
        state = RunState(
            flow_id=flow.id,
            execution_id=uuid.uuid4().hex,
            directory=self._directory,
            doubles=self.doubles,
            issuer=self._world.issuer,
            project_id=self._world.project_id,
            form=form,
            device_info=dict(device_info or {}),
        )
        token = refresh_jwt if refresh_jwt is not None else token_input
        if token is not None:
            _open_session(state, token)
        execution = Execution(flow, self._world.flows, state, self._world.step_limit)
        execution.begin()
        return execution


def _open_session(state: RunState, token: object) -> None:
    """Judge the refresh JWT; an accepted one signs the run in, a rejected one is recorded
    and the run goes on anonymous. ``token`` is as the client sent it: the input ``jwt``
    may be any JSON value, and the verdict on one that is no string says what it is."""
    verdict = state.issuer.verify(token, kind="refresh")
    state.session = {**verdict.as_context(), "claims": dict(verdict.claims)}
    if not verdict.accepted:
        return
    user = state.directory.find(str(verdict.claims.get("sub", "")))
    if user is None:
        state.session.update(
            status="rejected",
            code="unknown-user",
            reason=f"the token's subject {verdict.claims.get('sub')!r} is no user of this project",
        )
        return
    state.user = user
    state.jwt_claims = dict(verdict.claims)
    state.amr = [str(method) for method in verdict.claims.get("amr", [])]
