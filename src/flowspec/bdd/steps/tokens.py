"""Thens on tokens: the session and refresh JWTs a run issued, and the JWT it started with.

"session" and "refresh" are the tokens issued on completion; "input" is the JWT the run
started with. Claims are read decoded; raw tokens never appear.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flowspec.bdd.steps.keywords import then
from flowspec.bdd.steps.lazy import on_first_use
from flowspec.bdd.types import register_parameter_types

if TYPE_CHECKING:
    from flowspec.bdd import tokens
    from flowspec.bdd.tokens import Which
else:
    tokens = on_first_use("flowspec.bdd.tokens")

register_parameter_types()


@then("the {which:Token} JWT has claims")
def step_has_claims(context: Any, which: Which) -> None:
    '''The token's claims contain the doc string's (a JSON or YAML subset; markers allowed).

    Example: Then the session JWT has claims
        """
        {"su": true, "amr": ["email", "totp", "mfa"], "sub": "#string"}
        """
    '''
    tokens.has_claims(context, which, context.text)


@then("the {which:Token} JWT expires within {amount:d} {unit:Unit}")
def step_expires_within(context: Any, which: Which, amount: int, unit: str) -> None:
    """The token's exp is in the future and no further away than this.

    Example: Then the session JWT expires within 10 minutes
    """
    tokens.expires_within(context, which, amount, unit)


@then("the {which:Token} JWT expires in more than {amount:d} {unit:Unit}")
def step_lives_longer(context: Any, which: Which, amount: int, unit: str) -> None:
    """The token's exp is further away than this.

    Example: Then the refresh JWT expires in more than 7 days
    """
    tokens.lives_longer_than(context, which, amount, unit)


@then('the {which:Token} JWT grants the role "{role:Text}" in tenant "{tenant:Text}"')
def step_grants_tenant_role(context: Any, which: Which, role: str, tenant: str) -> None:
    """The token's tenants.<tenant>.roles holds the role.

    Example: Then the session JWT grants the role "tenant-admin" in tenant "acme"
    """
    tokens.grants(context, which, "role", role, tenant)


@then('the {which:Token} JWT grants the role "{role:Text}"')
def step_grants_role(context: Any, which: Which, role: str) -> None:
    """The token's project-level roles hold the role.

    Example: Then the input JWT grants the role "admin"
    """
    tokens.grants(context, which, "role", role)


@then('the {which:Token} JWT grants the permission "{permission:Text}" in tenant "{tenant:Text}"')
def step_grants_tenant_permission(context: Any, which: Which, permission: str, tenant: str) -> None:
    """The token's tenants.<tenant>.permissions hold the permission.

    Example: Then the input JWT grants the permission "Impersonate" in tenant "acme"
    """
    tokens.grants(context, which, "permission", permission, tenant)


@then('the {which:Token} JWT grants the permission "{permission:Text}"')
def step_grants_permission(context: Any, which: Which, permission: str) -> None:
    """The token's project-level permissions hold the permission.

    Example: Then the session JWT grants the permission "Impersonate"
    """
    tokens.grants(context, which, "permission", permission)
