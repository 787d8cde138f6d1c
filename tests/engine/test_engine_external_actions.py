"""Actions answered outside the project: OAuth, risk, connectors, scriptlets, audit, passkeys."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from flowspec.engine.actions.external import risk_level
from flowspec.engine.actions.oauth import provider_code
from flowspec.engine.doubles import StubbedResponse
from flowspec.engine.execution import Execution
from flowspec.engine.runner import LocalRunner
from flowspec.engine.world import World
from flowspec.errors import MissingStubError
from flowspec.identity import VirtualAuthenticator, registration_options

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "descope-exports"
PASSKEY_USER = "pk@t1.test"
EXTRA_USERS = f"""
  - userId: U-pk
    loginIds: [{PASSKEY_USER}]
    tenants: {{t1: [member]}}
    passkey: true
"""


def two_phase(
    flow: str, start: str, finish: str, arguments: str = "{}", button: str = "Go: act"
) -> str:
    """A flow whose button (Go) runs one two-phase action, then issues the session."""
    return f"""
        flow: {flow}
        start: Login
        tasks:
          Login:
            screen: login
            inputs: [{{name: email, required: false}}]
            buttons:
              {button}
          act:
            name: Act
            action: {start}
            arguments: {arguments}
            next: act.end
          act.end:
            name: Act
            action: {finish}
            next: End
          End:
            action: logged-in
    """


FLOWS = {
    "oauth-in": two_phase(
        "oauth-in",
        "oauth-start-sign-in",
        "exchange-oauth-code",
        "{defaultProvider: google, prompt: [select_account]}",
    ),
    "oauth-up": two_phase(
        "oauth-up", "oauth-start-sign-up", "exchange-oauth-code", "{defaultProvider: google}"
    ),
    "oauth-either": two_phase(
        "oauth-either", "oauth-start", "exchange-oauth-code", "{defaultProvider: google}"
    ),
    "oauth-apple": two_phase(
        "oauth-apple",
        "oauth-start",
        "exchange-oauth-code",
        "{defaultProvider: google}",
        "Continue with Apple: {to: act, provider: apple}",
    ),
    "oauth-no-provider": two_phase("oauth-no-provider", "oauth-start", "exchange-oauth-code"),
    "passkey-in": two_phase("passkey-in", "webauthn-sign-in-start", "webauthn-sign-in-finish"),
    "passkey-up": two_phase("passkey-up", "webauthn-sign-up-start", "webauthn-sign-up-finish"),
    "passkey-either": two_phase(
        "passkey-either", "webauthn-sign-up-or-in-start", "webauthn-sign-up-or-in-finish"
    ),
    "passkey-add": two_phase(
        "passkey-add", "webauthn-update-user-start", "webauthn-update-user-finish"
    ),
    "passkey-mfa": """
        flow: passkey-mfa
        start: mfa
        tasks:
          mfa:
            action: webauthn-sign-in-start
            next: mfa.end
          mfa.end:
            action: webauthn-sign-in-finish
            next: End
          End:
            action: logged-in
    """,
    "risk": """
        flow: risk
        start: Score
        tasks:
          Score:
            action: risk
            next: High?
          High?:
            condition:
              - branch: High
                when: [{riskInfo.riskScore: {greater-than: 0.5}}]
                then: Challenge
              - else: Done
          Challenge:
            screen: challenge
          Done:
            screen: done
    """,
    "connector": """
        flow: connector
        start: Who
        tasks:
          Who:
            screen: who
            inputs: [{name: email, required: false}]
            buttons:
              Send: Send
          Send:
            name: Send Username
            action: connector
            arguments:
              connectorId: CI-mail
              command: sendEmail
              args:
                - {key: emailTo, type: string, value: "{{form.email}}"}
                - {key: bodyHTML, type: string, value: "Hi {{form.email}}, plan {{form.plan}}"}
            next: {success: Sent, request_error: Retry}
          Sent:
            screen: sent
          Retry:
            screen: retry
    """,
    "scriptlet": """
        flow: scriptlet
        start: Compute
        tasks:
          Compute:
            name: Compute plan
            action: scriptlet
            next: {success: Done, ScriptletFailed: Failed}
          Done:
            screen: done
          Failed:
            screen: failed
    """,
    "audit": """
        flow: audit
        start: Log
        tasks:
          Log:
            name: Log sign-in
            action: generate-audit-event
            arguments:
              action: UserSignedIn
              data: {who: "{{form.email}}", plan: "{{form.plan}}"}
            next: Done
          Done:
            screen: done
    """,
    "whole-form": """
        flow: whole-form
        start: Who
        tasks:
          Who:
            screen: who
            inputs: [email]
            buttons:
              Send: Send
          Send:
            action: connector
            arguments: {args: {form: "{{form}}"}}
            next: Log
          Log:
            action: generate-audit-event
            arguments: {form: "{{form}}"}
            next: Sent
          Sent:
            screen: sent
            inputs: [email]
            buttons:
              Change: Sent
    """,
}


@pytest.fixture(scope="module")
def world(world_folder) -> World:
    root = world_folder(FLOWS)
    users = root / "users.yaml"
    users.write_text(users.read_text() + EXTRA_USERS)
    return World.load(root)


@pytest.fixture
def runner(world: World) -> LocalRunner:
    return LocalRunner(world)


def jwt_of(world: World, ident: str) -> str:
    return world.refresh_token(world.user(ident))


def go(runner: LocalRunner, flow: str, email: str = "", **start: Any) -> Execution:
    run = runner.start(flow, **start)
    run.interact("go", {"email": email} if email else {})
    return run


def error_type(run: Execution) -> str:
    """The error the run shows on its screen, or the error it failed with."""
    doc = run.context
    if doc["screen"] is not None and doc["screen"]["state"].get("errorType"):
        return str(doc["screen"]["state"]["errorType"])
    return str((doc["error"] or {}).get("code", ""))


# OAuth


def oauth_url(run: Execution) -> str:
    doc = run.context
    assert doc["flow"]["action"] == "redirect"
    return str(doc["flow"]["redirect"]["url"])


def consent(run: Execution) -> None:
    """Play the provider: the user consents and the client returns the exchange code."""
    run.interact("submit", {"exchangeCode": provider_code(oauth_url(run))})


def test_oauth_sign_in_redirects_then_signs_in_the_known_user(runner: LocalRunner) -> None:
    """oauth-start-sign-in redirects to the provider; the exchange signs in by email."""
    runner.doubles.oauth_users["google"] = {"email": "m1@t1.test"}
    run = go(runner, "oauth-in")
    url = urlsplit(oauth_url(run))
    query = parse_qs(url.query)
    assert (url.netloc, url.path) == ("oauth.flowspec.test", "/google/authorize")
    assert query["state"][0]
    assert query["nonce"][0]
    assert query["prompt"] == ["select_account"]
    consent(run)
    doc = run.context
    assert doc["flow"]["status"] == "completed"
    assert doc["authInfo"]["sessionJwt"]["sub"] == "U-m1"
    assert doc["authInfo"]["sessionJwt"]["amr"] == ["oauth"]
    assert doc["authInfo"]["firstSeen"] is False
    assert doc["provider"] == "google"


def test_oauth_sign_up_creates_a_verified_user_from_the_provider(runner: LocalRunner) -> None:
    """oauth-start-sign-up creates the provider's user, email verified, firstSeen true."""
    runner.doubles.oauth_users["google"] = {"email": "new@example.com", "name": "New Person"}
    run = go(runner, "oauth-up")
    consent(run)
    doc = run.context
    assert doc["flow"]["status"] == "completed"
    assert doc["authInfo"]["firstSeen"] is True
    user = doc["authInfo"]["user"]
    assert user["loginIds"] == ["new@example.com"]
    assert (user["email"], user["verifiedEmail"], user["name"]) == (
        "new@example.com",
        True,
        "New Person",
    )


