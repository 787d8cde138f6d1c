"""Session actions: load the signed-in user, step up, impersonate, and issue the session."""

from __future__ import annotations

from typing import Any

from flowspec.engine.actions.registry import REGISTRY, Outcome
from flowspec.engine.context import copy_json, dynamic_values
from flowspec.engine.dynamic import MISSING, render
from flowspec.engine.model import Task
from flowspec.engine.state import IssuedTokens, RunState
from flowspec.identity import decode_claims

IMPERSONATE = "Impersonate"


@REGISTRY.action(
    "loadUser",
    reads=("user.loggedIn", "form.loginId"),
    writes=("user",),
    errors=("UserNotFound",),
)
def load_user(state: RunState, task: Task) -> Outcome:
    """Load the signed-in user, or the user whose login id the form holds."""
    if state.user is not None:
        state.user = state.directory.get(state.user.user_id)
        return Outcome()
    login_id = state.form.get("loginId") or state.form.get("externalId")
    found = state.directory.find(str(login_id)) if login_id else None
    if found is None:
        return Outcome("UserNotFound", "no signed-in user and no known loginId in the form")
    state.user = found
    return Outcome()


@REGISTRY.action("step-up", reads=("user.loggedIn",), errors=("NotLoggedIn",))
def step_up(state: RunState, task: Task) -> Outcome:
    """Mark the run so the session it issues carries ``su: true``."""
    if state.user is None:
        return Outcome("NotLoggedIn", "step-up needs a signed-in user (start the run with a JWT)")
    state.stepped_up = True
    return Outcome()


@REGISTRY.action(
    "impersonate",
    reads=("user.loggedIn", "form.loginId"),
    writes=("user",),
    errors=("NotLoggedIn", "UserNotFound", "ImpersonationNotAllowed"),
)
def impersonate(state: RunState, task: Task) -> Outcome:
    """Switch the run to another user when the signed-in user may impersonate them.

    The ``Impersonate`` permission at project level allows any user; in a tenant it
    allows the users of that tenant (Descope's documented rule). The action name and its
    ``loginId`` argument are flowspec's: Descope's flow action for this is not public.
    """
    if state.user is None:
        return Outcome("NotLoggedIn", "impersonation needs a signed-in impersonator")
    target_id = render(task.arguments.get("loginId", "{{form.loginId}}"), dynamic_values(state))
    target = state.directory.find(str(target_id)) if target_id not in ("", MISSING) else None
    if target is None:
        return Outcome("UserNotFound", f"no user with login id {target_id!r} to impersonate")
    claims = state.directory.claims(state.user)
    allowed = IMPERSONATE in claims["permissions"] or any(
        IMPERSONATE in grant["permissions"] and tenant in target.tenants
        for tenant, grant in claims["tenants"].items()
    )
    if not allowed:
        return Outcome(
            "ImpersonationNotAllowed",
            f"{state.user.user_id} lacks the Impersonate permission for {target.user_id}",
        )
    state.impersonator_id = state.user.user_id
    state.user = target
    return Outcome()


@REGISTRY.action(
    "logged-in",
    reads=("user",),
    writes=("authInfo.sessionJwt", "authInfo.refreshJwt", "authInfo.user"),
    errors=("NoUserToSignIn",),
)
def logged_in(state: RunState, task: Task) -> Outcome:
    """Issue the session: a session JWT (``drn: DS``) and a refresh JWT (``drn: DSR``)."""
    if state.user is None:
        return Outcome("NoUserToSignIn", "the flow reached its end without a signed-in user")
    claims: dict[str, Any] = {**state.directory.claims(state.user), "amr": _amr(state.amr)}
    if state.stepped_up:
        claims["su"] = True
    if state.impersonator_id is not None:
        claims["act"] = {"sub": state.impersonator_id}
    if state.user.test:
        claims["tu"] = True
    for key in ("nsec", "dct"):
        if key in state.jwt_claims and state.impersonator_id is None:
            claims[key] = state.jwt_claims[key]
    session = state.issuer.mint(state.user.user_id, kind="session", claims=claims)
    refresh = state.issuer.mint(state.user.user_id, kind="refresh", claims=claims)
    state.tokens = IssuedTokens(session_jwt=session, refresh_jwt=refresh)
    state.auth_info = {
        "sessionJwt": decode_claims(session),
        "refreshJwt": decode_claims(refresh),
        "user": copy_json(state.directory.dynamic_values(state.user)),
        "firstSeen": state.first_seen,
    }
    return Outcome()


def _amr(methods: list[str]) -> list[str]:
    """Descope adds ``mfa`` once two different methods were used."""
    return [*methods, "mfa"] if len(set(methods)) >= 2 and "mfa" not in methods else list(methods)
