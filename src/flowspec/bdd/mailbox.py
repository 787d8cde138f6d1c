"""What the project sent: read a code from the outbox, click a link, let it expire.

The outbox is the local runner's; each step names the address the message went to.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flowspec.bdd.scenario import ScenarioState, scenario
from flowspec.bdd.whens import click, fill_in, screen_of
from flowspec.errors import ExpectationFailed, RunStateError

if TYPE_CHECKING:
    # Types only: the engine loads when a step runs (see flowspec.bdd.scenario).
    from flowspec.engine.doubles import Message, Purpose

SUBMIT = "submit"
# Buttons that never submit a code: they ask for a new one or poll.
_NOT_SUBMITTING = frozenset({"resend", "polling", "polling-error"})


def enter_code_sent_to(context: Any, address: str) -> None:
    """Type the newest code sent to ``address`` into "code" and submit the screen."""
    state = scenario(context)
    message = _message(state, address, "otp")
    buttons = [
        i for i in screen_of(state).get("interactions", []) if i["id"] not in _NOT_SUBMITTING
    ]
    if len(buttons) != 1:
        labels = ", ".join(f'"{b["label"]}"' for b in buttons) or "none"
        raise RunStateError(
            f"the screen has {len(buttons)} buttons that could submit the code ({labels}); "
            f'write When I fill in "code" with the code sent to "{address}" and click one'
        )
    fill_in(context, "code", message.secret)
    click(context, str(buttons[0]["id"]))


def fill_in_code_sent_to(context: Any, name: str, address: str) -> None:
    fill_in(context, name, _message(scenario(context), address, "otp").secret)


def click_link_sent_to(context: Any, address: str, purpose: Purpose) -> None:
    """Open the newest link sent to ``address``: the run resumes as Descope's ``submit``."""
    state = scenario(context)
    message = _message(state, address, purpose)
    state.current().interact(SUBMIT, {"token": message.secret})


def expire(context: Any, address: str, purpose: Purpose) -> None:
    _message(scenario(context), address, purpose).expire()


def was_sent(context: Any, address: str, purpose: Purpose) -> None:
    state = scenario(context)
    if state.doubles().last_message(address, purpose) is None:
        raise ExpectationFailed(f"expected a {_noun(purpose)} sent to {address}; {_sent(state)}")


def nothing_sent(context: Any, address: str) -> None:
    state = scenario(context)
    message = state.doubles().last_message(address)
    if message is not None:
        raise ExpectationFailed(
            f"expected nothing sent to {address}, but a {_noun(message.purpose)} was "
            f"(by task {message.task_id} of flow {message.flow_id})"
        )


def _message(state: ScenarioState, address: str, purpose: Purpose) -> Message:
    message = state.doubles().last_message(address, purpose)
    if message is None:
        raise RunStateError(f"no {_noun(purpose)} was sent to {address}; {_sent(state)}")
    return message


def _sent(state: ScenarioState) -> str:
    outbox = state.doubles().outbox
    if not outbox:
        return "nothing was sent at all"
    listed = ", ".join(f"a {_noun(m.purpose)} to {m.to}" for m in outbox)
    return f"what was sent: {listed}"


def _noun(purpose: Purpose) -> str:
    return {
        "otp": "code",
        "magic-link": "magic link",
        "password-reset": "password reset link",
        "message": "message",
    }[purpose]
