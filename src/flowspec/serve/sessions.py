"""Sessions after a flow: who a refresh JWT belongs to, and a new session JWT for them.

A refresh JWT is judged exactly as the local engine judges the one a run starts with
(:meth:`~flowspec.identity.TokenIssuer.verify`), so a token ``flowspec serve`` refuses
is one the local runner would refuse too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from flowspec.engine.users import Directory, UserRecord
from flowspec.identity import TokenIssuer, decode_claims
from flowspec.serve.bearer import Bearer
from flowspec.serve.problems import UNAUTHORIZED, WireError
from flowspec.serve.responses import user_object

# Claims the issuer sets on every token it mints; the rest carries over to a new session.
_REGISTERED: Final = frozenset({"sub", "iss", "iat", "exp", "nbf", "drn", "jti"})


@dataclass(frozen=True)
class SignedIn:
    """A refresh JWT the project accepts, its claims, and the user it belongs to."""

    token: str
    claims: dict[str, Any]
    user: UserRecord


def signed_in(credentials: Bearer, issuer: TokenIssuer, directory: Directory) -> SignedIn:
    """Who the refresh JWT in the ``Authorization`` header signs in; 401 if nobody.

    The 401 is inferred: Descope's Python SDK raises a 401 for an expired refresh JWT
    before it sends one (``AuthException(401)`` in ``_decode_and_verify_token``), and what
    Descope's server answers a refused token is not documented. The ``errorCode`` is
    flowspec's own ``FS40100``: the codes Descope's SDKs publish (``DescopeException`` in
    its Flutter SDK) name none for a refused token. The message gives the verdict's code
    and reason, never the token.
    """
    token = credentials.refresh_jwt
    if token is None:
        raise WireError(UNAUTHORIZED, "send the refresh JWT: Authorization: Bearer <project>:<JWT>")
    verdict = issuer.verify(token, kind="refresh")
    if not verdict.accepted:
        raise WireError(
            UNAUTHORIZED,
            f"the refresh JWT is rejected ({verdict.code}): {verdict.reason}; "
            "sign in again for a new one",
        )
    subject = str(verdict.claims["sub"])
    user = directory.find(subject)
    if user is None:
        raise WireError(
            UNAUTHORIZED, f"the refresh JWT's subject {subject!r} is no user of this project"
        )
    return SignedIn(token, dict(verdict.claims), user)


def refreshed(signed: SignedIn, issuer: TokenIssuer, directory: Directory) -> dict[str, Any]:
    """Descope's JWT response to ``/v1/auth/refresh``: a new session JWT, the same refresh JWT.

    The session keeps the refresh JWT's claims (``amr``, ``tu``, ``dct``, ...) but takes
    roles, permissions and tenants from the user as they are now (inferred, not confirmed:
    a role granted since sign-in reaches the next session Descope mints). The refresh JWT
    is not rotated: rotation is a Descope project setting the test world does not have.
    """
    carried = {name: value for name, value in signed.claims.items() if name not in _REGISTERED}
    claims = {**carried, **directory.claims(signed.user)}
    session = issuer.mint(signed.user.user_id, kind="session", claims=claims)
    return jwt_response(session, signed.token, signed.user, issuer, directory)


def jwt_response(
    session_jwt: str,
    refresh_jwt: str,
    user: UserRecord,
    issuer: TokenIssuer,
    directory: Directory,
    *,
    first_seen: bool = False,
) -> dict[str, Any]:
    """Descope's JWT response, which its SDKs read (descope/jwt_common.py,
    ``generate_auth_info``): both raw tokens, the user, and the refresh cookie's settings,
    which last as long as the refresh JWT."""
    refresh_expires = int(decode_claims(refresh_jwt)["exp"])
    return {
        "sessionJwt": session_jwt,
        "refreshJwt": refresh_jwt,
        "user": user_object(directory, user),
        "firstSeen": first_seen,
        "sessionExpiration": int(decode_claims(session_jwt)["exp"]),
        "cookieDomain": "",
        "cookiePath": "/",
        "cookieExpiration": refresh_expires,
        "cookieMaxAge": max(refresh_expires - int(issuer.clock()), 0),
    }
