"""Givens about the world outside the project: providers, risk, connectors, new users.

These set what the local runner's doubles answer; a scenario using them runs locally.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flowspec.bdd.steps.keywords import given
from flowspec.bdd.steps.lazy import on_first_use
from flowspec.bdd.types import register_parameter_types

if TYPE_CHECKING:
    from flowspec.bdd import outside
else:
    outside = on_first_use("flowspec.bdd.outside")

register_parameter_types()


@given("the risk score is {score}")
def step_risk_score(context: Any, score: str) -> None:
    """The risk action scores the visitor with this number from 0 to 1.

    Example: Given the risk score is 0.9
    """
    outside.risk_score(context, score)


@given('the {provider:Word} provider returns "{email:Text}"')
def step_provider_user(context: Any, provider: str, email: str) -> None:
    """Signing in with this social provider comes back as the user with this email.

    Example: Given the google provider returns "gina@globex.test"
    """
    outside.provider_user(context, provider, email)


@given('the connector "{name:Text}" answers')
def step_connector_answers(context: Any, name: str) -> None:
    '''The connector task with this name (or id) answers with the JSON or YAML doc string.

    Example: Given the connector "Send Username" answers
        """
        {"status": "sent"}
        """
    '''
    outside.connector_answers(context, name, context.text)


@given('the connector "{name:Text}" fails with "{error:Text}"')
def step_connector_fails(context: Any, name: str, error: str) -> None:
    """The connector task with this name (or id) yields this named error.

    Example: Given the connector "Send Username" fails with "ConnectorFailed"
    """
    outside.connector_fails(context, name, error)


@given('the scriptlet "{name:Text}" answers')
def step_scriptlet_answers(context: Any, name: str) -> None:
    '''The scriptlet task with this name (or id) answers with the JSON or YAML doc string.

    Example: Given the scriptlet "Score the order" answers
        """
        {"score": 3}
        """
    '''
    outside.scriptlet_answers(context, name, context.text)


@given('"{login_id:Text}" is a new user')
def step_new_user(context: Any, login_id: str) -> None:
    """Nobody with this login id exists yet, so signing up creates them.

    Example: Given "newcomer@acme.test" is a new user
    """
    outside.new_user(context, login_id)
