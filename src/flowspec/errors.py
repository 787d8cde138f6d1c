"""The exception tree of flowspec.

Two kinds of failure matter to behave and to CI. Either the flow misbehaved (the
scenario is right and the flow did something else), which subclasses ``AssertionError``
so behave marks the step *failed* and JUnit writes ``<failure>``; or the scenario or the
test world is wrong, which is any other error, so behave marks the step *error*::

    FlowspecError
    ├── FlowMisbehaved (AssertionError)        the flow did not do what the scenario expects
    │   ├── ExpectationFailed                  a JSONPath check on the flow context failed
    │   ├── StepLimitExceeded                  the run visited more tasks than the limit allows
    │   └── RemoteFlowMisbehaved               a remote backend says the flow misbehaved
    │                                          (defined in flowspec.remote.errors)
    └── WorldError                             the scenario or the test world is wrong
        ├── FlowDefinitionError (ValueError)   a flow file is malformed or inconsistent
        ├── JSONPathSyntaxError (ValueError)   a JSONPath expression does not parse
        ├── UnknownNameError (LookupError)     a flow, user, role, screen input, button or
        │                                      action that the world does not hold
        ├── MissingStubError (LookupError)     an action needs an answer the scenario did not stub
        ├── RemoteError                        a remote backend failed or refused a request
        │                                      (defined in flowspec.remote.errors)
        ├── RunStateError                      a step that needs a run in another state
        │   └── MissingInputError              a click without a required screen input
        └── SettingsError (ValueError)         scenarios/project.yaml or users.yaml is wrong
    ReportError (ValueError)                   a report file to read is missing or unreadable

Every message says what happened, where, and what to do next. No message ever holds a
raw token: callers pass decoded claims.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from difflib import get_close_matches

__all__ = [
    "ExpectationFailed",
    "FlowDefinitionError",
    "FlowMisbehaved",
    "FlowspecError",
    "JSONPathSyntaxError",
    "MissingInputError",
    "MissingStubError",
    "ReportError",
    "RunStateError",
    "SettingsError",
    "StepLimitExceeded",
    "UnknownNameError",
    "WorldError",
    "closest",
    "did_you_mean",
    "json_kind",
]


def closest(name: str, candidates: Iterable[str], limit: int = 3) -> list[str]:
    """Return up to ``limit`` candidates that look like ``name``, best first."""
    pool = list(dict.fromkeys(candidates))
    by_lower = {candidate.lower(): candidate for candidate in pool}
    matches = get_close_matches(name.lower(), list(by_lower), n=limit, cutoff=0.5)
    return [by_lower[match] for match in matches]


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """``"Did you mean 'a' or 'b'? "`` for the candidates close to ``name``, else ``""``."""
    suggestions = closest(name, candidates)
    if not suggestions:
        return ""
    return f"Did you mean {' or '.join(repr(s) for s in suggestions)}? "


def json_kind(value: object) -> str:
    """What ``value`` is, in JSON's words where it has one (``a number``, ``null``), for
    messages that must not show the value itself."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"


class FlowspecError(Exception):
    """The root of every error flowspec raises on purpose."""


class FlowMisbehaved(FlowspecError, AssertionError):
    """The flow did something other than what the scenario expects."""


class ExpectationFailed(FlowMisbehaved):
    """A check on the flow context did not hold."""


class StepLimitExceeded(FlowMisbehaved):
    """A run visited more tasks than the step limit allows: the flow loops."""

    def __init__(self, flow_id: str, limit: int, recent: Sequence[str]) -> None:
        self.flow_id = flow_id
        self.limit = limit
        self.recent = list(recent)
        tail = " -> ".join(self.recent)
        super().__init__(
            f'flow "{flow_id}" ran {limit} tasks without stopping at a screen or an end; '
            f"it loops. Last tasks visited: {tail}. Fix the flow's rules, or raise "
            f"step_limit in scenarios/project.yaml if the flow is really that long."
        )


class WorldError(FlowspecError):
    """The scenario or the test world is wrong, not the flow."""


class FlowDefinitionError(WorldError, ValueError):
    """A flow file is malformed, or its tasks do not fit together."""

    def __init__(self, source: str, location: str, problem: str, fix: str) -> None:
        self.source = source
        self.location = location
        self.problem = problem
        self.fix = fix
        super().__init__(f"{source}: at {location}: {problem}. {fix}")


class JSONPathSyntaxError(WorldError, ValueError):
    """A JSONPath expression does not parse; the message points at the column."""

    def __init__(self, expression: str, column: int, reason: str) -> None:
        self.expression = expression
        self.column = column
        self.reason = reason
        caret = " " * (column + 4) + "^"
        super().__init__(
            f"bad JSONPath at column {column + 1}: {reason}\n    {expression}\n{caret}\n"
            'Write paths such as "$.user.loggedIn" or "$.flow.path[0].name".'
        )


class UnknownNameError(WorldError, LookupError):
    """A name the scenario used is not in the world; says what is there instead."""

    def __init__(self, kind: str, name: str, known: Iterable[str], where: str = "") -> None:
        self.kind = kind
        self.name = name
        self.known = sorted(set(known))
        self.suggestions = closest(name, self.known)
        place = f" {where}" if where else ""
        hint = did_you_mean(name, self.known) or (
            f"Known {kind}s: {', '.join(repr(k) for k in self.known) or 'none'}."
        )
        super().__init__(f"unknown {kind} {name!r}{place}. {hint}".rstrip())


class MissingStubError(WorldError, LookupError):
    """An action reaches outside the project and the scenario did not say what answers."""

    def __init__(self, task: str, flow_id: str, what: str, step: str) -> None:
        self.task = task
        self.flow_id = flow_id
        super().__init__(
            f'task {task} of flow "{flow_id}" needs {what}, and the scenario stubs none. '
            f"Add a step such as: {step}"
        )


class ReportError(FlowspecError, ValueError):
    """A report a command reads (``reports/run.json``) is missing, torn or of another kind."""


class RunStateError(WorldError):
    """A step needs a run in another state (no run started, or the run is not waiting)."""


class SettingsError(WorldError, ValueError):
    """The project settings or the users file is wrong."""


class MissingInputError(RunStateError):
    """A button that validates the screen was clicked while a required input is empty."""

    def __init__(self, screen: str, flow_id: str, missing: list[str]) -> None:
        self.screen = screen
        self.missing = missing
        names = ", ".join(f'"{name}"' for name in missing)
        super().__init__(
            f'screen "{screen}" of flow "{flow_id}" requires {names} before this button '
            f'submits; add e.g. When I fill in "{missing[0]}" with "..." before the click'
        )