@pytest.mark.parametrize(
    ("email", "first_seen"), [("m1@t1.test", False), ("fresh@example.com", True)]
)
def test_oauth_sign_up_or_in_signs_in_or_creates(
    runner: LocalRunner, email: str, first_seen: bool
) -> None:
    """oauth-start signs in a known user and signs up an unknown one."""
    runner.doubles.oauth_users["google"] = {"email": email}
    run = go(runner, "oauth-either")
    consent(run)
    doc = run.context
    assert doc["flow"]["status"] == "completed"
    assert doc["authInfo"]["firstSeen"] is first_seen
    assert doc["authInfo"]["user"]["loginIds"] == [email]


@pytest.mark.parametrize(
    ("flow", "email", "error"),
    [
        ("oauth-in", "stranger@example.com", "UserNotFound"),
        ("oauth-up", "m1@t1.test", "UserAlreadyExists"),
    ],
)
def test_oauth_refuses_the_wrong_kind_of_user(
    runner: LocalRunner, flow: str, email: str, error: str
) -> None:
    """Sign-in only refuses an unknown user; sign-up only refuses a known one."""
    runner.doubles.oauth_users["google"] = {"email": email}
    run = go(runner, flow)
    consent(run)
    assert run.context["screen"]["name"] == "Login"
    assert error_type(run) == error
    assert run.context["authInfo"] == {}


