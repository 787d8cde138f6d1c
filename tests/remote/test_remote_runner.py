"""RemoteRunner and RemoteRun against a fake Descope: the runner seam, the nonce, the
context built from responses, /v1/auth/me, and the local export as a screen's fallback."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from flowspec.engine.runner import Run, Runner
from flowspec.errors import RunStateError
from flowspec.remote import RemoteRunner
from flowspec.remote.client import ME_PATH, NEXT_PATH, START_PATH

NONCE = "X-Descope-Flow-Nonce"

EXPORT = {
    "flowId": "sign-in",
    "metadata": {"name": "Sign in"},
    "contents": {
        "startTask": "start",
        "tasks": {
            "start": {"id": "start", "name": "start", "next": {"rules": [{"taskId": "2"}]}},
            "2": {
                "id": "2",
                "name": "Welcome screen",
                "type": "screen",
                "screenId": "SC-welcome",
                "next": {"rules": [{"interactionId": "continueBtn", "taskId": "3"}]},
            },
            "3": {"id": "3", "name": "End", "type": "automated", "action": "logged-in"},
        },
    },
    "screens": [
        {
            "screenId": "SC-welcome",
            "interactions": [{"id": "continueBtn", "label": "Continue"}],
            "contents": {
                "emailNode": {
                    "type": {"resolvedName": "EmailField"},
                    "props": {"id": "emailNode", "name": "email", "required": True},
                },
                "continueBtn": {
                    "type": {"resolvedName": "Button"},
                    "props": {"id": "continueBtn", "children": "Continue"},
                },
            },
        }
    ],
    "references": {},
}

DESCOPE_USER = {
    "userId": "U2bob",
    "loginIds": ["bob@acme.test"],
    "name": "Bob Member",
    "email": "bob@acme.test",
    "verifiedEmail": True,
    "status": "enabled",
    "roleNames": ["viewer"],
    "userTenants": [
        {"tenantId": "t0", "tenantName": "Zero", "roleNames": []},
        {"tenantId": "acme", "tenantName": "Acme Corp", "roleNames": ["member"]},
    ],
    "customAttributes": {"jobTitle": "Engineer"},
    "TOTP": True,
    "test": False,
}


@pytest.fixture
def flows_dir(tmp_path: Path) -> Path:
    """A scenarios/flows folder holding one small Descope export."""
    folder = tmp_path / "flows"
    folder.mkdir()
    (folder / "sign-in.json").write_text(json.dumps(EXPORT))
    return folder


def completed(make_jwt: Callable[[dict[str, Any]], str]) -> tuple[dict[str, Any], str, str]:
    """A completed flow response issuing tokens; returns it with the raw tokens."""
    session = make_jwt({"sub": "U2bob", "drn": "DS", "amr": ["email"], "dct": "acme"})
    refresh = make_jwt({"sub": "U2bob", "drn": "DSR", "dct": "acme"})
    body = {
        "executionId": "E1",
        "stepId": "3",
        "stepName": "End",
        "status": "completed",
        "action": "none",
        "authInfo": {
            "sessionJwt": session,
            "refreshJwt": refresh,
            "user": DESCOPE_USER,
            "firstSeen": True,
            "sessionExpiration": 1,
        },
        "output": {"done": True},
    }
    return body, session, refresh


def test_the_remote_runner_implements_the_runner_seam(fake) -> None:
    """RemoteRunner and the run it starts satisfy the Runner and Run protocols."""
    fake.on(START_PATH, fake.reply(fake.waiting()))
    with RemoteRunner(fake.settings()) as runner:
        seam: Runner = runner
        run: Run = seam.start("sign-in")
        assert run.context["flow"]["stepId"] == "S1"


def test_start_sends_flow_inputs_and_device_info_but_not_the_jwt_input(
    fake, make_jwt: Callable[[dict[str, Any]], str]
) -> None:
    """The input ``jwt`` travels as the Bearer token, the rest as input and options."""
    token = make_jwt({"sub": "U1", "drn": "DSR"})
    fake.on(START_PATH, fake.reply(fake.waiting()))
    fake.on(ME_PATH, fake.reply(DESCOPE_USER))
    with RemoteRunner(fake.settings()) as runner:
        run = runner.start(
            "sign-in",
            inputs={"jwt": token, "email": "bob@acme.test"},
            device_info={"webAuthnSupport": True},
        )
        context = run.context
    start = fake.requests(START_PATH)[0]
    assert start.body == {
        "flowId": "sign-in",
        "options": {"deviceInfo": {"webAuthnSupport": True}},
        "input": {"email": "bob@acme.test"},
    }
    assert start.headers["authorization"] == f"Bearer {fake.project_id}:{token}"
    assert context["form"] == {"email": "bob@acme.test"}
    assert context["deviceInfo"] == {"webAuthnSupport": True}
    assert context["jwtClaims"] == {"sub": "U1", "drn": "DSR"}


def test_interact_sends_the_current_step_and_echoes_the_last_nonce(fake) -> None:
    """Each next carries the execution, the step waited on and the nonce last received."""
    fake.on(START_PATH, fake.reply(fake.waiting("S1"), headers={NONCE: "N1"}))
    fake.on(
        NEXT_PATH,
        fake.reply(fake.waiting("S2"), headers={NONCE: "N2"}),
        fake.reply(fake.waiting("S3")),
        fake.reply(fake.waiting("S4")),
    )
    with RemoteRunner(fake.settings()) as runner:
        run = runner.start("sign-in")
        run.interact("continue", {"email": "a@b.test"})
        run.interact("again")
        run.interact("more")
    nexts = fake.requests(NEXT_PATH)
    assert "x-descope-flow-nonce" not in fake.requests(START_PATH)[0].headers
    assert [n.headers.get("x-descope-flow-nonce") for n in nexts] == ["N1", "N2", "N2"]
    assert nexts[0].body == {
        "executionId": "E1",
        "stepId": "S1",
        "interactionId": "continue",
        "input": {"email": "a@b.test"},
    }
    assert [n.body["stepId"] for n in nexts] == ["S1", "S2", "S3"]


def test_a_response_with_flowspec_additions_maps_to_the_context(fake) -> None:
    """Screen name, inputs, buttons, path and session come from serve's additions."""
    path = [{"id": "1", "name": "Check", "type": "condition"}, {"id": "2", "name": "Hi"}]
    session = {"status": "rejected", "code": "expired", "reason": "expired"}
    screen = {
        "id": "welcome",
        "name": "Welcome",
        "state": {"errorText": "try again"},
        "inputs": [{"name": "email", "required": True, "component": "TextField"}],
        "interactions": [{"id": "go", "label": "Go"}],
        "componentsConfig": {},
    }
    body = fake.waiting(
        "2",
        screen,
        runnerLogs=[{"title": "t", "log": "l", "level": "info"}],
        error={"code": "E1", "description": "d", "message": "m"},
        flowspec={"path": path, "session": session},
    )
    fake.on(START_PATH, fake.reply(body))
    with RemoteRunner(fake.settings()) as runner:
        context = runner.start("sign-in").context
    assert context["flow"] == {
        "id": "sign-in",
        "status": "waiting",
        "executionId": "E1",
        "stepId": "2",
        "stepName": "Step 2",
        "action": "screen",
        "path": path,
    }
    assert context["screen"] == {
        "id": "welcome",
        "name": "Welcome",
        "taskId": "2",
        "state": {"errorText": "try again"},
        "inputs": [{"name": "email", "required": True, "component": "TextField"}],
        "interactions": [{"id": "go", "label": "Go"}],
    }
    assert context["session"] == session
    assert context["error"] == {"code": "E1", "description": "d", "message": "m"}
    assert context["runnerLogs"] == [{"title": "t", "log": "l", "level": "info"}]
    assert context["user"] == {"loggedIn": False}


