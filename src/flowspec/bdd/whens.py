"""Whens: start a flow and act on its screens as a person (or their devices) would.

The engine and the identity package are imported by the steps that use them, not here,
for the reason ``flowspec.bdd.scenario`` gives.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, urlparse

from flowspec.bdd.scenario import ScenarioState, SignInOnStart, scenario
from flowspec.errors import RunStateError, UnknownNameError

SUBMIT = "submit"


def run_flow(context: Any, flow_id: str) -> None:
    from flowspec.engine.runner import JWT_INPUT  # on use: see the module docstring

    state = scenario(context)
    inputs = dict(state.flow_inputs)
    token = state.token
    if isinstance(token, SignInOnStart):
        # Either delivery reaches the server as the Authorization header, as below.
        state.run, state.token = token.runner.start_signed_in(
            token.login_id, flow_id, inputs=inputs, device_info=state.device_info
        )
        return
    header_token = None
    if token is not None and state.delivery == "input":
        inputs[JWT_INPUT] = token
    elif token is not None:
        header_token = token
    state.run = state.runner.start(
        flow_id, inputs=inputs, refresh_jwt=header_token, device_info=state.device_info
    )


def fill_in(context: Any, name: str, value: str) -> None:
    state = scenario(context)
    screen_of(state)
    state.screen_inputs[name] = value


def fill_in_totp(context: Any, name: str) -> None:
    """Type the code an authenticator app shows now: the secret of the enrollment screen,
    else the signed-in user's enrolled secret."""
    from flowspec.identity import totp  # on use: see the module docstring

    state = scenario(context)
    screen = screen_of(state)
    secret = _scanned_secret(screen) or _enrolled_secret(state)
    state.screen_inputs[name] = totp.code_at(secret, state.world.issuer.clock())


def click(context: Any, button: str, values: Mapping[str, Any] | None = None) -> None:
    """Click a button of the current screen by its label or id, sending the filled inputs."""
    state = scenario(context)
    screen = screen_of(state)
    interaction = _button(screen, button)
    inputs = {**state.screen_inputs, **(values or {})}
    state.screen_inputs = {}
    state.current().interact(interaction, inputs)


def answer_passkey(context: Any, other_device: bool = False) -> None:
    """The visitor's device answers the flow's passkey prompt: it creates a passkey, or
    signs with the one it holds. ``other_device`` answers with a passkey of another device."""
    from flowspec.engine.actions.passkeys import RP_ID  # on use: see the module docstring
    from flowspec.identity import VirtualAuthenticator, registration_options

    state = scenario(context)
    prompt = _pending(state, "webauthn", "a passkey")
    options = json.loads(prompt["options"])
    device = state.authenticator
    if other_device:
        device = VirtualAuthenticator()
        device.create(registration_options("stranger", RP_ID, "stranger", "stranger"))
        options = {**options, "allowCredentials": []}
    response = device.create(options) if prompt.get("create") else device.get(options)
    state.current().interact(
        SUBMIT, {"transactionId": prompt["transactionId"], "response": json.dumps(response)}
    )


def continue_with(context: Any, provider: str) -> None:
    """Click the screen's button for this social provider and consent at the provider."""
    state = scenario(context)
    buttons = screen_of(state).get("interactions", [])
    button = next((b for b in buttons if provider.lower() in str(b["label"]).lower()), None)
    if button is None:
        labels = ", ".join(f'"{b["label"]}"' for b in buttons) or "none"
        raise UnknownNameError("social button", provider, [], f"on this screen (buttons: {labels})")
    click(context, str(button["id"]))
    provider_returns(context)


def provider_returns(context: Any) -> None:
    """The OAuth provider sends the visitor back with a code, as after they consent."""
    from flowspec.engine.actions.oauth import provider_code  # on use: see the module docstring

    state = scenario(context)
    redirect = _pending(state, "redirect", "an OAuth redirect")
    state.current().interact(SUBMIT, {"exchangeCode": provider_code(str(redirect["url"]))})


def _pending(state: ScenarioState, key: str, what: str) -> dict[str, Any]:
    doc = state.view()
    pending = doc["flow"].get(key)
    if doc["flow"]["status"] != "waiting" or not pending:
        raise RunStateError(
            f"the flow is not waiting for {what}: it is {doc['flow']['status']} "
            f"(action {doc['flow'].get('action')})"
        )
    return dict(pending)


def screen_of(state: ScenarioState) -> dict[str, Any]:
    """The screen the run waits on; a clear error when it waits on none."""
    doc = state.view()
    screen = doc.get("screen")
    if doc["flow"]["status"] != "waiting" or not screen:
        raise RunStateError(
            f"the flow shows no screen: it is {doc['flow']['status']} "
            f'after "{doc["flow"].get("stepName")}"; check the Then steps before this one'
        )
    return dict(screen)


def _button(screen: Mapping[str, Any], wanted: str) -> str:
    interactions = screen.get("interactions", [])
    for interaction in interactions:
        if interaction["id"] == wanted:
            return str(interaction["id"])
    for interaction in interactions:
        if str(interaction["label"]).strip().lower() == wanted.strip().lower():
            return str(interaction["id"])
    known = [str(i["label"]) for i in interactions] + [str(i["id"]) for i in interactions]
    raise UnknownNameError("button", wanted, known, f'on screen "{screen.get("name")}"')


def _scanned_secret(screen: Mapping[str, Any]) -> str | None:
    url = screen.get("state", {}).get("totp", {}).get("provisionUrl")
    if not url:
        return None
    secrets = parse_qs(urlparse(str(url)).query).get("secret", [])
    return secrets[0] if secrets else None


def _enrolled_secret(state: ScenarioState) -> str:
    user_id = state.view()["user"].get("userId")
    user = state.world.user(str(user_id)) if user_id else None
    if user is None or user.totp_secret is None:
        raise RunStateError(
            "no authenticator app to read: the screen shows no TOTP enrollment and the "
            "signed-in user has no totpSecret in scenarios/users.yaml"
        )
    return user.totp_secret
