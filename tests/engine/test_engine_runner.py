"""The local runner: JWT sessions, the walk through tasks, screens, errors and sub-flows."""

from __future__ import annotations

import json

import pytest

from flowspec.engine.execution import Execution
from flowspec.engine.runner import LocalRunner
from flowspec.engine.world import World
from flowspec.errors import FlowMisbehaved, RunStateError, StepLimitExceeded, UnknownNameError
from flowspec.identity import KeyRing, TokenIssuer, VirtualAuthenticator, totp

FLOWS = {
    "gate": """
        flow: gate
        start: Signed in?
        tasks:
          Signed in?:
            condition:
              - branch: Yes
                when: [{user.loggedIn: is-true}]
                then: Profile
              - else: Welcome
          Welcome:
            screen: welcome
            inputs: [email]
            buttons:
              Continue: Profile
          Profile:
            screen: profile
            inputs: [name]
            buttons:
              Save: Save
          Save:
            action: update-user-properties
            arguments:
              userPropertiesDefinitions:
                - {key: name, type: string, value: "{{form.name}}"}
                - {key: customAttributes.team, type: string, value: "{{form.team}}"}
            next: End
          End:
            action: logged-in
    """,
    "loop": """
        flow: loop
        start: A
        tasks:
          A:
            condition:
              - else: B
          B:
            condition:
              - else: A
    """,
    "unknown-action": """
        flow: unknown-action
        start: Mystery
        tasks:
          Mystery:
            action: teleport-user
            next: End
          End:
            action: logged-in
    """,
    "anonymous-end": """
        flow: anonymous-end
        start: End
        tasks:
          End:
            action: logged-in
    """,
    "step-up": """
        flow: step-up
        start: Step up
        tasks:
          Step up:
            action: step-up
            next: Code
          Code:
            screen: code
            inputs: [code]
            buttons:
              Verify: Check
          Check:
            action: verify-totp-code
            next: End
          End:
            action: logged-in
    """,
    "enroll": """
        flow: enroll
        start: Enroll
        tasks:
          Enroll:
            action: update-user-totp
            next: Scan
          Scan:
            screen: scan
            inputs: [code]
            buttons:
              Verify: Check
          Check:
            action: verify-totp-code
            next: {success: End, InvalidTOTPCode: Wrong code}
          Wrong code:
            screen: wrong-code
          End:
            action: logged-in
    """,
    "passkey": """
        flow: passkey
        start: add
        tasks:
          add:
            name: Add passkey
            action: webauthn-update-user-start
            next: add.end
          add.end:
            name: Add passkey
            action: webauthn-update-user-finish
            next: End
          End:
            action: logged-in
    """,
    "impersonate": """
        flow: impersonate
        start: Pick
        tasks:
          Pick:
            screen: pick
            inputs: [loginId]
            buttons:
              Go: Act
          Act:
            action: impersonate
            next: {success: End, ImpersonationNotAllowed: Denied}
          Denied:
            screen: denied
          End:
            action: logged-in
    """,
    "outer": """
        flow: outer
        start: Inner
        tasks:
          Inner:
            flow: gate
            next:
              End.success: Finish
          Finish:
            action: logged-in
    """,
}


@pytest.fixture(scope="module")
def world(world_factory) -> World:
    return world_factory(FLOWS)


@pytest.fixture
def runner(world: World) -> LocalRunner:
    return LocalRunner(world)


def token_for(world: World, ident: str, **kwargs: object) -> str:
    return world.refresh_token(world.user(ident), **kwargs)  # type: ignore[arg-type]


def names(run: Execution) -> list[str]:
    return [entry["name"] for entry in run.context["flow"]["path"]]


def test_a_run_without_a_jwt_is_anonymous(runner: LocalRunner) -> None:
    """With no JWT the run takes the anonymous branch and records no session."""
    run = runner.start("gate")
    doc = run.context
    assert doc["user"] == {"loggedIn": False}
    assert doc["session"] == {"status": "none"}
    assert doc["screen"]["name"] == "Welcome"
    assert doc["flow"]["path"][0]["outcome"] == "ELSE"


