"""Actions answered by the outside world: risk scores, connectors, scriptlets, audit events.

The scenario sets every answer in the runner's doubles. Where the flow reads the answers:

- ``risk`` writes ``riskInfo.riskScore`` and ``riskInfo.riskLevel``.
- ``connector`` and ``scriptlet`` write their result under ``connectors``, twice: keyed by
  the task id and by the task name, so a flow's condition and a scenario's check can use
  either. A connector's result is the stubbed body plus ``request``, its ``args`` with the
  templates rendered (what was sent; kept on failure too); a body key ``request`` wins,
  as the flow reads the body. Scriptlets share the ``connectors`` key only because the
  context has no ``scriptlets`` key yet.
- ``generate-audit-event`` appends to ``doubles.audit_events``.

A connector or scriptlet the scenario did not stub raises ``MissingStubError`` naming the
task and the step to add. A risk score is different: an unstubbed score is 0, because a
risk engine scores a visitor it has no signal about as low risk, and a scenario about
anything but risk should not have to say so.

A stubbed error may name any outcome; unnamed, it is ``ConnectorFailed`` (a name the
corpus shows, beside ``request_error``) or ``ScriptletFailed``. ``riskLevel``, its
thresholds and ``ScriptletFailed`` are flowspec's: Descope documents only ``riskScore``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from flowspec.engine.actions.registry import REGISTRY, Outcome
from flowspec.engine.context import dynamic_values
from flowspec.engine.doubles import Message, StubbedResponse
from flowspec.engine.dynamic import MISSING, render
from flowspec.engine.model import Task
from flowspec.engine.state import RunState
from flowspec.errors import MissingStubError

# Above 0.5 is high, as the "Is risk high?" condition of Descope's risk template draws it;
# the medium band below it is flowspec's.
HIGH_RISK_ABOVE = 0.5
MEDIUM_RISK_ABOVE = 0.2

_SEND_EMAIL = "sendEmail"
_STUB_EXAMPLE = '\n    """\n    {"ok": true}\n    """'


@REGISTRY.action("risk", writes=("riskInfo.riskScore", "riskInfo.riskLevel"))
def risk(state: RunState, task: Task) -> Outcome:
    """Score the visitor as the scenario says (0 when unstubbed) and grade it low/medium/high."""
    score = state.doubles.risk_score
    if score is None:
        state.log(task.name, "no risk score stubbed: scoring 0 (low)")
        score = 0.0
    state.risk_info.update(riskScore=score, riskLevel=risk_level(score))
    return Outcome()


def risk_level(score: float) -> str:
    """``high`` above 0.5, ``medium`` above 0.2, else ``low``."""
    if score > HIGH_RISK_ABOVE:
        return "high"
    if score > MEDIUM_RISK_ABOVE:
        return "medium"
    return "low"


@REGISTRY.action(
    "connector",
    # Any dynamic value its args templates name.
    reads=("*",),
    writes=("connectors",),
    errors=("ConnectorFailed", "request_error"),
)
def connector(state: RunState, task: Task) -> Outcome:
    """Send the rendered ``args`` and take the stubbed answer (by task name, id, connectorId).

    The result, the body plus ``request``, goes under ``connectors``; a stubbed error is
    that named outcome, ``ConnectorFailed`` if unnamed. A ``sendEmail`` command that
    succeeds also puts a message to its ``emailTo`` in the outbox.
    """
    connector_id = str(task.arguments.get("connectorId") or "")
    stub = _stub(state.doubles.connectors, task.name, task.id, connector_id)
    if stub is None:
        raise _missing(state, task, "connector", f" (connectorId {connector_id!r})")
    request = _request(task, dynamic_values(state))
    if stub.error is not None:
        _record(state, task, {"request": request})
        return Outcome(stub.error or "ConnectorFailed", f'connector "{task.name}" failed')
    _record(state, task, {"request": request, **copy.deepcopy(dict(stub.body))})
    if task.arguments.get("command") == _SEND_EMAIL and request.get("emailTo"):
        _send_email(state, task, str(request["emailTo"]))
    return Outcome()


@REGISTRY.action("scriptlet", writes=("connectors",), errors=("ScriptletFailed",))
def scriptlet(state: RunState, task: Task) -> Outcome:
    """Take the stubbed answer (by task name, then id) and put it under ``connectors``.

    A stubbed error is that named outcome, ``ScriptletFailed`` if unnamed.
    """
    stub = _stub(state.doubles.scriptlets, task.name, task.id)
    if stub is None:
        raise _missing(state, task, "scriptlet")
    if stub.error is not None:
        return Outcome(stub.error or "ScriptletFailed", f'scriptlet "{task.name}" failed')
    _record(state, task, copy.deepcopy(dict(stub.body)))
    return Outcome()


@REGISTRY.action("generate-audit-event", reads=("*",))
def generate_audit_event(state: RunState, task: Task) -> Outcome:
    """Record ``{task, action, arguments, time}`` in the audit log; it always succeeds.

    ``action`` is the ``action`` argument, else the task's name; templates in the arguments
    are rendered.
    """
    state.doubles.audit_events.append(
        {
            "task": task.id,
            "action": str(task.arguments.get("action") or task.name),
            "arguments": _rendered(task.arguments, dynamic_values(state)),
            "time": state.clock(),
        }
    )
    return Outcome()


def _stub(stubs: Mapping[str, StubbedResponse], *keys: str) -> StubbedResponse | None:
    return next((stubs[key] for key in keys if key and key in stubs), None)


def _missing(state: RunState, task: Task, kind: str, detail: str = "") -> MissingStubError:
    return MissingStubError(
        task=f'"{task.name}" ({task.id})',
        flow_id=state.flow_id,
        what=f'the answer of {kind} "{task.name}"{detail}',
        step=f'Given the {kind} "{task.name}" answers{_STUB_EXAMPLE}',
    )


def _request(task: Task, values: Mapping[str, Any]) -> dict[str, Any]:
    """The connector's ``args``: export definitions ``[{key, type, value}]`` or a mapping."""
    args = task.arguments.get("args")
    if isinstance(args, Mapping):
        return {str(key): _rendered(value, values) for key, value in args.items()}
    if isinstance(args, list):
        return {
            str(entry["key"]): _rendered(entry.get("value"), values)
            for entry in args
            if isinstance(entry, Mapping) and entry.get("key")
        }
    return {}


def _rendered(value: Any, values: Mapping[str, Any]) -> Any:
    """``value`` with templates resolved all the way down; a missing value becomes null."""
    if isinstance(value, Mapping):
        return {str(key): _rendered(item, values) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_rendered(item, values) for item in value]
    result = render(value, values)
    # A lone template (`{{form}}`) gives a live part of the run state; what was sent and
    # logged must not change when the run does later.
    return None if result is MISSING else copy.deepcopy(result)


def _record(state: RunState, task: Task, result: dict[str, Any]) -> None:
    state.connector_results[task.id] = result
    state.connector_results[task.name] = result


def _send_email(state: RunState, task: Task, to: str) -> None:
    now = state.clock()
    state.doubles.outbox.append(
        Message(
            channel="email",
            to=to,
            purpose="message",
            secret="",
            link="",
            sent_at=now,
            expires_at=now,
            task_id=task.id,
            flow_id=state.flow_id,
        )
    )