def test_without_additions_the_screen_comes_from_the_local_export(fake, flows_dir: Path) -> None:
    """A bare Descope response is described by the export's screen of the same id."""
    fake.on(START_PATH, fake.reply(fake.waiting("2", {"id": "SC-welcome", "state": {}})))
    with RemoteRunner(fake.settings(), flows_dir) as runner:
        context = runner.start("sign-in").context
    assert context["screen"] == {
        "id": "SC-welcome",
        "name": "Welcome screen",
        "taskId": "2",
        "state": {},
        "inputs": [{"name": "email", "required": True, "component": "EmailField"}],
        "interactions": [{"id": "continueBtn", "label": "Continue"}],
    }
    assert context["session"] == {"status": "unknown"}
    assert context["flow"]["path"] == [{"id": "2", "name": "Step 2", "type": "screen"}]


def test_a_screen_missing_from_the_exports_keeps_its_id_and_step_name(
    fake, flows_dir: Path
) -> None:
    """An unknown screen id still maps, named by the step, with no inputs or buttons."""
    fake.on(START_PATH, fake.reply(fake.waiting("9", {"id": "SC-other"})))
    with RemoteRunner(fake.settings(), flows_dir) as runner:
        screen = runner.start("sign-in").context["screen"]
    assert screen == {
        "id": "SC-other",
        "name": "Step 9",
        "taskId": "9",
        "state": {},
        "inputs": [],
        "interactions": [],
    }