def test_the_jwt_input_signs_the_run_in_and_never_reaches_the_form(
    runner: LocalRunner, world: World
) -> None:
    """The console runner's ``jwt`` input sets user.*, jwtClaims and leaves form clean."""
    run = runner.start("gate", inputs={"jwt": token_for(world, "m1@t1.test"), "x": 1})
    doc = run.context
    assert doc["user"]["loggedIn"] is True
    assert doc["user"]["userId"] == "U-m1"
    assert doc["user"]["tenant"] == {"id": "t1", "name": "Tenant One", "roles": ["member"]}
    assert doc["jwtClaims"]["sub"] == "U-m1"
    assert doc["jwtClaims"]["drn"] == "DSR"
    assert doc["form"] == {"x": 1}
    assert doc["session"]["status"] == "accepted"
    assert doc["screen"]["name"] == "Profile"


def test_the_sdk_refresh_token_signs_the_run_in(runner: LocalRunner, world: World) -> None:
    """A refresh JWT passed as the SDK's token works like the ``jwt`` input."""
    run = runner.start("gate", refresh_jwt=token_for(world, "admin@t1.test"))
    assert run.context["user"]["userId"] == "U-admin"


@pytest.mark.parametrize(
    ("make_token", "code"),
    [
        (lambda w: token_for(w, "m1@t1.test", expired=True), "expired"),
        (
            lambda w: token_for(
                w, "m1@t1.test", issuer=TokenIssuer("P2test", w.issuer.keyring, issuer="P2other")
            ),
            "wrong-issuer",
        ),
        (
            lambda w: token_for(
                w,
                "m1@t1.test",
                issuer=TokenIssuer("P2test", KeyRing.generate(w.issuer.keyring.current.kid)),
            ),
            "bad-signature",
        ),
        (lambda w: "garbage", "malformed"),
        (
            lambda w: w.issuer.mint("U-m1", kind="session"),
            "wrong-kind",
        ),
        (lambda w: w.issuer.mint("U-ghost", kind="refresh"), "unknown-user"),
    ],
    ids=["expired", "wrong-issuer", "forged", "malformed", "session-jwt", "unknown-user"],
)
def test_a_rejected_jwt_starts_the_run_anonymous_with_the_reason(
    runner: LocalRunner, world: World, make_token, code: str
) -> None:
    """A JWT that fails verification leaves the run anonymous and says why under session."""
    token = make_token(world)
    run = runner.start("gate", inputs={"jwt": token})
    doc = run.context
    assert doc["user"] == {"loggedIn": False}
    assert doc["jwtClaims"] == {}
    assert doc["session"]["status"] == "rejected"
    assert doc["session"]["code"] == code
    assert doc["session"]["reason"]
    assert token not in json.dumps(doc)


def test_a_click_follows_the_button_rule_and_records_the_path(
    runner: LocalRunner, world: World
) -> None:
    """Clicking a button moves the run to the rule's target and the path lists each task."""
    run = runner.start("gate", inputs={"jwt": token_for(world, "m1@t1.test")})
    run.interact("save", {"name": "New Name", "team": "Blue"})
    doc = run.context
    assert doc["flow"]["status"] == "completed"
    assert names(run) == ["Signed in?", "Profile", "Save", "End"]
    assert doc["flow"]["path"][1]["outcome"] == "save"
    assert doc["user"]["name"] == "New Name"
    assert doc["user"]["customAttributes"] == {"team": "Blue"}
    assert doc["authInfo"]["user"]["name"] == "New Name"


def test_a_missing_template_value_leaves_the_property_unchanged(
    runner: LocalRunner, world: World
) -> None:
    """update-user-properties skips a definition whose template finds no value."""
    run = runner.start("gate", inputs={"jwt": token_for(world, "m1@t1.test")})
    run.interact("save", {"name": "Only Name"})
    assert "team" not in run.context["user"]["customAttributes"]


def test_changes_to_a_user_stay_inside_their_runner(world: World) -> None:
    """What one scenario's flow changes in a user is invisible to the next scenario."""
    first = LocalRunner(world).start("gate", inputs={"jwt": token_for(world, "m1@t1.test")})
    first.interact("save", {"name": "Changed"})
    second = LocalRunner(world).start("gate", inputs={"jwt": token_for(world, "m1@t1.test")})
    assert second.context["user"]["name"] == "Member One"


