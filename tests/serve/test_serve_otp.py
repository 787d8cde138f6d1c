"""Descope's OTP verify endpoints over the wire: a generated code becomes a real refresh
JWT; a wrong, used, superseded or expired code is refused without quoting it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from descope import REFRESH_SESSION_TOKEN_NAME, SESSION_TOKEN_NAME, DeliveryMethod, DescopeClient

from flowspec.engine.doubles import Doubles
from flowspec.engine.world import World
from flowspec.identity import decode_claims
from flowspec.serve.otp import verify_otp
from flowspec.serve.problems import WireError
from flowspec.serve.testusers import generate_otp

ROOT = Path(__file__).resolve().parents[2]
VERIFY_EMAIL = "/v1/auth/otp/verify/email"
VERIFY_SMS = "/v1/auth/otp/verify/sms"
JWT_RESPONSE_FIELDS = {
    "sessionJwt",
    "refreshJwt",
    "user",
    "firstSeen",
    "sessionExpiration",
    "cookieDomain",
    "cookiePath",
    "cookieMaxAge",
    "cookieExpiration",
}


def generate(api: Any, login_id: str, method: str = "email") -> str:
    body = {"loginId": login_id, "deliveryMethod": method}
    response = api.manage("/v1/mgmt/tests/generate/otp", body)
    assert response.status_code == 200, response.text
    return str(response.json()["code"])


def verify(api: Any, login_id: str, code: str, path: str = VERIFY_EMAIL) -> httpx.Response:
    body = {"loginId": login_id, "code": code}
    return api.http.post(path, json=body, headers=api.auth())


def assert_refused(response: httpx.Response, *hidden: str) -> str:
    """The answer is Descope's 401 shape quoting none of ``hidden``; its message."""
    assert response.status_code == 401, response.text
    body = response.json()
    assert body["errorCode"] == "FS40100"
    for secret in hidden:
        assert secret not in response.text
    assert "eyJ" not in response.text
    return str(body["errorMessage"])


def test_a_verified_code_gives_a_refresh_jwt_that_me_accepts_and_a_flow_starts_with(
    small_api,
) -> None:
    """Generate then verify answers Descope's JWT response; its refresh JWT is accepted by
    /v1/auth/me and, as Bearer <project>:<JWT>, starts a flow signed in."""
    code = generate(small_api, "user03@small.test")
    answer = verify(small_api, "user03@small.test", code)

    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert set(body) == JWT_RESPONSE_FIELDS
    refresh = body["refreshJwt"]
    me = small_api.http.get("/v1/auth/me", headers=small_api.auth(refresh))
    assert me.status_code == 200
    assert me.json()["userId"] == "U03"
    started = small_api.start("profile", token=refresh).json()
    assert started["screen"]["id"] == "edit"
    assert started["flowspec"]["session"]["status"] == "accepted"


def test_the_tokens_carry_the_claims_a_flows_logged_in_issues(api) -> None:
    """Session and refresh JWT name the user, carry the directory's tenants and
    ``amr: ["email"]``, and the response describes the user and the refresh cookie."""
    body = verify(api, "bob@acme.test", generate(api, "bob@acme.test")).json()

    session, refresh = decode_claims(body["sessionJwt"]), decode_claims(body["refreshJwt"])
    assert (session["drn"], refresh["drn"]) == ("DS", "DSR")
    assert session["sub"] == refresh["sub"] == "U2bob"
    assert session["amr"] == refresh["amr"] == ["email"]
    assert session["tenants"] == {"acme": {"roles": ["member"], "permissions": []}}
    assert body["sessionExpiration"] == session["exp"]
    assert body["cookieExpiration"] == refresh["exp"]
    assert body["cookiePath"] == "/"
    assert body["firstSeen"] is False
    assert body["user"]["loginIds"] == ["bob@acme.test"]


def test_an_sms_code_verifies_at_the_sms_route_with_amr_sms(api) -> None:
    """A code generated for SMS goes to the user's phone and verifies at .../verify/sms,
    and the tokens say ``amr: ["sms"]``."""
    code = generate(api, "gina@globex.test", "sms")
    body = verify(api, "gina@globex.test", code, VERIFY_SMS).json()

    assert decode_claims(body["refreshJwt"])["amr"] == ["sms"]
    assert body["user"]["phone"] == "+15555550123"
    assert body["user"]["verifiedPhone"] is True