def test_oauth_refuses_a_code_this_run_did_not_issue(runner: LocalRunner) -> None:
    """An exchange code of another run, or a made-up one, is InvalidOAuthCode."""
    runner.doubles.oauth_users["google"] = {"email": "m1@t1.test"}
    first, second = go(runner, "oauth-in"), go(runner, "oauth-in")
    second.interact("submit", {"exchangeCode": provider_code(oauth_url(first))})
    first.interact("submit", {"exchangeCode": "made-up"})
    assert error_type(first) == error_type(second) == "InvalidOAuthCode"


def test_oauth_without_a_stubbed_provider_user_names_the_step(runner: LocalRunner) -> None:
    """An unstubbed provider user is a MissingStubError naming the task and the step to add."""
    run = go(runner, "oauth-in")
    with pytest.raises(MissingStubError) as caught:
        consent(run)
    message = str(caught.value)
    assert '"Act" (act.end)' in message
    assert 'Given the google provider returns "someone@example.com"' in message


def test_oauth_without_any_provider_fails_with_no_oauth_provider(runner: LocalRunner) -> None:
    """No social button provider and no defaultProvider is NoOAuthProvider."""
    run = go(runner, "oauth-no-provider")
    assert error_type(run) == "NoOAuthProvider"
    assert run.context["flow"]["action"] == "screen"


def test_the_clicked_social_button_beats_the_default_provider(runner: LocalRunner) -> None:
    """The provider of the button clicked wins over the task's defaultProvider."""
    run = runner.start("oauth-apple")
    run.interact("continue-with-apple")
    assert urlsplit(oauth_url(run)).path == "/apple/authorize"
    assert run.context["provider"] == "apple"


def test_the_corpus_sign_in_flow_completes_through_google(world_folder) -> None:
    """sign-in.json's Google button redirects, and the exchange signs the stubbed user in."""
    export = CORPUS / "sign-in.json"
    if not export.exists():
        pytest.skip(f"the compatibility corpus is not at {CORPUS}; put shared/ beside the repo")
    root = world_folder({})
    shutil.copy(export, root / "flows" / export.name)
    runner = LocalRunner(World.load(root))
    runner.doubles.oauth_users["google"] = {"email": "m1@t1.test"}
    run = runner.start("sign-in")
    run.interact("xJPiiLH7zA")
    assert urlsplit(oauth_url(run)).path == "/google/authorize"
    consent(run)
    doc = run.context
    assert doc["flow"]["status"] == "completed"
    assert [entry["id"] for entry in doc["flow"]["path"]] == ["0", "14", "14.end", "5"]
    assert doc["authInfo"]["sessionJwt"]["sub"] == "U-m1"
    assert doc["authInfo"]["sessionJwt"]["amr"] == ["oauth"]


# Risk


@pytest.mark.parametrize(
    ("score", "written", "level", "screen"),
    [
        (None, 0.0, "low", "Done"),
        (0.3, 0.3, "medium", "Done"),
        (0.9, 0.9, "high", "Challenge"),
    ],
)
def test_risk_writes_the_stubbed_score_and_its_level(
    runner: LocalRunner, score: float | None, written: float, level: str, screen: str
) -> None:
    """risk writes riskInfo.riskScore (0 when unstubbed) and riskLevel; conditions read it."""
    runner.doubles.risk_score = score
    doc = runner.start("risk").context
    assert doc["riskInfo"] == {"riskScore": written, "riskLevel": level}
    assert doc["screen"]["name"] == screen


def test_an_unstubbed_risk_score_is_logged(runner: LocalRunner) -> None:
    """Scoring 0 for lack of a stub shows in the runner logs."""
    logs = runner.start("risk").context["runnerLogs"]
    assert any("no risk score stubbed" in entry["log"] for entry in logs)


