"""Start and next over the wire: screens, completion, tokens, nonces, and the JWT a run
starts with."""

from __future__ import annotations

import base64
import json

import httpx
from cryptography.hazmat.primitives.asymmetric import rsa

from flowspec.identity import KeyRing, TokenIssuer
from flowspec.serve import NONCE_HEADER

NO_PASSKEYS = {"deviceInfo": {"webAuthnSupport": False}}


def _integer(segment: str) -> int:
    return int.from_bytes(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)), "big")


def issuer_of_served_keys(http: httpx.Client, project_id: str) -> TokenIssuer:
    """A verifier that knows only the public keys ``/v2/keys/<projectId>`` publishes."""
    ring = KeyRing.generate(kid="unrelated-signer")
    for jwk in http.get(f"/v2/keys/{project_id}").json()["keys"]:
        public = rsa.RSAPublicNumbers(_integer(jwk["e"]), _integer(jwk["n"])).public_key()
        ring = ring.with_public_key(jwk["kid"], public)
    return TokenIssuer(project_id, ring)


def test_a_code_sign_in_runs_screen_by_screen_to_tokens_the_published_keys_verify(api) -> None:
    """A returning user signs in with an emailed code over start and next, and the
    completed response carries a session and a refresh JWT signed by a published key."""
    welcome = api.start("sign-up-or-in", options=NO_PASSKEYS)
    assert welcome.json()["screen"]["id"] == "welcome"
    sent = api.next(welcome, "email-me-a-code", {"email": "bob@acme.test"})
    assert sent.json()["screen"]["name"] == "Enter code"
    assert sent.json()["screen"]["state"]["sentTo"] == {"maskedEmail": "b***@acme.test"}
    done = api.next(sent, "verify", {"code": api.generated_code("bob@acme.test")}).json()

    assert done["status"] == "completed"
    assert done["action"] == "none"
    auth = done["authInfo"]
    verifier = issuer_of_served_keys(api.http, api.served.project_id)
    session = verifier.verify(auth["sessionJwt"], kind="session")
    refresh = verifier.verify(auth["refreshJwt"], kind="refresh")
    assert (session.code, refresh.code) == ("accepted", "accepted")
    assert session.claims["sub"] == refresh.claims["sub"] == "U2bob"
    assert session.claims["amr"] == ["email"]
    assert auth["sessionExpiration"] == session.claims["exp"]
    assert auth["user"]["loginIds"] == ["bob@acme.test"]
    assert auth["firstSeen"] is False


def test_a_waiting_response_carries_flowspecs_additions(api) -> None:
    """A screen response names the screen, its inputs and buttons, the task path and how
    the run's JWT was judged, as docs/wire.md adds them."""
    body = api.start("sign-up-or-in", options=NO_PASSKEYS).json()

    assert body["status"] == "waiting"
    assert body["action"] == "screen"
    assert (body["stepId"], body["stepName"]) == ("Welcome", "Welcome")
    assert body["screen"]["name"] == "Welcome"
    assert body["screen"]["inputs"] == [
        {"name": "email", "required": True, "component": "TextField"}
    ]
    assert {"id": "email-me-a-code", "label": "Email me a code"} in body["screen"]["interactions"]
    assert [step["name"] for step in body["flowspec"]["path"]] == ["Welcome"]
    assert body["flowspec"]["session"] == {"status": "none"}


def test_each_response_carries_a_new_nonce_and_a_wrong_echo_is_refused(api) -> None:
    """Start and next each send a fresh nonce; a next echoing another answers E108201 and
    leaves the execution waiting for the right one."""
    welcome = api.start("sign-up-or-in", options=NO_PASSKEYS)
    wrong = api.next(welcome, "email-me-a-code", {"email": "bob@acme.test"}, nonce="forged")

    assert wrong.status_code == 400
    assert wrong.json()["errorCode"] == "E108201"
    sent = api.next(welcome, "email-me-a-code", {"email": "bob@acme.test"})
    assert sent.status_code == 200
    assert sent.headers[NONCE_HEADER] != welcome.headers[NONCE_HEADER]
    stale = api.next(sent, "resend", nonce=welcome.headers[NONCE_HEADER])
    assert stale.json()["errorCode"] == "E108201"


def test_a_next_without_a_nonce_is_accepted(api) -> None:
    """A client that echoes no nonce, as Descope's older clients do not, moves the run on."""
    welcome = api.start("sign-up-or-in", options=NO_PASSKEYS).json()
    body = {
        "executionId": welcome["executionId"],
        "stepId": welcome["stepId"],
        "interactionId": "email-me-a-code",
        "input": {"email": "bob@acme.test"},
    }
    moved = api.http.post("/v1/flow/next", json=body, headers=api.auth())

    assert moved.status_code == 200
    assert moved.json()["stepName"] == "Enter code"


