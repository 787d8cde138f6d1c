"""One run of a flow in the local engine: walk the tasks, pause on screens, resume on clicks.

The walk follows Descope's export semantics: a condition takes its first branch whose
atomic conditions all hold, else ``ELSE``; an automated task follows the rule keyed by its
outcome (``success`` or a named error); a two-phase action (``<id>`` then ``<id>.end``)
pauses for the client and resumes at ``<id>.end`` on the ``submit`` interaction; a ``flow``
task runs another flow and continues through the rule keyed ``<end task id>.success``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flowspec.engine.actions import REGISTRY, Outcome
from flowspec.engine.actions.authentication import LOGIN_ID_INPUTS, identify
from flowspec.engine.conditions import choose_branch
from flowspec.engine.context import build, dynamic_values, view
from flowspec.engine.model import END_SUFFIX, SUCCESS, Flow, Task
from flowspec.engine.state import RunState
from flowspec.errors import (
    FlowMisbehaved,
    MissingInputError,
    RunStateError,
    StepLimitExceeded,
    UnknownNameError,
)

SUBMIT = "submit"


@dataclass(frozen=True)
class _Frame:
    flow: Flow
    caller: Task | None


class Execution:
    """A run of one flow; ``context`` is its flow context, ``interact`` moves it on."""

    def __init__(
        self, flow: Flow, flows: Mapping[str, Flow], state: RunState, step_limit: int
    ) -> None:
        self.state = state
        self._flows = flows
        self._frames = [_Frame(flow, None)]
        self._step_limit = step_limit
        self._waiting_on: Task | None = None
        self._last_screen: Task | None = None
        self._resume_at: str | None = None
        self._resumed: str | None = None
        # The context as last built, and as last viewed: a step reads it many times
        # between two clicks.
        self._built: dict[str, Any] | None = None
        self._viewed: dict[str, Any] | None = None

    @property
    def context(self) -> dict[str, Any]:
        """A snapshot of the flow context: the same one until the run moves on, never
        changed by the run afterwards. Read it; do not change it."""
        if self._built is None:
            self._built = build(self.state, self._waiting_on)
        return self._built

    def view(self) -> dict[str, Any]:
        """The flow context without copying the run's state: read it at once, never keep
        or change it (``context`` is the copy to keep). Like ``context``, the same one
        until the run moves on."""
        if self._viewed is None:
            self._viewed = view(self.state, self._waiting_on)
        return self._viewed

    def begin(self) -> None:
        self._moves_on()
        self._advance(self._frames[-1].flow.start_task)

    def interact(self, interaction_id: str, inputs: Mapping[str, Any] | None = None) -> None:
        """Send a click (a button id) or ``submit``, with the screen's input values."""
        self._moves_on()
        state = self.state
        if state.status != "waiting":
            raise RunStateError(
                f'flow "{state.flow_id}" is {state.status}, not waiting on a screen: '
                f'nothing can receive "{interaction_id}". Start a new run first.'
            )
        values = dict(inputs or {})
        if interaction_id == SUBMIT and self._resume_at is not None:
            state.form.update(values)
            state.error = None
            target, self._resume_at = self._resume_at, None
            self._resumed = target
            state.prompt = None
            # The paused action keeps its own outcome in the path: the client's answer is
            # what the ".end" task then makes of it.
            self._waiting_on = None
            self._advance(target)
            return
        screen = self._waiting_on
        if screen is None:
            raise UnknownNameError(
                "interaction",
                interaction_id,
                [SUBMIT],
                f"while the client answers {state.client_action}",
            )
        targets = screen.targets(interaction_id)
        if not targets:
            self._reject_click(screen, interaction_id)
        clicked = screen.interaction(interaction_id)
        if clicked is not None and clicked.validates:
            self._require_inputs(screen, values)
        state.form.update(values)
        state.error = None
        self._identify_visitor(values)
        self._record_outcome(interaction_id)
        if clicked is not None and clicked.provider:
            state.provider = clicked.provider
        state.screen_state = {}
        self._waiting_on = None
        self._advance(targets[0])

    def _moves_on(self) -> None:
        self._built = self._viewed = None

    def _identify_visitor(self, values: Mapping[str, Any]) -> None:
        """A login id typed on a screen makes the visitor ``unauthUser`` (inferred from
        Descope's flows, whose conditions read ``unauthUser.*`` right after such a screen)."""
        if self.state.user is not None:
            return
        login_id = next((values[key] for key in LOGIN_ID_INPUTS if values.get(key)), None)
        if login_id is not None:
            identify(self.state, str(login_id).strip())

    def _require_inputs(self, screen: Task, values: Mapping[str, Any]) -> None:
        """A validating button does not submit while a required input is empty."""
        inputs = screen.screen.inputs if screen.screen else ()
        missing = [
            i.name
            for i in inputs
            if i.required and not values.get(i.name, self.state.form.get(i.name))
        ]
        if missing:
            raise MissingInputError(screen.name, self.state.flow_id, missing)

    def _reject_click(self, screen: Task, interaction_id: str) -> None:
        shown = [i.id for i in screen.screen.interactions] if screen.screen else []
        if interaction_id in shown:
            raise FlowMisbehaved(
                f'button "{interaction_id}" on screen "{screen.name}" of flow '
                f'"{self.state.flow_id}" leads nowhere: the flow has no rule for it'
            )
        known = [*shown, *(r.interaction_id for r in screen.rules)]
        raise UnknownNameError(
            "button",
            interaction_id,
            known,
            f'on screen "{screen.name}" of flow "{self.state.flow_id}"',
        )

    def _advance(self, task_id: str) -> None:
        state = self.state
        state.status = "running"
        state.client_action = "none"
        steps = 0
        next_id: str | None = task_id
        while next_id is not None:
            steps += 1
            if steps > self._step_limit:
                recent = [entry["name"] for entry in state.path[-8:]]
                raise StepLimitExceeded(state.flow_id, self._step_limit, recent)
            task = self._frames[-1].flow.task(next_id)
            self._visit(task)
            next_id = self._step(task)

    def _visit(self, task: Task) -> None:
        entry: dict[str, Any] = {
            "id": task.id,
            "name": task.name,
            "type": task.type,
            "flow": self._frames[-1].flow.id,
        }
        if task.action:
            entry["action"] = task.action
        self.state.path.append(entry)

    def _record_outcome(self, outcome: str, branch: str | None = None) -> None:
        entry = self.state.path[-1]
        entry["outcome"] = outcome
        if branch is not None:
            entry["branch"] = branch

    def _step(self, task: Task) -> str | None:
        """Run one task; the id of the next task, or None when the run pauses or ends."""
        if task.type == "start":
            if not task.rules:
                self._finish()
                return None
            return task.rules[0].task_id
        if task.type == "condition":
            return self._decide(task)
        if task.type == "screen":
            self._wait_on(task)
            return None
        if task.type == "flow":
            return self._enter_sub_flow(task)
        return self._act(task)

    def _decide(self, task: Task) -> str:
        branch = choose_branch(task.branches, dynamic_values(self.state))
        if branch is None:
            raise FlowMisbehaved(
                f'condition "{task.name}" (task {task.id}) of flow "{self._frames[-1].flow.id}" '
                "matched no branch and has no ELSE branch; add an ELSE branch"
            )
        self._record_outcome(branch.interaction_id, branch.name)
        return task.targets(branch.interaction_id)[0]

    def _wait_on(self, task: Task) -> None:
        self.state.status = "waiting"
        self.state.client_action = "screen"
        self._waiting_on = task
        self._last_screen = task

    def _enter_sub_flow(self, task: Task) -> str:
        flow_id = task.sub_flow_id or ""
        if flow_id not in self._flows:
            raise UnknownNameError(
                "flow",
                flow_id,
                self._flows,
                f'run by task "{task.name}" ({task.id}); add it to scenarios/flows/',
            )
        sub = self._flows[flow_id]
        self._frames.append(_Frame(sub, task))
        return sub.start_task

    def _act(self, task: Task) -> str | None:
        frame = self._frames[-1]
        if task.is_end and frame.caller is not None:
            return self._return_from_sub_flow(task)
        spec = REGISTRY.get(task.action or "", task, frame.flow.id)
        outcome = spec.run(self.state, task)
        self._record_outcome(outcome.name)
        if not outcome.succeeded:
            return self._handle_error(task, outcome)
        targets = task.targets(SUCCESS)
        if outcome.pause is not None:
            resume = next((t for t in targets if t.endswith(END_SUFFIX)), None)
            if resume is not None:
                self._resume_at = resume
                self.state.prompt = {"kind": outcome.pause.kind, **outcome.pause.payload}
                others = [t for t in targets if t != resume]
                if others:
                    return others[0]
                self.state.status = "waiting"
                self.state.client_action = outcome.pause.kind
                return None
        if not targets:
            self._finish()
            return None
        return targets[0]

    def _return_from_sub_flow(self, end: Task) -> str:
        caller = self._frames.pop().caller
        assert caller is not None  # only sub-flow frames have a caller
        self._record_outcome(f"{end.id}.{SUCCESS}")
        targets = caller.targets(f"{end.id}.{SUCCESS}") or tuple(r.task_id for r in caller.rules)
        if not targets:
            raise FlowMisbehaved(
                f'flow task "{caller.name}" ({caller.id}) has no rule for the end of sub-flow '
                f'"{caller.sub_flow_id}" (expected interaction "{end.id}.{SUCCESS}")'
            )
        return targets[0]

    def _handle_error(self, task: Task, outcome: Outcome) -> str | None:
        custom = task.targets(outcome.name)
        if custom:
            return custom[0]
        state = self.state
        state.log(task.name, f"{outcome.name}: {outcome.description}", "error")
        state.error = {
            "code": outcome.name,
            "description": outcome.description,
            "message": f'task "{task.name}" ({task.action}) failed: {outcome.description}',
        }
        if self._last_screen is not None:
            # Descope's automatic error handling shows the error on the screen before.
            state.screen_state = {"errorText": outcome.description, "errorType": outcome.name}
            if task.id == self._resumed:
                # The user may still open a newer link or answer again from that screen.
                self._resume_at = task.id
            self._visit(self._last_screen)
            self._wait_on(self._last_screen)
            return None
        state.status = "failed"
        return None

    def _finish(self) -> None:
        self.state.status = "completed"
        self.state.client_action = "none"
        self._waiting_on = None
