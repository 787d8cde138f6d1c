"""Codes and links the project sent: enter them, click them, let them expire, expect them."""

from __future__ import annotations

from typing import Any

from flowspec.bdd import mailbox
from flowspec.bdd.steps.keywords import then, when
from flowspec.bdd.types import register_parameter_types

register_parameter_types()


@when('I enter the code sent to "{address:Text}"')
def step_enter_code(context: Any, address: str) -> None:
    """Type the newest code sent to this email or phone into "code" and submit the screen.

    Example: When I enter the code sent to "gina@globex.test"
    """
    mailbox.enter_code_sent_to(context, address)


@when('I fill in "{name:Text}" with the code sent to "{address:Text}"')
def step_fill_in_code(context: Any, name: str, address: str) -> None:
    """Type the newest code sent to this email or phone into an input, without submitting.

    Example: When I fill in "code" with the code sent to "+15555550123"
    """
    mailbox.fill_in_code_sent_to(context, name, address)


@when('I click the magic link sent to "{address:Text}"')
def step_click_magic_link(context: Any, address: str) -> None:
    """Open the newest magic link sent to this email; the flow resumes where it waits.

    Example: When I click the magic link sent to "bob@acme.test"
    """
    mailbox.click_link_sent_to(context, address, "magic-link")


@when('I click the password reset link sent to "{address:Text}"')
def step_click_reset_link(context: Any, address: str) -> None:
    """Open the newest password reset link sent to this email; the flow resumes.

    Example: When I click the password reset link sent to "bob@acme.test"
    """
    mailbox.click_link_sent_to(context, address, "password-reset")


@when('the code sent to "{address:Text}" expires')
def step_code_expires(context: Any, address: str) -> None:
    """The newest code sent to this address becomes too old to use.

    Example: When the code sent to "gina@globex.test" expires
    """
    mailbox.expire(context, address, "otp")


@when('the magic link sent to "{address:Text}" expires')
def step_link_expires(context: Any, address: str) -> None:
    """The newest magic link sent to this address becomes too old to use.

    Example: When the magic link sent to "bob@acme.test" expires
    """
    mailbox.expire(context, address, "magic-link")


@then('a code was sent to "{address:Text}"')
def step_code_sent(context: Any, address: str) -> None:
    """The project sent a one-time code to this email or phone.

    Example: Then a code was sent to "+15555550123"
    """
    mailbox.was_sent(context, address, "otp")


@then('a magic link was sent to "{address:Text}"')
def step_magic_link_sent(context: Any, address: str) -> None:
    """The project sent a magic link to this email.

    Example: Then a magic link was sent to "bob@acme.test"
    """
    mailbox.was_sent(context, address, "magic-link")


@then('a password reset link was sent to "{address:Text}"')
def step_reset_link_sent(context: Any, address: str) -> None:
    """The project sent a password reset link to this email.

    Example: Then a password reset link was sent to "bob@acme.test"
    """
    mailbox.was_sent(context, address, "password-reset")


@then('nothing was sent to "{address:Text}"')
def step_nothing_sent(context: Any, address: str) -> None:
    """The project sent no code, link or message to this address.

    Example: Then nothing was sent to "ada@acme.test"
    """
    mailbox.nothing_sent(context, address)