def test_the_path_is_the_steps_seen_without_repeated_polls(fake) -> None:
    """Without flowspec.path, each new step is appended, and a poll on the same step is not."""
    polling = {**fake.waiting("P"), "action": "poll", "screen": None}
    fake.on(START_PATH, fake.reply(fake.waiting("A")))
    fake.on(NEXT_PATH, fake.reply(polling), fake.reply(polling), fake.reply(fake.waiting("A")))
    with RemoteRunner(fake.settings()) as runner:
        run = runner.start("sign-in")
        run.interact("go")
        run.interact("polling")
        run.interact("back")
        path = run.context["flow"]["path"]
    assert path == [
        {"id": "A", "name": "Step A", "type": "screen"},
        {"id": "P", "name": "Step P", "type": "step"},
        {"id": "A", "name": "Step A", "type": "screen"},
    ]


def test_me_fills_the_user_once_per_response(
    fake, make_jwt: Callable[[dict[str, Any]], str]
) -> None:
    """With a refresh JWT, user.* is what /v1/auth/me says, asked once however often read."""
    token = make_jwt({"sub": "U2bob", "drn": "DSR", "dct": "acme"})
    fake.on(START_PATH, fake.reply(fake.waiting()))
    fake.on(ME_PATH, fake.reply(DESCOPE_USER))
    with RemoteRunner(fake.settings()) as runner:
        run = runner.start("profile-update", refresh_jwt=token)
        first, second = run.context, run.context
    assert first == second
    assert fake.count(ME_PATH) == 1
    assert fake.requests(ME_PATH)[0].headers["authorization"] == (
        f"Bearer {fake.project_id}:{token}"
    )
    user = first["user"]
    assert user["loggedIn"] is True
    assert user["userId"] == "U2bob"
    assert user["tenantIds"] == ["t0", "acme"]
    assert user["tenant"] == {"id": "acme", "name": "Acme Corp", "roles": ["member"]}
    assert user["customAttributes"] == {"jobTitle": "Engineer"}
    assert user["totp"] is True


def test_a_token_the_server_refuses_leaves_the_user_signed_out(
    fake, make_jwt: Callable[[dict[str, Any]], str]
) -> None:
    """When /v1/auth/me answers 401, user.loggedIn is false."""
    fake.on(START_PATH, fake.reply(fake.waiting()))
    fake.on(ME_PATH, fake.reply({"errorCode": "E061004"}, 401))
    with RemoteRunner(fake.settings()) as runner:
        run = runner.start("x", refresh_jwt=make_jwt({"sub": "U1", "exp": 1}))
        assert run.context["user"] == {"loggedIn": False}


