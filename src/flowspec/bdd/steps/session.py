"""Givens: who starts the flow, with which JWT, on which device."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flowspec.bdd.steps.keywords import given
from flowspec.bdd.steps.lazy import on_first_use
from flowspec.bdd.types import register_parameter_types

if TYPE_CHECKING:
    from flowspec.bdd import givens
else:
    givens = on_first_use("flowspec.bdd.givens")

register_parameter_types()


@given("no JWT")
def step_no_jwt(context: Any) -> None:
    """Start the next run anonymous, as Descope's runner does by default.

    Example: Given no JWT
    """
    givens.no_jwt(context)


@given("{article:Article} {role:Role} JWT")
def step_role_jwt(context: Any, article: str, role: str) -> None:
    """A refresh JWT for the first user in users.yaml who holds the role (project or tenant).

    Example: Given an admin JWT
    """
    givens.role_jwt(context, role)


@given('a JWT for "{user:Text}" with claims')
def step_user_jwt_with_claims(context: Any, user: str) -> None:
    '''A refresh JWT for the user, with extra claims from the JSON or YAML doc string.

    Example: Given a JWT for "ada@acme.test" with claims
        """
        {"dct": "acme", "nsec": {"plan": "gold"}}
        """
    '''
    givens.user_jwt(context, user, claims_text=context.text)


@given('a JWT for "{user:Text}"')
def step_user_jwt(context: Any, user: str) -> None:
    """A refresh JWT for the user with that login id or user id.

    Example: Given a JWT for "bob@acme.test"
    """
    givens.user_jwt(context, user)


@given('an expired JWT for "{user:Text}"')
def step_expired_jwt(context: Any, user: str) -> None:
    """A refresh JWT for the user that expired an hour ago.

    Example: Given an expired JWT for "bob@acme.test"
    """
    givens.user_jwt(context, user, expired=True)


@given('a forged JWT for "{user:Text}"')
def step_forged_jwt(context: Any, user: str) -> None:
    """A refresh JWT for the user with the project's key id, signed by another key.

    Example: Given a forged JWT for "ada@acme.test"
    """
    givens.forged_jwt(context, user)


@given('a JWT for "{user:Text}" from another project')
def step_foreign_jwt(context: Any, user: str) -> None:
    """A refresh JWT for the user whose issuer is another project.

    Example: Given a JWT for "ada@acme.test" from another project
    """
    givens.foreign_jwt(context, user)


@given("a malformed JWT")
def step_malformed_jwt(context: Any) -> None:
    """A JWT input that is not a JWT at all.

    Example: Given a malformed JWT
    """
    givens.malformed_jwt(context)


@given("the JWT is sent as the SDK's refresh token")
def step_sdk_delivery(context: Any) -> None:
    """Send the JWT as an SDK does (Authorization: Bearer <projectId>:<jwt>), not as the input jwt.

    Example: And the JWT is sent as the SDK's refresh token
    """
    givens.sdk_delivery(context)


@given("the device supports passkeys")
def step_passkeys_supported(context: Any) -> None:
    """deviceInfo.webAuthnSupport is true.

    Example: Given the device supports passkeys
    """
    givens.passkey_support(context, True)


@given("the device does not support passkeys")
def step_passkeys_unsupported(context: Any) -> None:
    """deviceInfo.webAuthnSupport is false.

    Example: Given the device does not support passkeys
    """
    givens.passkey_support(context, False)


@given('the flow input "{name:Text}" is "{value:Text}"')
def step_flow_input(context: Any, name: str, value: str) -> None:
    """A flow input, read by the flow as form.<name>.

    Example: Given the flow input "loginId" is "bob@acme.test"
    """
    givens.flow_input(context, name, value)
