"""The local engine's runs and users, written as Descope's API answers them.

The flow response follows ``docs/wire.md``: Descope's fields, plus flowspec's additions
(``screen.name``, ``screen.inputs``, ``screen.interactions``, ``flowspec.path``,
``flowspec.session``, ``flowspec.user``) that a real project never sends. The raw tokens
a completed run issued go into ``authInfo`` here, as Descope sends them; they come from
the run's state, never from its flow context, which holds decoded claims only.
"""

from __future__ import annotations

from typing import Any

from flowspec.engine.execution import Execution
from flowspec.engine.users import Directory, UserRecord
from flowspec.identity import decode_claims

# Where a pending client prompt sits in the flow context's ``flow`` section, and in the
# response: Descope's fields for a passkey ceremony and an OAuth redirect.
_PROMPTS = ("webauthn", "redirect")


def flow_response(execution: Execution) -> dict[str, Any]:
    """Descope's ``FlowResponse`` for the run as it stands (a view of the run's state,
    serialized before the run can change again)."""
    context = execution.view()
    flow = context["flow"]
    response: dict[str, Any] = {
        "executionId": flow["executionId"],
        "stepId": flow["stepId"],
        "stepName": flow["stepName"],
        "status": flow["status"],
        "action": flow["action"],
        "runnerLogs": context["runnerLogs"],
        "output": context["output"],
        "flowspec": {"path": flow["path"], "session": context["session"]},
    }
    signed_in = session_user(execution)
    if signed_in is not None:
        response["flowspec"]["user"] = signed_in
    screen = context["screen"]
    if flow["action"] == "screen" and screen is not None:
        response["screen"] = {
            "id": screen["id"],
            "state": screen["state"],
            # Descope's rendering hints for its web components; the engine has none.
            "componentsConfig": {},
            "name": screen["name"],
            "inputs": screen["inputs"],
            "interactions": screen["interactions"],
        }
    for prompt in _PROMPTS:
        if prompt in flow:
            response[prompt] = flow[prompt]
    if context["error"]:
        response["error"] = context["error"]
    state = execution.state
    if _issues_tokens(execution) and state.tokens is not None and state.user is not None:
        response["authInfo"] = {
            "sessionJwt": state.tokens.session_jwt,
            "refreshJwt": state.tokens.refresh_jwt,
            "user": user_object(state.directory, state.user),
            "firstSeen": state.first_seen,
            "sessionExpiration": context["authInfo"]["sessionJwt"]["exp"],
        }
    return response


def session_user(execution: Execution) -> dict[str, Any] | None:
    """``flowspec.user``: what ``/v1/auth/me`` would answer, as of this response, for the
    refresh JWT a client holds after it; None when that is no accepted JWT.

    The client holds the refresh JWT a completed run issued (the response's ``authInfo``),
    else the one it started the run with, which the run judged at start
    (``flowspec.session``). The user is looked up by the token's subject, as ``/me`` does,
    so the answer is the user as the directory holds them now, not as the run first saw
    them: a profile the flow just saved is the saved one. An impersonating run that has
    not issued its tokens yet still answers the impersonator, whose token the client holds.
    """
    state = execution.state
    if _issues_tokens(execution) and state.tokens is not None:
        subject = decode_claims(state.tokens.refresh_jwt).get("sub")
    elif state.session.get("status") == "accepted":
        subject = state.session.get("claims", {}).get("sub")
    else:
        return None
    record = state.directory.find(str(subject)) if subject else None
    return user_object(state.directory, record) if record is not None else None


def _issues_tokens(execution: Execution) -> bool:
    """Whether the flow response carries ``authInfo``, the raw tokens of a completed run."""
    state = execution.state
    return state.status == "completed" and state.tokens is not None and state.user is not None


def user_object(directory: Directory, record: UserRecord) -> dict[str, Any]:
    """The user as Descope's API describes one (``/v1/auth/me``, ``authInfo.user``).

    The fields are those of Descope's user response (go-sdk ``descope/types.go``,
    ``UserResponse``); what the test world does not model is answered empty.
    """
    values = directory.dynamic_values(record)
    return {
        "userId": record.user_id,
        "loginIds": values["loginIds"],
        "name": record.name,
        "givenName": record.given_name,
        "middleName": "",
        "familyName": record.family_name,
        "email": record.email,
        "phone": record.phone,
        "verifiedEmail": record.verified_email,
        "verifiedPhone": record.verified_phone,
        "roleNames": values["roleNames"],
        "userTenants": [
            {**tenant, "permissions": directory.permissions(tenant["roleNames"])}
            for tenant in values["userTenants"]
        ],
        "status": record.status,
        "picture": "",
        "test": record.test,
        "customAttributes": values["customAttributes"],
        "totp": values["totp"],
        "webauthn": values["webauthn"],
        "password": values["password"],
        "saml": False,
        "oauth": {},
        "ssoAppIds": [],
    }