def test_a_context_snapshot_does_not_change_after_a_click(
    runner: LocalRunner, world: World
) -> None:
    """The context read before a click still shows the earlier state afterwards."""
    run = runner.start("gate", inputs={"jwt": token_for(world, "m1@t1.test")})
    before = run.context
    run.interact("save", {"name": "Later"})
    assert before["flow"]["status"] == "waiting"
    assert before["user"]["name"] == "Member One"
    assert run.context["flow"]["status"] == "completed"


def test_the_context_is_built_once_between_two_clicks(runner: LocalRunner, world: World) -> None:
    """Steps read the context many times between two clicks: one snapshot serves them all,
    and a click makes the next read a new one."""
    run = runner.start("gate", inputs={"jwt": token_for(world, "m1@t1.test")})
    first = run.context
    assert run.context is first
    run.interact("save", {"name": "Later"})
    assert run.context is not first
    assert run.context["user"]["name"] == "Later"


def test_the_view_is_the_same_between_two_clicks_and_shows_each_click(
    runner: LocalRunner, world: World
) -> None:
    """The view (the run's own state, for steps that read at once) is built once per
    move of the run, like the context, and says what the context says."""
    run = runner.start("gate", inputs={"jwt": token_for(world, "m1@t1.test")})
    first = run.view()
    assert run.view() is first
    assert first["flow"]["status"] == "waiting"
    assert first == run.context
    run.interact("save", {"name": "Later"})
    assert run.view() is not first
    assert run.view()["flow"]["status"] == "completed"
    assert run.view()["user"]["name"] == "Later"
    assert run.view() == run.context


def test_an_unknown_button_suggests_the_buttons_of_the_screen(runner: LocalRunner) -> None:
    """A click on a button the screen lacks names the screen and the close candidates."""
    run = runner.start("gate")
    with pytest.raises(UnknownNameError) as caught:
        run.interact("continu")
    assert "continue" in caught.value.suggestions
    assert "Welcome" in str(caught.value)


def test_clicking_after_the_run_ended_is_a_scenario_error(
    runner: LocalRunner, world: World
) -> None:
    """A click on a completed run raises a clear error about the run's state."""
    run = runner.start("gate", inputs={"jwt": token_for(world, "m1@t1.test")})
    run.interact("save", {"name": "x"})
    with pytest.raises(RunStateError, match="completed"):
        run.interact("save")


def test_a_looping_flow_stops_at_the_step_limit(runner: LocalRunner) -> None:
    """A flow whose conditions loop forever is stopped with the tasks it repeated."""
    with pytest.raises(StepLimitExceeded) as caught:
        runner.start("loop")
    assert caught.value.limit == 50
    assert "A -> B" in str(caught.value)
    assert isinstance(caught.value, AssertionError)


def test_an_unknown_action_names_the_task_and_the_action(runner: LocalRunner) -> None:
    """An action with no emulation is a clear error naming the task, flow and action."""
    with pytest.raises(UnknownNameError) as caught:
        runner.start("unknown-action")
    message = str(caught.value)
    assert "teleport-user" in message
    assert '"Mystery"' in message
    assert '"unknown-action"' in message


def test_an_end_without_a_user_fails_the_run(runner: LocalRunner) -> None:
    """logged-in with nobody signed in and no screen to return to fails the run."""
    doc = runner.start("anonymous-end").context
    assert doc["flow"]["status"] == "failed"
    assert doc["error"]["code"] == "NoUserToSignIn"
    assert doc["authInfo"] == {}


def test_step_up_and_totp_issue_a_session_with_su_and_mfa(
    runner: LocalRunner, world: World
) -> None:
    """After step-up and a valid TOTP code the session JWT has su, totp and mfa."""
    run = runner.start("step-up", inputs={"jwt": token_for(world, "admin@t1.test")})
    code = totp.code_at(world.user("U-admin").totp_secret or "", world.issuer.clock())
    run.interact("verify", {"code": code})
    session = run.context["authInfo"]["sessionJwt"]
    assert session["su"] is True
    assert session["drn"] == "DS"
    assert session["amr"] == ["email", "totp", "mfa"]
    assert session["sub"] == "U-admin"
    assert run.context["authInfo"]["refreshJwt"]["drn"] == "DSR"


