"""A test user's real refresh JWT through the test-user OTP endpoints: against the fake
Descope for the wire details, retries and redaction, and end to end against the real
``flowspec serve``."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from flowspec.engine.world import World
from flowspec.identity import decode_claims
from flowspec.remote import RemoteError, RemoteSettings, Secret, load_settings
from flowspec.remote.client import GENERATE_OTP_PATH, OTP_VERIFY_PATH
from flowspec.remote.settings import ENV_MANAGEMENT_KEY

KEY = "K2testUsersManagementKey"
VERIFY_EMAIL = OTP_VERIFY_PATH + "email"
VERIFY_SMS = OTP_VERIFY_PATH + "sms"
CODE = "482913"


@pytest.fixture
def refresh(make_jwt: Callable[[dict[str, Any]], str]) -> str:
    """A refresh JWT as a project issues one."""
    return make_jwt({"sub": "U2bob", "drn": "DSR", "amr": ["email"]})


def keyed(fake: Any, **retries: Any) -> RemoteSettings:
    return replace(fake.settings(**retries), management_key=Secret(KEY))


def jwt_response(refresh: str) -> dict[str, Any]:
    return {"sessionJwt": "", "refreshJwt": refresh, "user": {"userId": "U2bob"}}


def failure(call: Callable[[], Any]) -> RemoteError:
    with pytest.raises(RemoteError) as caught:
        call()
    return caught.value


def test_the_code_is_generated_with_the_management_key_then_verified(
    fake, runner_for, refresh: str
) -> None:
    """Generate sends {loginId, deliveryMethod} as Bearer <project>:<key>, verify sends
    {loginId, code} as Bearer <project>, and the verify's refreshJwt is returned."""
    fake.on(GENERATE_OTP_PATH, fake.reply({"loginId": "bob@acme.test", "code": CODE}))
    fake.on(VERIFY_EMAIL, fake.reply(jwt_response(refresh)))

    token = runner_for(keyed(fake)).test_user_refresh_jwt("bob@acme.test")

    assert token == refresh
    generated, verified = fake.requests(GENERATE_OTP_PATH)[0], fake.requests(VERIFY_EMAIL)[0]
    assert generated.headers["authorization"] == f"Bearer {fake.project_id}:{KEY}"
    assert generated.body == {"loginId": "bob@acme.test", "deliveryMethod": "email"}
    assert verified.headers["authorization"] == f"Bearer {fake.project_id}"
    assert verified.body == {"loginId": "bob@acme.test", "code": CODE}


def test_sms_asks_and_verifies_by_sms(fake, runner_for, refresh: str) -> None:
    """``method="sms"`` generates with deliveryMethod sms and verifies at .../verify/sms."""
    fake.on(GENERATE_OTP_PATH, fake.reply({"loginId": "+15555550123", "code": CODE}))
    fake.on(VERIFY_SMS, fake.reply(jwt_response(refresh)))

    assert runner_for(keyed(fake)).test_user_refresh_jwt("+15555550123", "sms") == refresh
    assert fake.requests(GENERATE_OTP_PATH)[0].body["deliveryMethod"] == "sms"


def test_a_refresh_jwt_delivered_by_cookie_is_returned(fake, runner_for, refresh: str) -> None:
    """A project that sends the refresh JWT as the DSR cookie, not in the body, works too."""
    fake.on(GENERATE_OTP_PATH, fake.reply({"loginId": "bob@acme.test", "code": CODE}))
    cookie = {"Set-Cookie": f"DSR={refresh}; Path=/"}
    fake.on(VERIFY_EMAIL, fake.reply({"sessionJwt": "", "user": {}}, headers=cookie))

    assert runner_for(keyed(fake)).test_user_refresh_jwt("bob@acme.test") == refresh


def test_without_a_management_key_nothing_is_sent_and_the_error_says_what_to_set(
    fake, runner_for
) -> None:
    """No key in the settings is a RemoteError naming FLOWSPEC_MANAGEMENT_KEY, raised
    before any request."""
    error = failure(lambda: runner_for(fake.settings()).test_user_refresh_jwt("bob@acme.test"))

    assert ENV_MANAGEMENT_KEY in str(error)
    assert f"{fake.url}{GENERATE_OTP_PATH}" in str(error)
    assert fake.seen == []


def test_a_refused_code_is_not_retried_and_quotes_neither_code_nor_key(fake, runner_for) -> None:
    """A 401 from verify is one attempt, says the code was refused, and redacts the code
    and the key even where the server echoes them."""
    fake.on(GENERATE_OTP_PATH, fake.reply({"loginId": "bob@acme.test", "code": CODE}))
    echo = {"errorCode": "E061102", "errorDescription": f"bad code {CODE} for key {KEY}"}
    fake.on(VERIFY_EMAIL, fake.reply(echo, 401))

    error = failure(lambda: runner_for(keyed(fake)).test_user_refresh_jwt("bob@acme.test"))

    assert fake.count(VERIFY_EMAIL) == 1
    assert error.status == 401
    assert "The code was refused" in str(error)
    assert CODE not in str(error)
    assert KEY not in str(error)


def test_a_refused_management_key_says_to_check_it(fake, runner_for) -> None:
    """A 401 from generate points at FLOWSPEC_MANAGEMENT_KEY and never verifies."""
    fake.on(GENERATE_OTP_PATH, fake.reply({"errorCode": "E011003"}, 401))

    error = failure(lambda: runner_for(keyed(fake)).test_user_refresh_jwt("bob@acme.test"))

    assert ENV_MANAGEMENT_KEY in str(error)
    assert fake.count(VERIFY_EMAIL) == 0