def test_completion_decodes_issued_tokens_and_signs_the_user_in(
    fake, make_jwt: Callable[[dict[str, Any]], str]
) -> None:
    """authInfo holds decoded claims, the raw tokens appear nowhere in the context, and
    /v1/auth/me is asked with the issued refresh JWT."""
    body, session, refresh = completed(make_jwt)
    fake.on(START_PATH, fake.reply(fake.waiting()))
    fake.on(NEXT_PATH, fake.reply(body))
    fake.on(ME_PATH, fake.reply(DESCOPE_USER))
    with RemoteRunner(fake.settings()) as runner:
        run = runner.start("sign-in")
        run.interact("continue", {"code": "123456"})
        context = run.context
    assert context["authInfo"]["sessionJwt"]["drn"] == "DS"
    assert context["authInfo"]["refreshJwt"] == {"sub": "U2bob", "drn": "DSR", "dct": "acme"}
    assert context["authInfo"]["firstSeen"] is True
    assert context["authInfo"]["user"]["loginIds"] == ["bob@acme.test"]
    assert context["output"] == {"done": True}
    assert context["flow"]["status"] == "completed"
    assert context["screen"] is None
    assert context["user"]["loggedIn"] is True
    assert context["jwtClaims"] == {}
    text = json.dumps(context)
    assert session not in text
    assert refresh not in text
    assert fake.requests(ME_PATH)[0].headers["authorization"].endswith(f":{refresh}")


def test_a_refresh_token_set_as_cookie_is_used(
    fake, make_jwt: Callable[[dict[str, Any]], str]
) -> None:
    """A project delivering tokens by cookie still yields decoded refresh claims."""
    body, _, refresh = completed(make_jwt)
    del body["authInfo"]["refreshJwt"]
    fake.on(START_PATH, fake.reply(body, headers={"Set-Cookie": f"DSR={refresh}; Path=/"}))
    fake.on(ME_PATH, fake.reply(DESCOPE_USER))
    with RemoteRunner(fake.settings()) as runner:
        context = runner.start("sign-in").context
    assert context["authInfo"]["refreshJwt"]["drn"] == "DSR"
    assert fake.requests(ME_PATH)[0].headers["authorization"].endswith(f":{refresh}")
    assert "cookie" not in fake.requests(ME_PATH)[0].headers


@pytest.mark.parametrize("status", ["completed", "failed"])
def test_an_ended_run_refuses_interactions_without_a_request(fake, status: str) -> None:
    """Like the local engine, a completed or failed run raises RunStateError, sending nothing."""
    fake.on(START_PATH, fake.reply({**fake.waiting(), "status": status, "screen": None}))
    with RemoteRunner(fake.settings()) as runner:
        run = runner.start("sign-in")
        with pytest.raises(RunStateError, match=f"is {status}, not waiting"):
            run.interact("go")
    assert fake.count(NEXT_PATH) == 0


def test_the_context_is_built_once_between_two_responses(fake) -> None:
    """Steps read the context many times between two clicks: one snapshot serves them all,
    and a click makes the next read a new one."""
    fake.on(START_PATH, fake.reply(fake.waiting()))
    fake.on(NEXT_PATH, fake.reply(fake.waiting()))
    with RemoteRunner(fake.settings()) as runner:
        run = runner.start("sign-in", inputs={"email": "a@b.test"})
        first = run.context
        assert run.context is first
        run.interact("continue", {"email": "c@d.test"})
        again = run.context
    assert again is not first
    assert again["form"] == {"email": "c@d.test"}


def test_a_context_snapshot_does_not_change_after_a_click(fake) -> None:
    """The context read before a click still shows the earlier state afterwards."""
    fake.on(START_PATH, fake.reply(fake.waiting()))
    fake.on(NEXT_PATH, fake.reply(fake.waiting("S2")))
    with RemoteRunner(fake.settings()) as runner:
        run = runner.start("sign-in", inputs={"email": "a@b.test"})
        before = run.context
        run.interact("continue", {"email": "c@d.test"})
    assert before["form"] == {"email": "a@b.test"}
    assert before["flow"]["stepId"] == "S1"
    assert run.context["flow"]["stepId"] == "S2"


def test_inputs_accumulate_in_the_form(fake) -> None:
    """form holds every input sent so far, later values winning."""
    fake.on(START_PATH, fake.reply(fake.waiting()))
    fake.on(NEXT_PATH, fake.reply(fake.waiting("S2")), fake.reply(fake.waiting("S3")))
    with RemoteRunner(fake.settings()) as runner:
        run = runner.start("sign-in", inputs={"email": "a@b.test"})
        run.interact("go", {"code": "1"})
        run.interact("go", {"code": "2", "name": "A"})
        assert run.context["form"] == {"email": "a@b.test", "code": "2", "name": "A"}