@pytest.mark.parametrize(
    ("score", "level"), [(0.2, "low"), (0.21, "medium"), (0.5, "medium"), (0.51, "high")]
)
def test_risk_levels_change_just_above_their_thresholds(score: float, level: str) -> None:
    """Medium starts above 0.2 and high above 0.5."""
    assert risk_level(score) == level


# Connectors, scriptlets, audit events


@pytest.mark.parametrize("key", ["Send Username", "Send", "CI-mail"])
def test_a_connector_records_its_request_and_answer(runner: LocalRunner, key: str) -> None:
    """A stub found by task name, id or connectorId answers; the rendered request is kept."""
    runner.doubles.connectors[key] = StubbedResponse(body={"status": "sent"})
    run = runner.start("connector")
    run.interact("send", {"email": "a@b.test"})
    doc = run.context
    assert doc["screen"]["name"] == "Sent"
    expected = {"request": {"emailTo": "a@b.test", "bodyHTML": "Hi a@b.test, plan "}}
    assert doc["connectors"]["Send"] == {**expected, "status": "sent"}
    assert doc["connectors"]["Send Username"] == doc["connectors"]["Send"]
    sent = runner.doubles.last_message("a@b.test", "message")
    assert sent is not None
    assert sent.task_id == "Send"


def test_an_unstubbed_connector_names_the_task_and_the_step(runner: LocalRunner) -> None:
    """A connector without a stub is a MissingStubError naming the task and the step."""
    run = runner.start("connector")
    with pytest.raises(MissingStubError) as caught:
        run.interact("send", {"email": "a@b.test"})
    message = str(caught.value)
    assert 'task "Send Username" (Send) of flow "connector"' in message
    assert 'Given the connector "Send Username" answers' in message
    assert '"""' in message


def test_a_connector_error_follows_its_rule_and_sends_nothing(runner: LocalRunner) -> None:
    """A stubbed error is that named outcome; a failed sendEmail puts nothing in the outbox."""
    runner.doubles.connectors["Send"] = StubbedResponse(error="request_error")
    run = runner.start("connector")
    run.interact("send", {"email": "a@b.test"})
    doc = run.context
    assert doc["screen"]["name"] == "Retry"
    assert list(doc["connectors"]["Send"]) == ["request"]
    assert doc["connectors"]["Send"]["request"]["emailTo"] == "a@b.test"
    assert runner.doubles.outbox == []


def test_an_unnamed_connector_error_is_connector_failed(runner: LocalRunner) -> None:
    """A stubbed error without a name is ConnectorFailed, shown on the screen before."""
    runner.doubles.connectors["Send"] = StubbedResponse(error="")
    run = runner.start("connector")
    run.interact("send", {"email": "a@b.test"})
    assert run.context["screen"]["name"] == "Who"
    assert error_type(run) == "ConnectorFailed"


@pytest.mark.parametrize(
    ("stub", "screen", "result"),
    [
        (StubbedResponse(body={"plan": "gold"}), "Done", {"plan": "gold"}),
        (StubbedResponse(error=""), "Failed", None),
    ],
    ids=["body", "error"],
)
def test_a_scriptlet_answers_as_stubbed(
    runner: LocalRunner, stub: StubbedResponse, screen: str, result: dict[str, str] | None
) -> None:
    """A scriptlet's stubbed body goes under connectors; an unnamed error is ScriptletFailed."""
    runner.doubles.scriptlets["Compute plan"] = stub
    doc = runner.start("scriptlet").context
    assert doc["screen"]["name"] == screen
    assert doc["connectors"].get("Compute") == result


def test_an_unstubbed_scriptlet_names_the_step(runner: LocalRunner) -> None:
    """A scriptlet without a stub is a MissingStubError naming its step."""
    with pytest.raises(MissingStubError, match='Given the scriptlet "Compute plan" answers'):
        runner.start("scriptlet")


def test_an_audit_event_records_the_rendered_arguments(runner: LocalRunner) -> None:
    """generate-audit-event appends task, action, rendered arguments and time; it succeeds."""
    doc = runner.start("audit", inputs={"email": "a@b.test"}).context
    assert doc["screen"]["name"] == "Done"
    [event] = runner.doubles.audit_events
    assert event["task"] == "Log"
    assert event["action"] == "UserSignedIn"
    assert event["arguments"]["data"] == {"who": "a@b.test", "plan": None}
    assert isinstance(event["time"], float)


