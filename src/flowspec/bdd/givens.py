"""Givens: who the scenario is (a JWT or none) and what the device and inputs are.

The identity package (pyjwt, cryptography) is imported by the givens that mint with
issuers of their own, not here, for the reason ``flowspec.bdd.scenario`` gives.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from flowspec.bdd.docstrings import parse_object
from flowspec.bdd.scenario import scenario

if TYPE_CHECKING:
    from flowspec.identity import KeyRing, TokenIssuer

MALFORMED_TOKEN = "this.is-not-a.jwt"
FOREIGN_ISSUER = "P2SomeOtherProject"


def no_jwt(context: Any) -> None:
    state = scenario(context)
    state.token = None


def role_jwt(context: Any, role: str) -> None:
    """A refresh JWT for the first user in users.yaml who holds ``role``."""
    state = scenario(context)
    user = state.world.user_with_role(role)
    state.people[role] = user
    state.token = state.refresh_token(user)


def user_jwt(
    context: Any, ident: str, claims_text: str | None = None, expired: bool = False
) -> None:
    """A refresh JWT for the user whose login id or user id is ``ident``."""
    state = scenario(context)
    user = state.world.user(ident)
    state.people[ident] = user
    if claims_text is None and not expired:
        state.token = state.refresh_token(user)
        return
    state.local_runner("mints a token no project would issue (extra claims, or expired)")
    claims = parse_object(claims_text, "claims", '{"dct": "acme"}') if claims_text else None
    state.token = state.world.refresh_token(user, claims=claims, expired=expired)


def forged_jwt(context: Any, ident: str) -> None:
    """A JWT with the project's key id but signed by another key."""
    state = scenario(context)
    user = state.world.user(ident)
    forger = _forger(state.world.project_id, state.world.issuer.keyring.current.kid)
    state.token = state.world.refresh_token(user, issuer=forger)


def foreign_jwt(context: Any, ident: str) -> None:
    """A JWT signed by the project's key but issued for another project."""
    state = scenario(context)
    state.local_runner("signs a token with the project's own key")
    user = state.world.user(ident)
    state.token = state.world.refresh_token(user, issuer=_foreign(state.world.issuer))


def malformed_jwt(context: Any) -> None:
    scenario(context).token = MALFORMED_TOKEN


def sdk_delivery(context: Any) -> None:
    """Send the JWT as the SDK does (``Bearer <projectId>:<jwt>``), not as the input ``jwt``."""
    scenario(context).delivery = "header"


def passkey_support(context: Any, supported: bool) -> None:
    scenario(context).device_info["webAuthnSupport"] = supported


def flow_input(context: Any, name: str, value: str) -> None:
    scenario(context).flow_inputs[name] = value


@cache
def _forger(project_id: str, kid: str) -> TokenIssuer:
    """One forger per process, so the world reuses what it mints (see
    ``World.refresh_token``)."""
    from flowspec.identity import TokenIssuer  # on use: see the module docstring

    return TokenIssuer(project_id, _forger_keys(kid))


@cache
def _forger_keys(kid: str) -> KeyRing:
    """One stranger's key per process: generating RSA keys is slow."""
    from flowspec.identity import KeyRing  # on use: see the module docstring

    return KeyRing.generate(kid=kid)


@cache
def _foreign(issuer: TokenIssuer) -> TokenIssuer:
    """The project's own keys under another issuer name, one per process like the forger."""
    from flowspec.identity import TokenIssuer  # on use: see the module docstring

    return TokenIssuer(issuer.project_id, issuer.keyring, issuer=FOREIGN_ISSUER)
