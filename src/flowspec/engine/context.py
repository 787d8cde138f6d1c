"""The flow context: the one JSON document every assertion reads (design.md section 3).

``dynamic_values`` is what a flow's conditions and templates see; ``build`` adds the
run's own record (status, path, screen, session verdict) around it. Both return fresh
copies, so a snapshot taken before a click does not change after it.
"""

from __future__ import annotations

import copy
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


def dynamic_values(state: RunState) -> dict[str, Any]:
    """The dynamic values the flow reads: ``user.*``, ``form.*``, ``jwtClaims.*``, ..."""
    user: dict[str, Any] = {"loggedIn": state.user is not None}
    if state.user is not None:
        user.update(state.directory.dynamic_values(state.user))
        user["tenant"] = _current_tenant(user["userTenants"], state.jwt_claims.get("dct"))
    unauth: dict[str, Any] = {}
    if state.login_id:
        unauth["loginId"] = state.login_id
    if state.unauth_user is not None:
        unauth.update(state.directory.dynamic_values(state.unauth_user))
    return {
        "user": user,
        "unauthUser": unauth,
        "form": dict(state.form),
        "deviceInfo": dict(state.device_info),
        "riskInfo": dict(state.risk_info),
        "connectors": copy.deepcopy(state.connector_results),
        "provider": state.provider,
        "jwtClaims": copy.deepcopy(state.jwt_claims),
        "authInfo": copy.deepcopy(state.auth_info),
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
    """The whole flow context of a run, paused on ``waiting_on`` (a screen) or not."""
    flow: dict[str, Any] = {
        "id": state.flow_id,
        "status": state.status,
        "executionId": state.execution_id,
        "stepId": waiting_on.id if waiting_on else (state.path[-1]["id"] if state.path else ""),
        "stepName": waiting_on.name
        if waiting_on
        else (state.path[-1]["name"] if state.path else ""),
        "action": state.client_action,
        "path": copy.deepcopy(state.path),
    }
    if state.prompt is not None:
        prompt = copy.deepcopy(state.prompt)
        flow[_PROMPT_KEYS[prompt.pop("kind")]] = prompt
    return {
        "flow": flow,
        "screen": _screen(state, waiting_on),
        **dynamic_values(state),
        "output": copy.deepcopy(state.output),
        "error": copy.deepcopy(state.error),
        "runnerLogs": copy.deepcopy(state.runner_logs),
        "session": copy.deepcopy(state.session),
    }


def _screen(state: RunState, task: Task | None) -> dict[str, Any] | None:
    if task is None or task.screen is None:
        return None
    return {
        "id": task.screen.id,
        "name": task.name,
        "taskId": task.id,
        "state": copy.deepcopy(state.screen_state),
        "inputs": [
            {"name": i.name, "required": i.required, "component": i.component}
            for i in task.screen.inputs
        ],
        "interactions": [{"id": i.id, "label": i.label} for i in task.screen.interactions],
    }