def test_an_email_code_does_not_verify_at_the_sms_route(api) -> None:
    """A code sent by email is no code sent to the phone: the SMS route refuses it."""
    code = generate(api, "gina@globex.test", "email")
    message = assert_refused(verify(api, "gina@globex.test", code, VERIFY_SMS), code)
    assert "InvalidOTPCode" in message


def test_a_wrong_code_is_refused_without_quoting_it(api) -> None:
    """A code that was never sent answers 401 FS40100 naming the login id, not the code."""
    generate(api, "bob@acme.test")
    message = assert_refused(verify(api, "bob@acme.test", "000000x"), "000000x")
    assert "InvalidOTPCode" in message
    assert "bob@acme.test" in message


def test_a_used_code_is_refused_the_second_time(api) -> None:
    """A code works once: the second verify of the same code answers 401 saying it was
    already used."""
    code = generate(api, "bob@acme.test")
    assert verify(api, "bob@acme.test", code).status_code == 200
    message = assert_refused(verify(api, "bob@acme.test", code), code)
    assert "already used" in message


def test_a_newer_code_supersedes_an_older_one(api) -> None:
    """Only the newest code for a login id verifies; the older one is refused."""
    older = generate(api, "bob@acme.test")
    newer = generate(api, "bob@acme.test")
    assert_refused(verify(api, "bob@acme.test", older), older, newer)
    assert verify(api, "bob@acme.test", newer).status_code == 200


def test_a_login_id_nobody_has_is_refused(api) -> None:
    """A login id that is no user of the project answers 401 even with the code generated
    for it: the endpoint signs in users, it signs nobody up."""
    code = generate(api, "nobody@acme.test")
    message = assert_refused(verify(api, "nobody@acme.test", code), code)
    assert "no user" in message


def test_a_body_without_a_code_is_a_bad_request(api) -> None:
    """Descope's body needs both fields: no code answers 400 FS40000 naming the field."""
    response = api.http.post(VERIFY_EMAIL, json={"loginId": "bob@acme.test"}, headers=api.auth())
    assert response.status_code == 400
    assert response.json()["errorCode"] == "FS40000"
    assert '"code"' in response.json()["errorMessage"]


def test_an_expired_code_is_refused() -> None:
    """A code past its lifetime is refused as expired, by the engine's own rule."""
    world = World.load(ROOT / "scenarios")
    directory, doubles = world.directory(), Doubles()
    now = [1_000_000.0]
    code = generate_otp(doubles, directory, "bob@acme.test", "email", clock=lambda: now[0])["code"]
    now[0] += 3600
    with pytest.raises(WireError) as refused:
        verify_otp(
            doubles,
            directory,
            world.issuer,
            world.project_id,
            "bob@acme.test",
            code,
            "email",
            clock=lambda: now[0],
        )
    assert refused.value.status == 401
    assert "OTPExpired" in refused.value.message
    assert code not in refused.value.message


def test_descopes_sdk_verifies_a_generated_code_and_validates_the_tokens(
    scenarios_served, management_key: str
) -> None:
    """The SDK's ``otp.verify_code`` against the server returns tokens it validates with
    the served keys, for the user whose code it was."""
    client = DescopeClient(
        project_id=scenarios_served.project_id,
        management_key=management_key,
        base_url=scenarios_served.url,
    )
    code = client.mgmt.user.generate_otp_for_test_user(DeliveryMethod.EMAIL, "ada@acme.test")[
        "code"
    ]
    verified = client.otp.verify_code(DeliveryMethod.EMAIL, "ada@acme.test", code)

    assert verified[SESSION_TOKEN_NAME]["sub"] == "U2ada"
    assert verified[REFRESH_SESSION_TOKEN_NAME]["amr"] == ["email"]
    assert verified["user"]["userId"] == "U2ada"
    refresh = verified[REFRESH_SESSION_TOKEN_NAME]["jwt"]
    assert client.validate_session(refresh)["userId"] == "U2ada"


SIGN_IN = "/v1/mgmt/flowspec/sign-in"


