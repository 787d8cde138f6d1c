"""Whens: run a flow and act on its screens."""

from __future__ import annotations

from typing import Any

from flowspec.bdd import whens
from flowspec.bdd.steps.keywords import when
from flowspec.bdd.types import register_parameter_types

register_parameter_types()


@when('I run the "{flow:Text}" flow')
def step_run_flow(context: Any, flow: str) -> None:
    """Start the flow with the scenario's JWT, flow inputs and device.

    Example: When I run the "step-up" flow
    """
    whens.run_flow(context, flow)


@when('I fill in "{name:Text}" with the code from my authenticator app')
def step_fill_in_totp(context: Any, name: str) -> None:
    """Type the current TOTP code of the authenticator app (the one just scanned, else the user's).

    Example: When I fill in "code" with the code from my authenticator app
    """
    whens.fill_in_totp(context, name)


@when('I fill in "{name:Text}" with "{value}"')
def step_fill_in(context: Any, name: str, value: str) -> None:
    """Type a value into a screen input; it is sent with the next click.

    Example: When I fill in "name" with "Ada Lovelace"
    """
    whens.fill_in(context, name, value)


@when('I click "{button:Text}" with')
def step_click_with(context: Any, button: str) -> None:
    """Click a button by label or id, sending the table's name/value rows as inputs.

    Example: When I click "Save" with
        | name     | value         |
        | name     | Ada Lovelace  |
        | jobTitle | Engineer      |
    """
    whens.click(context, button, {row["name"]: row["value"] for row in context.table})


@when('I click "{button:Text}"')
def step_click(context: Any, button: str) -> None:
    """Click a button of the current screen by its label or its id.

    Example: When I click "Continue"
    """
    whens.click(context, button)


@when("I answer the passkey prompt")
def step_answer_passkey(context: Any) -> None:
    """The device's virtual authenticator answers the flow's passkey prompt.

    Example: When I answer the passkey prompt
    """
    whens.answer_passkey(context)


@when("I answer the passkey prompt with another device")
def step_answer_passkey_elsewhere(context: Any) -> None:
    """A device holding some other passkey answers the prompt (it is not the user's).

    Example: When I answer the passkey prompt with another device
    """
    whens.answer_passkey(context, other_device=True)


@when("I continue with {provider:Word}")
def step_continue_with(context: Any, provider: str) -> None:
    """Click the screen's button for this social provider and consent there.

    Example: When I continue with Google
    """
    whens.continue_with(context, provider)


@when("the OAuth provider sends me back")
def step_provider_returns(context: Any) -> None:
    """Finish a pending OAuth redirect: the provider returns with a code.

    Example: When the OAuth provider sends me back
    """
    whens.provider_returns(context)
