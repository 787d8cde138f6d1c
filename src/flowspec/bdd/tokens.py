"""Checks on the tokens of a run: the issued session and refresh JWTs and the input JWT.

Every check reads decoded claims from the flow context (``authInfo.sessionJwt``,
``authInfo.refreshJwt``, ``jwtClaims``); a raw token is never at hand, so none can leak
into a message.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from flowspec.bdd.docstrings import parse_object
from flowspec.bdd.scenario import scenario
from flowspec.errors import ExpectationFailed, SettingsError
from flowspec.expect import check_match, render_value

Which = Literal["session", "refresh", "input"]
PATHS: dict[Which, str] = {
    "session": "$.authInfo.sessionJwt",
    "refresh": "$.authInfo.refreshJwt",
    "input": "$.jwtClaims",
}
SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


def has_claims(context: Any, which: Which, text: str | None) -> None:
    """The token's claims contain the doc string's claims (markers such as #string allowed)."""
    check_match(
        scenario(context).view(),
        PATHS[which],
        parse_object(text, "claims", '{"su": true}'),
        mode="contains",
    )


def expires_within(context: Any, which: Which, amount: int, unit: str) -> None:
    left, claims = _time_left(context, which)
    limit = amount * _seconds(unit)
    if not 0 < left <= limit:
        raise ExpectationFailed(
            f"expected the {which} JWT to expire within {amount} {unit}, but {_when(left, claims)}"
        )


def lives_longer_than(context: Any, which: Which, amount: int, unit: str) -> None:
    left, claims = _time_left(context, which)
    if left <= amount * _seconds(unit):
        raise ExpectationFailed(
            f"expected the {which} JWT to expire in more than {amount} {unit}, "
            f"but {_when(left, claims)}"
        )


def grants(
    context: Any, which: Which, kind: Literal["role", "permission"], name: str, tenant: str = ""
) -> None:
    """The token grants a role or permission, at project level or in ``tenant``."""
    doc = scenario(context).view()
    field = "roles" if kind == "role" else "permissions"
    path = f"{PATHS[which]}.tenants['{tenant}'].{field}" if tenant else f"{PATHS[which]}.{field}"
    check_match(doc, path, [name], mode="contains")


def _claims(context: Any, which: Which) -> dict[str, Any]:
    doc = scenario(context).view()
    section = doc["jwtClaims"] if which == "input" else doc["authInfo"].get(f"{which}Jwt")
    if not section:
        raise ExpectationFailed(
            f"the run has no {which} JWT: "
            + ("it started without an accepted JWT" if which == "input" else "it issued no session")
        )
    return dict(section)


def _time_left(context: Any, which: Which) -> tuple[float, dict[str, Any]]:
    claims = _claims(context, which)
    expiry = claims.get("exp")
    if not isinstance(expiry, int | float) or isinstance(expiry, bool):
        raise ExpectationFailed(f"the {which} JWT has no numeric exp claim: {render_value(claims)}")
    return expiry - scenario(context).world.issuer.clock(), claims


def _when(left: float, claims: dict[str, Any]) -> str:
    at = datetime.fromtimestamp(claims["exp"], tz=UTC).isoformat(timespec="seconds")
    if left <= 0:
        return f"it expired at {at}, {-left:.0f} s ago"
    return f"it expires at {at}, in {left:.0f} s"


def _seconds(unit: str) -> int:
    base = unit.lower().removesuffix("s")
    if base not in SECONDS:
        raise SettingsError(f"unknown time unit {unit!r}; use seconds, minutes, hours or days")
    return SECONDS[base]