def test_a_later_form_change_leaves_what_was_sent_and_logged(runner: LocalRunner) -> None:
    """A request and audit arguments rendered from `{{form}}` keep the form as it was then."""
    runner.doubles.connectors["Send"] = StubbedResponse()
    run = runner.start("whole-form")
    run.interact("send", {"email": "a@b.test"})
    run.interact("change", {"email": "c@d.test"})
    doc = run.context
    assert doc["form"]["email"] == "c@d.test"
    assert doc["connectors"]["Send"]["request"] == {"form": {"email": "a@b.test"}}
    [event] = runner.doubles.audit_events
    assert event["arguments"]["form"] == {"email": "a@b.test"}


# Passkeys


def prompt_of(run: Execution) -> dict[str, Any]:
    doc = run.context
    assert doc["flow"]["action"] in ("webauthnGet", "webauthnCreate")
    prompt: dict[str, Any] = doc["flow"]["webauthn"]
    return {**prompt, "options": json.loads(prompt["options"])}


def answer(run: Execution, response: dict[str, Any]) -> None:
    transaction = run.context["flow"]["webauthn"]["transactionId"]
    run.interact("submit", {"transactionId": transaction, "response": json.dumps(response)})


def device_answers(run: Execution, device: VirtualAuthenticator) -> None:
    """The device does what the prompt asks: create a passkey, or sign with one."""
    prompt = prompt_of(run)
    ceremony = device.create if prompt["create"] else device.get
    answer(run, ceremony(prompt["options"]))


def stranger_device() -> VirtualAuthenticator:
    """A device holding a passkey for the relying party that no world user has."""
    device = VirtualAuthenticator()
    device.create(registration_options("c", "localhost", "someone", "someone"))
    return device


def test_a_world_passkey_is_enrolled_on_the_device_at_first_use(runner: LocalRunner) -> None:
    """A passkey: true user signs in with the device that enrolled at first use, then again."""
    device = runner.doubles.device
    run = go(runner, "passkey-in", PASSKEY_USER)
    allowed = [entry["id"] for entry in prompt_of(run)["options"]["allowCredentials"]]
    assert len(allowed) == 1
    assert allowed[0] in device.credential_ids
    device_answers(run, device)
    doc = run.context
    assert doc["flow"]["status"] == "completed"
    assert doc["authInfo"]["sessionJwt"]["amr"] == ["webauthn"]
    held = list(device.credential_ids)
    again = go(runner, "passkey-in", PASSKEY_USER)
    assert [entry["id"] for entry in prompt_of(again)["options"]["allowCredentials"]] == allowed
    assert list(device.credential_ids) == held
    device_answers(again, device)
    assert again.context["flow"]["status"] == "completed"


def test_a_passkey_the_user_does_not_own_is_refused(runner: LocalRunner) -> None:
    """A signature by a passkey not registered to the user is WebAuthnFailed."""
    own = runner.doubles.device
    first = go(runner, "passkey-in", PASSKEY_USER)
    device_answers(first, own)
    run = go(runner, "passkey-in", PASSKEY_USER)
    options = {**prompt_of(run)["options"], "allowCredentials": []}
    answer(run, stranger_device().get(options))
    assert error_type(run) == "WebAuthnFailed"
    assert run.context["authInfo"] == {}


def test_a_replayed_passkey_signature_is_refused(runner: LocalRunner) -> None:
    """A signature by the user's own passkey over another run's challenge is WebAuthnFailed."""
    device = runner.doubles.device
    first = go(runner, "passkey-in", PASSKEY_USER)
    replayed = device.get(prompt_of(first)["options"])
    answer(first, replayed)
    run = go(runner, "passkey-in", PASSKEY_USER)
    answer(run, replayed)
    assert error_type(run) == "WebAuthnFailed"
    assert "challenge" in run.context["error"]["description"]


def test_the_world_passkey_lives_on_the_scenarios_device_only(runner: LocalRunner) -> None:
    """A passkey: true user's passkey is on the runner's device; another device's fails."""
    run = go(runner, "passkey-in", PASSKEY_USER)
    options = {**prompt_of(run)["options"], "allowCredentials": []}
    answer(run, stranger_device().get(options))
    assert error_type(run) == "WebAuthnFailed"
    assert "is not one of" in run.context["error"]["description"]