def test_a_lost_generate_is_asked_again_and_the_newer_code_verified(
    fake, runner_for, refresh: str
) -> None:
    """Generate is retried after a 502 (its answer lost), and the code verified is the
    one the retry received."""
    fake.on(
        GENERATE_OTP_PATH,
        fake.reply({"errorCode": "gateway"}, 502),
        fake.reply({"loginId": "bob@acme.test", "code": CODE}),
    )
    fake.on(VERIFY_EMAIL, fake.reply(jwt_response(refresh)))

    assert runner_for(keyed(fake)).test_user_refresh_jwt("bob@acme.test") == refresh
    assert fake.count(GENERATE_OTP_PATH) == 2
    assert fake.requests(VERIFY_EMAIL)[0].body["code"] == CODE


def test_a_lost_verify_is_not_resent_and_says_to_ask_for_a_new_code(fake, runner_for) -> None:
    """A verify answered 502 may have used the code, so it is sent once, and the error
    says to ask for a new code."""
    fake.on(GENERATE_OTP_PATH, fake.reply({"loginId": "bob@acme.test", "code": CODE}))
    fake.on(VERIFY_EMAIL, fake.reply({"errorCode": "gateway"}, 502))

    error = failure(lambda: runner_for(keyed(fake)).test_user_refresh_jwt("bob@acme.test"))

    assert fake.count(VERIFY_EMAIL) == 1
    assert "may already have used the code" in str(error)
    assert "ask for a new code" in str(error)


def test_a_declined_verify_is_resent(fake, runner_for, refresh: str) -> None:
    """A verify answered 503 was refused before it was handled, so it is sent again."""
    fake.on(GENERATE_OTP_PATH, fake.reply({"loginId": "bob@acme.test", "code": CODE}))
    fake.on(
        VERIFY_EMAIL,
        fake.reply({"errorCode": "busy"}, 503, {"Retry-After": "0"}),
        fake.reply(jwt_response(refresh)),
    )

    assert runner_for(keyed(fake)).test_user_refresh_jwt("bob@acme.test") == refresh
    assert fake.count(VERIFY_EMAIL) == 2


def test_an_answer_without_a_refresh_jwt_is_an_error_that_quotes_no_token(
    fake, runner_for, make_jwt: Callable[[dict[str, Any]], str]
) -> None:
    """A verify answer with no refreshJwt and no DSR cookie is a RemoteError; a session
    JWT the server sent is not quoted."""
    session = make_jwt({"sub": "U2bob", "drn": "DS"})
    fake.on(GENERATE_OTP_PATH, fake.reply({"loginId": "bob@acme.test", "code": CODE}))
    fake.on(VERIFY_EMAIL, fake.reply({"sessionJwt": session}))

    error = failure(lambda: runner_for(keyed(fake)).test_user_refresh_jwt("bob@acme.test"))

    assert "holds no refresh JWT" in str(error)
    assert session not in str(error)


def test_a_garbled_verify_answer_quotes_no_token(fake, runner_for, refresh: str) -> None:
    """A verify answer cut short around the refresh JWT is named as malformed JSON, with
    the token redacted from the excerpt."""
    fake.on(GENERATE_OTP_PATH, fake.reply({"loginId": "bob@acme.test", "code": CODE}))
    fake.on(VERIFY_EMAIL, fake.raw(200, "application/json", f'{{"refreshJwt": "{refresh}'.encode()))

    error = failure(lambda: runner_for(keyed(fake)).test_user_refresh_jwt("bob@acme.test"))

    assert "malformed JSON" in str(error)
    assert refresh not in str(error)
    assert refresh.split(".")[1] not in str(error)


def test_against_flowspec_serve_the_jwt_signs_a_flow_in(
    served_remote: World, runner_for, caplog: pytest.LogCaptureFixture
) -> None:
    """End to end: the refresh JWT from flowspec serve's test-user endpoints is the user's,
    says amr email, starts a flow signed in, and no log line holds it or the key."""
    with caplog.at_level(logging.DEBUG):
        runner = runner_for(load_settings())
        token = runner.test_user_refresh_jwt("bob@acme.test")
        context = runner.start("sign-up-or-in", refresh_jwt=token).context

    claims = decode_claims(token)
    assert (claims["sub"], claims["drn"], claims["amr"]) == ("U2bob", "DSR", ["email"])
    assert context["user"]["loggedIn"] is True
    assert context["user"]["userId"] == "U2bob"
    assert token not in caplog.text
    assert os.environ[ENV_MANAGEMENT_KEY] not in caplog.text


def test_against_flowspec_serve_a_wrong_key_is_refused_without_echo(
    served_remote: World, monkeypatch: pytest.MonkeyPatch, runner_for
) -> None:
    """End to end: flowspec serve refuses another management key with 401, and the error
    names FLOWSPEC_MANAGEMENT_KEY but not the key."""
    monkeypatch.setenv(ENV_MANAGEMENT_KEY, "K2someOtherKey")
    runner = runner_for(load_settings())

    error = failure(lambda: runner.test_user_refresh_jwt("bob@acme.test"))

    assert error.status == 401
    assert ENV_MANAGEMENT_KEY in str(error)
    assert "K2someOtherKey" not in str(error)
