"""A flow response (docs/wire.md) as the flow context (design.md section 3).

The remote context has the local one's top-level keys. A response from ``flowspec serve``
describes itself through flowspec's additions (``screen.name``, ``screen.inputs``,
``screen.interactions``, ``flowspec.path``, ``flowspec.session``, ``flowspec.user``); one
from a real Descope project does not, and then the screen is described by the flow's
local export, the path is the steps this client saw, the session verdict is unknown, and
the user is what ``/v1/auth/me`` answers. Raw tokens never enter
the context: ``authInfo`` holds decoded claims.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from flowspec.engine.context import copy_json
from flowspec.engine.model import Task
from flowspec.identity import decode_claims
from flowspec.remote.users import user_section, user_values

__all__ = ["auth_info", "export_screen_id", "flow_context", "served_user", "step_seen"]

_ADDITIONS: Final = "flowspec"
_DESCRIBED_BY: Final = ("name", "inputs", "interactions")
_PROMPTS: Final = ("webauthn", "redirect")


def step_seen(response: Mapping[str, Any]) -> dict[str, Any] | None:
    """The step a response waits on or ended at, as an entry of ``flow.path``."""
    step_id = _text(response.get("stepId"))
    if not step_id:
        return None
    return {
        "id": step_id,
        "name": _text(response.get("stepName")) or step_id,
        "type": "screen" if response.get("action") == "screen" else "step",
    }


def export_screen_id(response: Mapping[str, Any]) -> str | None:
    """The screen id to look up in the local exports, when the response does not fully
    describe its screen itself."""
    screen = _object(response.get("screen"))
    screen_id = _text(screen.get("id"))
    if not screen_id or all(key in screen for key in _DESCRIBED_BY):
        return None
    return screen_id


def served_user(response: Mapping[str, Any]) -> dict[str, Any] | None:
    """The signed-in user's Descope user object when the response carries it
    (``flowspec.user``, as ``/v1/auth/me`` would answer it), else None.

    None says nothing about who is signed in: a real project never sends the addition,
    and ``flowspec serve`` leaves it out when nobody is; ``/v1/auth/me`` decides then.
    """
    user = _object(response.get(_ADDITIONS)).get("user")
    return dict(user) if isinstance(user, Mapping) else None


def auth_info(
    response: Mapping[str, Any], refresh_cookie: str | None = None
) -> tuple[dict[str, Any], str | None]:
    """The context's ``authInfo`` for a response, and the raw refresh JWT it issued.

    The raw token is for the client alone (``/v1/auth/me``, the next request's header);
    the context gets its decoded claims. A project that delivers tokens by cookie sends
    the refresh JWT as the ``DSR`` cookie instead of in the body.
    """
    info = _object(response.get("authInfo"))
    refresh = _text(info.get("refreshJwt")) or refresh_cookie or None
    if not info:
        return {}, refresh
    session = _text(info.get("sessionJwt"))
    user = _object(info.get("user"))
    decoded = {
        "sessionJwt": decode_claims(session) if session else {},
        "refreshJwt": decode_claims(refresh) if refresh else {},
        "user": user_values(user) if user else {},
        "firstSeen": bool(info.get("firstSeen")),
    }
    return decoded, refresh


def flow_context(
    response: Mapping[str, Any],
    *,
    flow_id: str,
    steps: Sequence[Mapping[str, Any]],
    screen_task: Task | None,
    user: Mapping[str, Any] | None,
    token_claims: Mapping[str, Any],
    start_claims: Mapping[str, Any],
    decoded_auth_info: Mapping[str, Any],
    form: Mapping[str, Any],
    device_info: Mapping[str, Any],
) -> dict[str, Any]:
    """The whole flow context after ``response``; a deep copy the caller may keep.

    ``user`` is the response's ``flowspec.user``, or else what ``/v1/auth/me`` answered for
    the run's refresh JWT (None: no token, or not accepted), ``token_claims`` that token's
    claims, ``start_claims`` the claims of the
    token the run started with.
    """
    additions = _object(response.get(_ADDITIONS))
    path = additions.get("path")
    session = additions.get("session")
    error = response.get("error")
    context = {
        "flow": _flow(response, flow_id, path if isinstance(path, list) else list(steps)),
        "screen": _screen(response, screen_task),
        "user": user_section(user, token_claims),
        "unauthUser": {},
        "form": form,
        "deviceInfo": device_info,
        "riskInfo": {},
        "connectors": {},
        "provider": "",
        "jwtClaims": start_claims,
        "authInfo": decoded_auth_info,
        "output": _object(response.get("output")),
        "error": error if isinstance(error, Mapping) and error else None,
        "runnerLogs": _list(response.get("runnerLogs")),
        "session": session if isinstance(session, Mapping) else {"status": "unknown"},
    }
    fresh: dict[str, Any] = copy_json(context)
    return fresh


def _flow(response: Mapping[str, Any], flow_id: str, path: list[Any]) -> dict[str, Any]:
    flow: dict[str, Any] = {
        "id": flow_id,
        "status": _text(response.get("status")),
        "executionId": _text(response.get("executionId")),
        "stepId": _text(response.get("stepId")),
        "stepName": _text(response.get("stepName")),
        "action": _text(response.get("action")) or "none",
        "path": path,
    }
    for key in _PROMPTS:
        prompt = response.get(key)
        if isinstance(prompt, Mapping) and prompt:
            flow[key] = prompt
    return flow


def _screen(response: Mapping[str, Any], task: Task | None) -> dict[str, Any] | None:
    """The screen the run waits on: each of its name, inputs and buttons from the response's
    additions when sent, else from the export's screen task."""
    screen = _object(response.get("screen"))
    if not screen:
        return None
    described = task.screen if task is not None else None
    fallback: dict[str, Any] = {
        "name": task.name if task is not None else _text(response.get("stepName")),
        "inputs": [
            {"name": i.name, "required": i.required, "component": i.component}
            for i in (described.inputs if described else ())
        ],
        "interactions": [
            {"id": i.id, "label": i.label} for i in (described.interactions if described else ())
        ],
    }
    return {
        "id": _text(screen.get("id")),
        "name": screen.get("name", fallback["name"]),
        "taskId": _text(response.get("stepId")),
        "state": _object(screen.get("state")),
        "inputs": screen.get("inputs", fallback["inputs"]),
        "interactions": screen.get("interactions", fallback["interactions"]),
    }


def _object(value: object) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {}


def _list(value: object) -> list[Any]:
    return list(value) if isinstance(value, list) else []


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""