def test_a_wrong_code_returns_to_the_screen_with_the_error(
    runner: LocalRunner, world: World
) -> None:
    """An error without a rule shows on the screen before it, as Descope's automatic handling."""
    run = runner.start("step-up", inputs={"jwt": token_for(world, "admin@t1.test")})
    run.interact("verify", {"code": "000000"})
    doc = run.context
    assert doc["flow"]["status"] == "waiting"
    assert doc["screen"]["name"] == "Code"
    assert doc["screen"]["state"]["errorType"] == "InvalidTOTPCode"
    assert doc["error"]["code"] == "InvalidTOTPCode"
    assert names(run)[-2:] == ["Check", "Code"]


def test_step_up_without_a_user_is_an_error_outcome(runner: LocalRunner) -> None:
    """step-up needs a signed-in user; anonymous it fails with NotLoggedIn."""
    doc = runner.start("step-up").context
    assert doc["flow"]["status"] == "failed"
    assert doc["error"]["code"] == "NotLoggedIn"


def test_totp_enrollment_shows_a_secret_that_verifies(runner: LocalRunner, world: World) -> None:
    """update-user-totp shows a provisioning URL whose secret's code completes enrollment."""
    run = runner.start("enroll", inputs={"jwt": token_for(world, "m1@t1.test")})
    shown = run.context["screen"]["state"]["totp"]
    assert shown["provisionUrl"].startswith("otpauth://totp/")
    assert run.context["user"]["totp"] is False
    run.interact("verify", {"code": totp.code_at(shown["key"], world.issuer.clock())})
    doc = run.context
    assert doc["flow"]["status"] == "completed"
    assert doc["user"]["totp"] is True
    assert "key" not in json.dumps(doc["screen"] or {})


def test_an_error_with_a_custom_rule_follows_it(runner: LocalRunner, world: World) -> None:
    """A named error with its own rule goes where the rule points, not back to the screen."""
    run = runner.start("enroll", inputs={"jwt": token_for(world, "m1@t1.test")})
    run.interact("verify", {"code": "not a code"})
    doc = run.context
    assert doc["screen"]["name"] == "Wrong code"
    assert doc["error"] is None
    assert doc["user"]["totp"] is False


def test_a_passkey_ceremony_pauses_and_resumes_at_the_end_task(
    runner: LocalRunner, world: World
) -> None:
    """webauthn-update-user-start waits for the client; its answer runs the .end task."""
    run = runner.start("passkey", inputs={"jwt": token_for(world, "m1@t1.test")})
    doc = run.context
    assert doc["flow"]["status"] == "waiting"
    assert doc["flow"]["action"] == "webauthnCreate"
    assert doc["screen"] is None
    prompt = doc["flow"]["webauthn"]
    response = VirtualAuthenticator().create(json.loads(prompt["options"]))
    run.interact(
        "submit", {"transactionId": prompt["transactionId"], "response": json.dumps(response)}
    )
    doc = run.context
    assert doc["flow"]["status"] == "completed"
    assert doc["user"]["webauthn"] is True
    assert "webauthn" in doc["authInfo"]["sessionJwt"]["amr"]
    assert [e["id"] for e in doc["flow"]["path"]] == ["add", "add.end", "End"]


def test_a_passkey_answer_for_another_ceremony_fails(runner: LocalRunner, world: World) -> None:
    """An answer naming another transaction is rejected and no passkey is stored."""
    run = runner.start("passkey", inputs={"jwt": token_for(world, "m1@t1.test")})
    prompt = run.context["flow"]["webauthn"]
    response = VirtualAuthenticator().create(json.loads(prompt["options"]))
    run.interact("submit", {"transactionId": "other", "response": json.dumps(response)})
    doc = run.context
    assert doc["flow"]["status"] == "failed"
    assert doc["error"]["code"] == "WebAuthnFailed"
    assert "webauthn" not in doc["user"] or doc["user"]["webauthn"] is False