def test_a_refresh_jwt_in_the_header_signs_the_run_in(api) -> None:
    """``Bearer <project>:<refresh JWT>`` starts the run as that user: step-up goes
    straight to the TOTP screen and the session verdict says accepted."""
    world = api.served.world
    body = api.start("step-up", token=world.refresh_token(world.user("ada@acme.test"))).json()

    assert body["screen"]["name"] == "Verify TOTP"
    assert body["flowspec"]["session"]["status"] == "accepted"
    assert body["flowspec"]["session"]["claims"]["sub"] == "U2ada"


def test_the_console_runners_jwt_input_signs_the_run_in_too(api) -> None:
    """A refresh JWT given as the input ``jwt`` starts the run signed in, as the header does."""
    world = api.served.world
    token = world.refresh_token(world.user("ada@acme.test"))
    body = api.start("step-up", input={"jwt": token}).json()

    assert body["screen"]["name"] == "Verify TOTP"
    assert body["flowspec"]["session"]["status"] == "accepted"


def test_an_expired_jwt_in_the_header_starts_the_run_anonymous_and_says_why(api) -> None:
    """An expired refresh JWT is no error: the run starts anonymous and
    ``flowspec.session`` gives the verdict and its reason."""
    world = api.served.world
    token = world.refresh_token(world.user("ada@acme.test"), expired=True)
    response = api.start("step-up", token=token)

    assert response.status_code == 200
    body = response.json()
    assert body["screen"]["name"] == "Sign in first"
    session = body["flowspec"]["session"]
    assert (session["status"], session["code"]) == ("rejected", "expired")
    assert "expired" in session["reason"]
    assert token not in response.text


def test_another_project_or_no_authorization_is_refused_with_401(api) -> None:
    """A start naming another project, or with no Authorization header, answers 401
    FS40100 in Descope's error shape, without quoting the header."""
    other = api.http.post(
        "/v1/flow/start", json={"flowId": "step-up"}, headers={"Authorization": "Bearer P2other"}
    )
    bare = api.http.post("/v1/flow/start", json={"flowId": "step-up"})

    for refused in (other, bare):
        assert refused.status_code == 401
        assert refused.json()["errorCode"] == "FS40100"
        assert set(refused.json()) == {"errorCode", "errorDescription", "errorMessage"}
    assert "P2other" not in other.text


def test_an_unknown_execution_answers_e103205(api) -> None:
    """A next for an execution the server never started answers 400 E103205."""
    body = {"executionId": "no-such-execution", "stepId": "x", "interactionId": "y"}
    response = api.http.post("/v1/flow/next", json=body, headers=api.auth())

    assert response.status_code == 400
    assert response.json()["errorCode"] == "E103205"


def test_polling_a_screen_without_a_polling_rule_keeps_it_waiting(api) -> None:
    """A client's ``polling`` on a screen the flow gives no polling rule answers the same
    waiting screen, as a poll before the user acts does."""
    sent = api.next(
        api.start("sign-up-or-in", options=NO_PASSKEYS),
        "email-me-a-link",
        {"email": "bob@acme.test"},
    )
    polled = api.next(sent, "polling")

    assert polled.status_code == 200
    assert polled.json()["status"] == "waiting"
    assert polled.json()["stepId"] == sent.json()["stepId"]


def test_client_prompts_travel_in_descopes_redirect_and_webauthn_fields(api) -> None:
    """An OAuth start answers ``action: redirect`` with ``redirect.url``, and a passkey
    enrollment ``action: webauthnCreate`` with ``webauthn`` options as a JSON string."""
    google = api.next(api.start("sign-up-or-in"), "continue-with-google").json()
    welcome = api.start("sign-up-or-in", options={"deviceInfo": {"webAuthnSupport": True}})
    sent = api.next(welcome, "email-me-a-code", {"email": "bob@acme.test"})
    offer = api.next(sent, "verify", {"code": api.generated_code("bob@acme.test")})
    passkey = api.next(offer, "add-a-passkey").json()

    assert (google["status"], google["action"]) == ("waiting", "redirect")
    assert google["redirect"]["url"].startswith("https://")
    assert (passkey["status"], passkey["action"]) == ("waiting", "webauthnCreate")
    assert "screen" not in passkey
    assert passkey["webauthn"]["create"] is True
    assert json.loads(passkey["webauthn"]["options"])["challenge"]
