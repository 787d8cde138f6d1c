"""The flow context: the one JSON document every assertion reads (design.md section 3).

``dynamic_values`` is what a flow's conditions and templates see: a read-only view that
builds each top-level section (``user``, ``form``, ...) only when a key of it is read,
because conditions run on every step and read one or two keys. ``build`` adds the run's
own record (status, path, screen, session verdict) around all of it and returns a deep
copy, so a snapshot taken before a click does not change after it.
"""

from __future__ import annotations

import copy
import marshal
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from flowspec.engine.model import Task
from flowspec.engine.state import RunState

# Where a pending client prompt shows in the context, by kind (Descope's response fields).
_PROMPT_KEYS = {
    "webauthnCreate": "webauthn",
    "webauthnGet": "webauthn",
    "redirect": "redirect",
    "poll": "poll",
}


class DynamicValues(Mapping[str, Any]):
    """The dynamic values a flow reads (``user.*``, ``form.*``, ``jwtClaims.*``, ...).

    A view of the run's state, not a copy: read it, never change it.
    """

    def __init__(self, state: RunState) -> None:
        self._state = state
        self._sections: dict[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        if key not in self._sections:
            self._sections[key] = _SECTIONS[key](self._state)
        return self._sections[key]

    def __iter__(self) -> Iterator[str]:
        return iter(_SECTIONS)

    def __len__(self) -> int:
        return len(_SECTIONS)


def dynamic_values(state: RunState) -> DynamicValues:
    return DynamicValues(state)


def _user(state: RunState) -> dict[str, Any]:
    user: dict[str, Any] = {"loggedIn": state.user is not None}
    if state.user is not None:
        user.update(state.directory.dynamic_values(state.user))
        user["tenant"] = _current_tenant(user["userTenants"], state.jwt_claims.get("dct"))
    return user


def _unauth_user(state: RunState) -> dict[str, Any]:
    unauth: dict[str, Any] = {}
    if state.login_id:
        unauth["loginId"] = state.login_id
    if state.unauth_user is not None:
        unauth.update(state.directory.dynamic_values(state.unauth_user))
    return unauth


_SECTIONS: dict[str, Callable[[RunState], Any]] = {
    "user": _user,
    "unauthUser": _unauth_user,
    "form": lambda state: state.form,
    "deviceInfo": lambda state: state.device_info,
    "riskInfo": lambda state: state.risk_info,
    "connectors": lambda state: state.connector_results,
    "provider": lambda state: state.provider,
    "jwtClaims": lambda state: state.jwt_claims,
    "authInfo": lambda state: state.auth_info,
}


def _current_tenant(tenants: list[dict[str, Any]], selected: Any) -> dict[str, Any]:
    """``user.tenant``: the tenant the JWT selected (``dct``), else the user's first tenant.

    Inferred: Descope documents ``user.tenant.roles`` without saying which tenant a
    multi-tenant user's run is in; the selected tenant is the natural reading.
    """
    chosen = next(
        (t for t in tenants if t["tenantId"] == selected), tenants[0] if tenants else None
    )
    if chosen is None:
        return {}
    return {
        "id": chosen["tenantId"],
        "name": chosen["tenantName"],
        "roles": list(chosen["roleNames"]),
    }


def build(state: RunState, waiting_on: Task | None) -> dict[str, Any]:
    """The whole flow context of a run, paused on ``waiting_on`` (a screen) or not: a
    copy, so a snapshot taken before a click does not change after it."""
    snapshot: dict[str, Any] = copy_json(view(state, waiting_on))
    return snapshot


# Values that cannot change, so a copy may share them.
_IMMUTABLE = frozenset({str, int, float, bool, type(None)})


def copy_json(value: Any) -> Any:
    """A deep copy of a JSON-shaped value, for a snapshot no later change reaches.

    A run builds its context after every click and actions copy users into it, so the
    copy is made by ``marshal``, in C, which takes two thirds of the time of a copy in
    Python and a fifth of ``copy.deepcopy``'s. A value marshal cannot write (anything
    but plain data and its built-in containers) is copied item by item instead.
    """
    try:
        return marshal.loads(marshal.dumps(value))
    except ValueError:
        return _copy_items(value)


def _copy_items(value: Any) -> Any:
    kind = type(value)
    if kind is dict:
        return {key: _copy_items(item) for key, item in value.items()}
    if kind is list:
        return [_copy_items(item) for item in value]
    if kind in _IMMUTABLE:
        return value
    return copy.deepcopy(value)


def view(state: RunState, waiting_on: Task | None) -> dict[str, Any]:
    """The flow context as a view of the run's state, not a copy: for a reader that
    serializes it at once (the HTTP emulator) and never keeps or changes it."""
    flow: dict[str, Any] = {
        "id": state.flow_id,
        "status": state.status,
        "executionId": state.execution_id,
        "stepId": waiting_on.id if waiting_on else (state.path[-1]["id"] if state.path else ""),
        "stepName": waiting_on.name
        if waiting_on
        else (state.path[-1]["name"] if state.path else ""),
        "action": state.client_action,
        "path": state.path,
    }
    if state.prompt is not None:
        prompt = dict(state.prompt)
        flow[_PROMPT_KEYS[prompt.pop("kind")]] = prompt
    return {
        "flow": flow,
        "screen": _screen(state, waiting_on),
        **dynamic_values(state),
        "output": state.output,
        "error": state.error,
        "runnerLogs": state.runner_logs,
        "session": state.session,
    }


def _screen(state: RunState, task: Task | None) -> dict[str, Any] | None:
    if task is None or task.screen is None:
        return None
    return {
        "id": task.screen.id,
        "name": task.name,
        "taskId": task.id,
        "state": state.screen_state,
        "inputs": [
            {"name": i.name, "required": i.required, "component": i.component}
            for i in task.screen.inputs
        ],
        "interactions": [{"id": i.id, "label": i.label} for i in task.screen.interactions],
    }