@pytest.mark.parametrize(
    "inputs",
    [
        {"transactionId": "other", "response": "{}"},
        {"response": "not json"},
    ],
    ids=["other-transaction", "garbage"],
)
def test_a_malformed_passkey_answer_is_refused(runner: LocalRunner, inputs: dict[str, str]) -> None:
    """An answer for another ceremony or that is no credential is WebAuthnFailed."""
    run = go(runner, "passkey-in", PASSKEY_USER)
    transaction = run.context["flow"]["webauthn"]["transactionId"]
    run.interact("submit", {"transactionId": transaction, **inputs})
    assert error_type(run) == "WebAuthnFailed"


@pytest.mark.parametrize(
    ("email", "error"),
    [
        ("", "NoLoginId"),
        ("nobody@t1.test", "UserNotFound"),
        ("m1@t1.test", "NoPasskey"),
    ],
)
def test_passkey_sign_in_needs_a_user_with_a_passkey(
    runner: LocalRunner, email: str, error: str
) -> None:
    """The sign-in start needs a login id, a known user, and a passkey of theirs."""
    assert error_type(go(runner, "passkey-in", email)) == error


@pytest.mark.parametrize(
    ("flow", "start"),
    [
        ("passkey-in", {}),
        ("passkey-up", {}),
        ("passkey-either", {}),
        ("passkey-add", {"jwt": "m1@t1.test"}),
    ],
)
def test_a_device_without_webauthn_cannot_start_a_ceremony(
    runner: LocalRunner, world: World, flow: str, start: dict[str, str]
) -> None:
    """Every passkey start refuses a device whose deviceInfo.webAuthnSupport is false."""
    inputs = {key: jwt_of(world, value) for key, value in start.items()}
    run = go(runner, flow, PASSKEY_USER, inputs=inputs, device_info={"webAuthnSupport": False})
    assert error_type(run) == "WebAuthnNotSupported"


def test_passkey_sign_up_creates_the_user_who_then_signs_in(runner: LocalRunner) -> None:
    """Sign-up creates a passkey and a new user (firstSeen); that passkey then signs in."""
    device = VirtualAuthenticator()
    run = go(runner, "passkey-up", "new@example.com")
    assert prompt_of(run)["create"] is True
    device_answers(run, device)
    doc = run.context
    assert doc["flow"]["status"] == "completed"
    assert doc["authInfo"]["firstSeen"] is True
    assert doc["authInfo"]["user"]["email"] == "new@example.com"
    assert doc["authInfo"]["user"]["webauthn"] is True
    again = go(runner, "passkey-in", "new@example.com")
    device_answers(again, device)
    assert again.context["authInfo"]["firstSeen"] is False


def test_passkey_sign_up_refuses_a_known_login_id(runner: LocalRunner) -> None:
    """Signing up with a login id a user already has is UserAlreadyExists."""
    assert error_type(go(runner, "passkey-up", "m1@t1.test")) == "UserAlreadyExists"


@pytest.mark.parametrize(
    ("email", "action", "first_seen"),
    [("fresh@example.com", "webauthnCreate", True), (PASSKEY_USER, "webauthnGet", False)],
)
def test_passkey_sign_up_or_in_picks_the_ceremony_by_login_id(
    runner: LocalRunner, email: str, action: str, first_seen: bool
) -> None:
    """An unknown login id creates a passkey to sign up; a known one signs in with one."""
    device = runner.doubles.device
    run = go(runner, "passkey-either", email)
    assert run.context["flow"]["action"] == action
    device_answers(run, device)
    doc = run.context
    assert doc["flow"]["status"] == "completed"
    assert doc["authInfo"]["firstSeen"] is first_seen
    assert doc["authInfo"]["user"]["loginIds"] == [email]


def test_a_passkey_second_factor_signs_the_signed_in_user(
    runner: LocalRunner, world: World
) -> None:
    """With no login id the sign-in start asks the signed-in user; the session has mfa."""
    run = runner.start("passkey-mfa", inputs={"jwt": jwt_of(world, PASSKEY_USER)})
    device_answers(run, runner.doubles.device)
    session = run.context["authInfo"]["sessionJwt"]
    assert session["amr"] == ["email", "webauthn", "mfa"]


def test_an_anonymous_passkey_sign_in_without_login_id_fails(runner: LocalRunner) -> None:
    """Nobody signed in and no login id: the start fails the run with NoLoginId."""
    doc = runner.start("passkey-mfa").context
    assert doc["flow"]["status"] == "failed"
    assert doc["error"]["code"] == "NoLoginId"
