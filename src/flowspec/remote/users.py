"""Descope's user object, as ``/v1/auth/me`` and ``authInfo.user`` send it, in the flow
context's ``user.*`` keys (the names the local engine uses, descope-facts.md section 4)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["user_section", "user_values"]


def user_values(user: Mapping[str, Any]) -> dict[str, Any]:
    """The ``user.*`` values of a Descope user object; absent fields read as empty."""
    tenants = [
        {
            "tenantId": str(tenant.get("tenantId", "")),
            "tenantName": str(tenant.get("tenantName") or tenant.get("tenantId", "")),
            "roleNames": _strings(tenant.get("roleNames")),
        }
        for tenant in _list(user.get("userTenants"))
        if isinstance(tenant, Mapping)
    ]
    attributes = user.get("customAttributes")
    return {
        "userId": str(user.get("userId") or ""),
        "loginIds": _strings(user.get("loginIds")),
        "name": str(user.get("name") or ""),
        "givenName": str(user.get("givenName") or ""),
        "familyName": str(user.get("familyName") or ""),
        "email": str(user.get("email") or ""),
        "phone": str(user.get("phone") or ""),
        "verifiedEmail": bool(user.get("verifiedEmail")),
        "verifiedPhone": bool(user.get("verifiedPhone")),
        "status": str(user.get("status") or ""),
        "roleNames": _strings(user.get("roleNames")),
        "tenantIds": [t["tenantId"] for t in tenants],
        "tenantNames": [t["tenantName"] for t in tenants],
        "userTenants": tenants,
        "customAttributes": dict(attributes) if isinstance(attributes, Mapping) else {},
        # Descope's SDKs spell this field "TOTP"; accept the local spelling too.
        "totp": bool(user.get("TOTP", user.get("totp"))),
        "webauthn": bool(user.get("webauthn")),
        "password": bool(user.get("password")),
        "test": bool(user.get("test")),
    }


def user_section(user: Mapping[str, Any] | None, claims: Mapping[str, Any]) -> dict[str, Any]:
    """The context's ``user``: signed in when the server returned the token's user.

    ``user.tenant`` is the tenant the token selected (its ``dct`` claim), else the first
    one, as the local engine chooses it.
    """
    if user is None:
        return {"loggedIn": False}
    values = user_values(user)
    tenants = values["userTenants"]
    chosen = next(
        (t for t in tenants if t["tenantId"] == claims.get("dct")),
        tenants[0] if tenants else None,
    )
    tenant = (
        {"id": chosen["tenantId"], "name": chosen["tenantName"], "roles": chosen["roleNames"]}
        if chosen
        else {}
    )
    return {"loggedIn": True, **values, "tenant": tenant}


def _list(value: object) -> list[Any]:
    return list(value) if isinstance(value, list) else []


def _strings(value: object) -> list[str]:
    return [str(item) for item in _list(value)]