@pytest.mark.parametrize(
    ("impersonator", "target", "outcome"),
    [
        ("admin@t1.test", "m2@t2.test", "success"),
        ("tadmin@t1.test", "m1@t1.test", "success"),
        ("tadmin@t1.test", "m2@t2.test", "ImpersonationNotAllowed"),
        ("m1@t1.test", "m2@t2.test", "ImpersonationNotAllowed"),
    ],
    ids=[
        "project-admin-any-tenant",
        "tenant-admin-own-tenant",
        "tenant-admin-other-tenant",
        "member",
    ],
)
def test_impersonation_follows_the_scope_of_the_permission(
    runner: LocalRunner, world: World, impersonator: str, target: str, outcome: str
) -> None:
    """Project-level Impersonate allows anyone; tenant-level only users of that tenant."""
    run = runner.start("impersonate", inputs={"jwt": token_for(world, impersonator)})
    run.interact("go", {"loginId": target})
    doc = run.context
    assert doc["flow"]["path"][1]["outcome"] == outcome
    if outcome == "success":
        session = doc["authInfo"]["sessionJwt"]
        assert session["sub"] == world.user(target).user_id
        assert session["act"] == {"sub": world.user(impersonator).user_id}
    else:
        assert doc["screen"]["name"] == "Denied"
        assert doc["authInfo"] == {}


def test_impersonating_an_unknown_user_shows_the_error_on_the_screen(
    runner: LocalRunner, world: World
) -> None:
    """UserNotFound has no rule, so the pick screen shows it."""
    run = runner.start("impersonate", inputs={"jwt": token_for(world, "admin@t1.test")})
    run.interact("go", {"loginId": "nobody@t1.test"})
    assert run.context["screen"]["state"]["errorType"] == "UserNotFound"


def test_a_sub_flow_returns_through_its_end_rule(runner: LocalRunner, world: World) -> None:
    """A flow task runs the other flow and continues at the rule keyed <end>.success."""
    run = runner.start("outer", inputs={"jwt": token_for(world, "m1@t1.test")})
    assert run.context["screen"]["name"] == "Profile"
    run.interact("save", {"name": "Sub"})
    doc = run.context
    assert doc["flow"]["status"] == "completed"
    path = doc["flow"]["path"]
    assert [(e["flow"], e["name"]) for e in path] == [
        ("outer", "Inner"),
        ("gate", "Signed in?"),
        ("gate", "Profile"),
        ("gate", "Save"),
        ("gate", "End"),
        ("outer", "Finish"),
    ]
    assert path[4]["outcome"] == "End.success"
    assert doc["authInfo"]["sessionJwt"]["sub"] == "U-m1"


def test_a_flow_that_is_not_in_the_world_is_named_with_suggestions(runner: LocalRunner) -> None:
    """Starting an unknown flow suggests the closest flow ids."""
    with pytest.raises(UnknownNameError) as caught:
        runner.start("step_up")
    assert caught.value.suggestions[0] == "step-up"


def test_a_condition_with_no_match_and_no_else_is_the_flows_fault(world_factory) -> None:
    """A condition that matches no branch and has no ELSE fails as flow misbehaviour."""
    flow = """
        flow: no-else
        start: Check
        tasks:
          Check:
            condition:
              - branch: Never
                when: [{user.loggedIn: is-true}]
                then: End
          End:
            action: logged-in
    """
    world = world_factory({"no-else": flow})
    with pytest.raises(FlowMisbehaved, match="no ELSE"):
        LocalRunner(world).start("no-else")


def test_a_login_id_typed_on_a_screen_identifies_the_visitor(runner: LocalRunner) -> None:
    """An anonymous visitor who submits a known email becomes unauthUser, not user."""
    run = runner.start("gate")
    run.interact("continue", {"email": "m1@t1.test"})
    doc = run.context
    assert doc["unauthUser"]["loginId"] == "m1@t1.test"
    assert doc["unauthUser"]["userId"] == "U-m1"
    assert doc["user"] == {"loggedIn": False}


def test_an_unknown_login_id_is_remembered_without_a_user(runner: LocalRunner) -> None:
    """A login id no user has still shows as unauthUser.loginId, with nothing else."""
    run = runner.start("gate")
    run.interact("continue", {"email": "nobody@t1.test"})
    assert run.context["unauthUser"] == {"loginId": "nobody@t1.test"}
