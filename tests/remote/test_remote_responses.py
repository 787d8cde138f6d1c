"""Flow responses as the flow context: the local context's shape, prompts, users, tokens."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from flowspec.engine.runner import LocalRunner
from flowspec.engine.world import World
from flowspec.remote.responses import auth_info, export_screen_id, flow_context, step_seen
from flowspec.remote.users import user_section, user_values

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


@pytest.fixture(scope="module")
def local_context() -> dict[str, Any]:
    """The local engine's context of bob's profile update, the shape to match."""
    world = World.load(SCENARIOS)
    token = world.refresh_token(world.user("bob@acme.test"))
    return LocalRunner(world).start("profile-update", inputs={"jwt": token}).context


def context_of(response: dict[str, Any], user: dict[str, Any] | None = None) -> dict[str, Any]:
    return flow_context(
        response,
        flow_id="f",
        steps=[],
        screen_task=None,
        user=user,
        token_claims={},
        start_claims={},
        decoded_auth_info={},
        form={},
        device_info={},
    )


WAITING = {
    "executionId": "E1",
    "stepId": "S1",
    "stepName": "Welcome",
    "status": "waiting",
    "action": "screen",
    "screen": {"id": "welcome", "state": {}},
}


def test_the_remote_context_has_the_local_top_level_keys(local_context: dict[str, Any]) -> None:
    """Both backends fill the same top-level keys, in the same order."""
    assert list(context_of(WAITING)) == list(local_context)


def test_the_flow_and_screen_sections_have_the_local_keys(local_context: dict[str, Any]) -> None:
    """flow.* and screen.* carry the keys the local engine writes."""
    remote = context_of(WAITING)
    assert set(remote["flow"]) == set(local_context["flow"])
    assert set(remote["screen"]) == set(local_context["screen"])


def test_a_descope_user_maps_to_the_local_user_keys(local_context: dict[str, Any]) -> None:
    """user.* from /v1/auth/me has exactly the keys the local engine gives a signed-in user."""
    remote = context_of(WAITING, user={"userId": "U1", "userTenants": []})
    assert set(remote["user"]) == set(local_context["user"])


def test_the_unfilled_sections_are_empty() -> None:
    """What the wire never carries is present and empty, never missing."""
    context = context_of({**WAITING, "error": {}})
    assert context["unauthUser"] == {}
    assert context["riskInfo"] == {}
    assert context["connectors"] == {}
    assert context["provider"] == ""
    assert context["output"] == {}
    assert context["runnerLogs"] == []
    assert context["error"] is None


@pytest.mark.parametrize(
    ("action", "key", "prompt"),
    [
        ("webauthnCreate", "webauthn", {"transactionId": "T1", "options": "{}", "create": True}),
        ("redirect", "redirect", {"url": "https://accounts.google.test/o"}),
    ],
)
def test_a_client_prompt_shows_in_flow(action: str, key: str, prompt: dict[str, Any]) -> None:
    """A passkey prompt or a redirect is copied under flow, as the local engine puts it."""
    response = {**WAITING, "action": action, key: prompt, "screen": None}
    context = context_of(response)
    assert context["flow"][key] == prompt
    assert context["flow"]["action"] == action
    assert context["screen"] is None


def test_a_step_seen_is_a_screen_or_a_step() -> None:
    """A path entry is typed screen when the response shows a screen, else step."""
    assert step_seen(WAITING) == {"id": "S1", "name": "Welcome", "type": "screen"}
    assert (step_seen({**WAITING, "action": "poll"}) or {}).get("type") == "step"
    assert step_seen({"status": "completed"}) is None


def test_only_a_screen_not_fully_described_is_looked_up() -> None:
    """The export is consulted unless the response sends name, inputs and interactions."""
    assert export_screen_id(WAITING) == "welcome"
    described = {"id": "welcome", "name": "W", "inputs": [], "interactions": []}
    assert export_screen_id({**WAITING, "screen": described}) is None
    assert export_screen_id({**WAITING, "screen": None}) is None


def test_auth_info_decodes_tokens_and_returns_the_raw_refresh_token_apart() -> None:
    """authInfo keeps claims only; the raw refresh JWT is handed back for the client."""
    refresh = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJVMSIsImRybiI6IkRTUiJ9.c2ln"
    decoded, raw = auth_info({"authInfo": {"refreshJwt": refresh, "firstSeen": False}})
    assert raw == refresh
    assert decoded == {
        "sessionJwt": {},
        "refreshJwt": {"sub": "U1", "drn": "DSR"},
        "user": {},
        "firstSeen": False,
    }
    assert auth_info(WAITING) == ({}, None)


def test_user_values_read_absent_fields_as_empty() -> None:
    """A sparse Descope user still yields every user.* key, with empty values."""
    values = user_values({"userId": "U1", "userTenants": [{"tenantId": "t1"}]})
    assert values["tenantNames"] == ["t1"]
    assert values["loginIds"] == []
    assert values["verifiedEmail"] is False
    assert values["customAttributes"] == {}


def test_the_current_tenant_is_the_first_without_a_dct_claim() -> None:
    """user.tenant falls back to the first tenant when the token selects none."""
    user = {"userTenants": [{"tenantId": "a", "tenantName": "A", "roleNames": ["r"]}]}
    assert user_section(user, {})["tenant"] == {"id": "a", "name": "A", "roles": ["r"]}
    assert user_section({"userTenants": []}, {})["tenant"] == {}