def test_the_one_call_sign_in_has_the_effects_of_generate_and_verify(
    serve_world, small_world_folder: Path
) -> None:
    """flowspec's sign-in answers the verify's JWT response, proves the address as the
    verify does, and uses a code of its own, which supersedes one generated before."""
    world = World.load(small_world_folder)
    assert world.user("user04@small.test").verified_email is False
    api = serve_world(world)
    earlier = generate(api, "user04@small.test")

    answer = api.manage(SIGN_IN, {"loginId": "user04@small.test", "deliveryMethod": "email"})

    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert set(body) == JWT_RESPONSE_FIELDS
    claims = decode_claims(body["refreshJwt"])
    assert (claims["sub"], claims["drn"], claims["amr"]) == ("U04", "DSR", ["email"])
    assert body["user"]["verifiedEmail"] is True
    assert_refused(verify(api, "user04@small.test", earlier), earlier)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"loginId": "nobody@small.test", "deliveryMethod": "email"}, 401),
        ({"loginId": "user04@small.test", "deliveryMethod": "voice"}, 400),
        ({"loginId": "user04@small.test"}, 400),
    ],
)
def test_the_one_call_sign_in_refuses_what_generate_or_verify_refuses(
    small_api, body: dict[str, Any], status: int
) -> None:
    """An unknown login id is refused as the verify refuses it; a delivery method the
    verify has no route for, or none, is a bad request."""
    answer = small_api.manage(SIGN_IN, body)

    assert answer.status_code == status, answer.text
    assert "eyJ" not in answer.text


SIGN_IN_HEADER = "X-Flowspec-Sign-In"


def start_signing_in(api: Any, flow_id: str, asked: str, key: str) -> httpx.Response:
    """A start that asks for a test user's sign-in in its X-Flowspec-Sign-In header, as a
    management call with ``key``."""
    headers = {**api.auth(key), SIGN_IN_HEADER: asked}
    return api.http.post("/v1/flow/start", json={"flowId": flow_id}, headers=headers)


def asking(login_id: str, method: str = "email") -> str:
    return json.dumps({"loginId": login_id, "deliveryMethod": method})


def test_a_start_may_carry_the_sign_in_and_runs_as_the_user_it_signed_in(
    serve_world, small_world_folder: Path, management_key: str
) -> None:
    """The header signs the user in as the sign-in route does (the address proved, a code
    of its own that supersedes an earlier one), the flow starts with the new refresh
    JWT, and the answer carries the sign-in's JWT response in flowspec.signIn."""
    world = World.load(small_world_folder)
    api = serve_world(world)
    earlier = generate(api, "user04@small.test")

    answer = start_signing_in(api, "profile", asking("user04@small.test"), management_key)

    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["screen"]["id"] == "edit"
    signed_in = body["flowspec"]["signIn"]
    assert set(signed_in) == JWT_RESPONSE_FIELDS
    claims = decode_claims(signed_in["refreshJwt"])
    assert (claims["sub"], claims["amr"]) == ("U04", ["email"])
    assert body["flowspec"]["user"]["verifiedEmail"] is True
    assert_refused(verify(api, "user04@small.test", earlier), earlier)
    me = api.http.get("/v1/auth/me", headers=api.auth(signed_in["refreshJwt"]))
    assert me.json()["userId"] == "U04"


@pytest.mark.parametrize(
    ("flow_id", "asked", "key", "status"),
    [
        ("profile", asking("user04@small.test"), "not-the-key", 401),
        ("profile", asking("nobody@small.test"), None, 401),
        ("profile", asking("user04@small.test", "voice"), None, 400),
        ("profile", '{"loginId": "user04@small.test"}', None, 400),
        ("profile", "user04@small.test", None, 400),
        ("profil", asking("user04@small.test"), None, 404),
    ],
    ids=["wrong key", "unknown user", "unknown method", "no method", "no JSON", "no flow"],
)
def test_a_start_whose_sign_in_is_refused_signs_nobody_in(
    serve_world,
    small_world_folder: Path,
    flow_id: str,
    asked: str,
    key: str | None,
    status: int,
    management_key: str,
) -> None:
    """A refused sign-in, or a start refused before it, generates no code: one generated
    earlier is still the newest, and verifies."""
    api = serve_world(World.load(small_world_folder))
    earlier = generate(api, "user04@small.test")

    answer = start_signing_in(api, flow_id, asked, key or management_key)

    assert answer.status_code == status, answer.text
    assert "eyJ" not in answer.text
    assert SIGN_IN_HEADER in answer.json()["errorMessage"] or status != 400
    assert verify(api, "user04@small.test", earlier).status_code == 200
