"""flowspec serve's additions the remote client uses once the server proved it is serve
(it accepted a reset): the reset riding on the next request, the one-call sign-in, and
that sign-in riding on a start. Against the fake Descope for the wire details, and end to
end against the real serve."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from flowspec.engine.world import World
from flowspec.identity import decode_claims
from flowspec.remote import RemoteError, RemoteSettings, Secret, load_settings
from flowspec.remote.client import (
    GENERATE_OTP_PATH,
    OTP_VERIFY_PATH,
    RESET_HEADER,
    RESET_PATH,
    SANDBOX_HEADER,
    SIGN_IN_HEADER,
    SIGN_IN_PATH,
    START_PATH,
)

KEY = "K2servedAdditionsKey"
DONE = {RESET_HEADER: "done"}


def keyed(fake: Any) -> RemoteSettings:
    return replace(fake.settings(), management_key=Secret(KEY))


def reset_header(fake: Any, path: str) -> list[str | None]:
    """The reset header of each request to ``path``, in order."""
    return [request.headers.get(RESET_HEADER.lower()) for request in fake.requests(path)]


def test_a_deferred_reset_rides_on_the_next_request_until_an_answer_confirms_it(
    fake, runner_for
) -> None:
    """After serve accepted one reset, a deferred one sends nothing of its own: the next
    request carries the management key in X-Flowspec-Reset, the ones after it too until
    an answer says done, and none after that."""
    fake.on(RESET_PATH, fake.reply({}))
    fake.on(
        START_PATH,
        fake.reply(fake.waiting()),
        fake.reply(fake.waiting(), headers=DONE),
        fake.reply(fake.waiting()),
    )
    runner = runner_for(keyed(fake))
    assert runner.reset_served_world(deferred=True) is True
    assert fake.count(RESET_PATH) == 1

    assert runner.reset_served_world(deferred=True) is True
    for _ in range(3):
        runner.start("sign-in")

    assert fake.count(RESET_PATH) == 1
    assert reset_header(fake, START_PATH) == [KEY, KEY, None]


def test_a_deferred_reset_asks_a_server_that_refused_one_again_and_sends_no_header(
    fake, runner_for
) -> None:
    """A server that refused the reset (a real project has no such route) gets no header:
    each deferred reset is a reset request of its own, answered False."""
    fake.on(RESET_PATH, fake.reply({"errorCode": "E404"}, 404), fake.reply({}, 404))
    fake.on(START_PATH, fake.reply(fake.waiting()))
    runner = runner_for(keyed(fake))

    assert runner.reset_served_world(deferred=True) is False
    assert runner.reset_served_world(deferred=True) is False
    runner.start("sign-in")

    assert fake.count(RESET_PATH) == 2
    assert reset_header(fake, START_PATH) == [None]


def test_a_refused_reset_header_is_an_error_that_quotes_no_key(fake, runner_for) -> None:
    """A server that refuses the header's key (restarted with another) answers 401: the
    request fails as a RemoteError, the key redacted even where the server echoes it."""
    fake.on(RESET_PATH, fake.reply({}))
    echo = {"errorCode": "FS40100", "errorMessage": f"wrong key {KEY}"}
    fake.on(START_PATH, fake.reply(echo, 401))
    runner = runner_for(keyed(fake))
    runner.reset_served_world(deferred=True)
    runner.reset_served_world(deferred=True)

    with pytest.raises(RemoteError) as caught:
        runner.start("sign-in")

    assert caught.value.status == 401
    assert KEY not in str(caught.value)


def test_once_serve_is_known_a_test_user_signs_in_with_one_call(
    fake, runner_for, make_jwt: Callable[[dict[str, Any]], str]
) -> None:
    """Before any reset the JWT costs generate and verify; once a reset was accepted, one
    call to /v1/mgmt/flowspec/sign-in with the management key, whose refreshJwt is
    returned."""
    refresh = make_jwt({"sub": "U2bob", "drn": "DSR"})
    fake.on(GENERATE_OTP_PATH, fake.reply({"loginId": "bob@acme.test", "code": "123456"}))
    fake.on(OTP_VERIFY_PATH + "email", fake.reply({"refreshJwt": refresh}))
    fake.on(RESET_PATH, fake.reply({}))
    fake.on(SIGN_IN_PATH, fake.reply({"refreshJwt": refresh}))
    runner = runner_for(keyed(fake))

    assert runner.test_user_refresh_jwt("bob@acme.test") == refresh
    runner.reset_served_world()
    assert runner.test_user_refresh_jwt("bob@acme.test", "sms") == refresh

    assert (fake.count(GENERATE_OTP_PATH), fake.count(SIGN_IN_PATH)) == (1, 1)
    signed = fake.requests(SIGN_IN_PATH)[0]
    assert signed.headers["authorization"] == f"Bearer {fake.project_id}:{KEY}"
    assert signed.body == {"loginId": "bob@acme.test", "deliveryMethod": "sms"}


def test_a_lost_sign_in_is_asked_again(
    fake, runner_for, make_jwt: Callable[[dict[str, Any]], str]
) -> None:
    """The one-call sign-in is retried after a 502 (its answer lost): a second copy uses a
    newer code, and the token returned is the one the retry received."""
    refresh = make_jwt({"sub": "U2bob", "drn": "DSR"})
    fake.on(RESET_PATH, fake.reply({}))
    fake.on(
        SIGN_IN_PATH, fake.reply({"errorCode": "gateway"}, 502), fake.reply({"refreshJwt": refresh})
    )
    runner = runner_for(keyed(fake))
    runner.reset_served_world()

    assert runner.test_user_refresh_jwt("bob@acme.test") == refresh
    assert fake.count(SIGN_IN_PATH) == 2


def test_against_flowspec_serve_a_deferred_reset_forgets_what_a_run_changed(
    served_remote: World, runner_for
) -> None:
    """End to end, as scenarios do it: what a run saved is gone once a deferred reset
    rode on the next request, and the one-call sign-in's JWT signs a flow in."""
    runner = runner_for(load_settings())
    assert runner.reset_served_world(deferred=True) is True
    token = runner.test_user_refresh_jwt("bob@acme.test")
    assert decode_claims(token)["amr"] == ["email"]
    edit = runner.start("profile-update", refresh_jwt=token)
    edit.interact("save", {"name": "Robert"})
    assert edit.context["user"]["name"] == "Robert"

    assert runner.reset_served_world(deferred=True) is True
    again = runner.start(
        "profile-update", refresh_jwt=runner.test_user_refresh_jwt("bob@acme.test")
    )

    assert again.context["user"]["name"] == "Bob Member"
    assert again.context["user"]["userId"] == "U2bob"


def test_a_start_signed_in_sends_one_request_and_keeps_the_token_out_of_the_context(
    fake, runner_for, make_jwt: Callable[[dict[str, Any]], str]
) -> None:
    """One start, a management call carrying X-Flowspec-Sign-In; the token comes back from
    the answer's flowspec.signIn, the run holds it as its refresh JWT (its claims are the
    context's jwtClaims), and the context carries no trace of the raw token."""
    refresh = make_jwt({"sub": "U2bob", "drn": "DSR", "amr": ["email"]})
    fake.on(RESET_PATH, fake.reply({}))
    additions = {"signIn": {"refreshJwt": refresh}, "user": {"userId": "U2bob"}}
    fake.on(START_PATH, fake.reply(fake.waiting(flowspec=additions)))
    runner = runner_for(keyed(fake))
    assert not runner.signs_in_on_start
    runner.reset_served_world()
    assert runner.signs_in_on_start

    run, token = runner.start_signed_in("bob@acme.test", "sign-in", inputs={"jwt": "ignored"})

    assert token == refresh
    (started,) = fake.requests(START_PATH)
    assert started.headers["authorization"] == f"Bearer {fake.project_id}:{KEY}"
    assert json.loads(started.headers[SIGN_IN_HEADER.lower()]) == {
        "loginId": "bob@acme.test",
        "deliveryMethod": "email",
    }
    assert started.body["input"] == {}
    assert run.context["jwtClaims"]["sub"] == "U2bob"
    assert run.context["user"]["userId"] == "U2bob"
    assert refresh not in json.dumps(run.context)


def test_a_lost_start_signed_in_is_sent_again_and_the_retry_s_token_kept(
    fake, runner_for, make_jwt: Callable[[dict[str, Any]], str]
) -> None:
    """Retried as a start: after a 502 a second copy signs in anew, and the token and
    execution of the copy whose answer arrived are the ones used."""
    lost, kept = make_jwt({"sub": "U2bob", "n": 1}), make_jwt({"sub": "U2bob", "n": 2})
    fake.on(RESET_PATH, fake.reply({}))
    fake.on(
        START_PATH,
        fake.reply({"errorCode": "gateway", "refreshJwt": lost}, 502),
        fake.reply(fake.waiting(flowspec={"signIn": {"refreshJwt": kept}})),
    )
    runner = runner_for(keyed(fake))
    runner.reset_served_world()

    _, token = runner.start_signed_in("bob@acme.test", "sign-in")

    assert token == kept
    assert fake.count(START_PATH) == 2


def test_a_server_that_ignores_the_sign_in_header_is_an_error_naming_it(fake, runner_for) -> None:
    """A flow response without flowspec.signIn: the server did not sign anyone in, and
    the error says so, without the management key."""
    fake.on(RESET_PATH, fake.reply({}))
    fake.on(START_PATH, fake.reply(fake.waiting()))
    runner = runner_for(keyed(fake))
    runner.reset_served_world()

    with pytest.raises(RemoteError) as caught:
        runner.start_signed_in("bob@acme.test", "sign-in")

    message = str(caught.value)
    assert SIGN_IN_HEADER in message
    assert "flowspec.signIn.refreshJwt" in message
    assert KEY not in message


def test_against_flowspec_serve_a_start_signs_the_test_user_in_for_this_and_later_runs(
    served_remote: World, runner_for
) -> None:
    """End to end: the start signs Bob in by email and runs as him; the token it returns
    signs a later run in as him too, as the one-call sign-in's token would."""
    runner = runner_for(load_settings())
    assert runner.reset_served_world(deferred=True) is True

    edit, token = runner.start_signed_in("bob@acme.test", "profile-update")

    assert edit.context["user"]["userId"] == "U2bob"
    assert decode_claims(token)["amr"] == ["email"]
    assert decode_claims(token)["sub"] == "U2bob"
    again = runner.start("profile-update", refresh_jwt=token)
    assert again.context["user"]["userId"] == "U2bob"


def test_once_serve_is_known_every_request_names_the_clients_own_sandbox(fake, runner_for) -> None:
    """The reset asks for this client's sandbox, and every request after it names the
    same one; another client names another, so neither resets the other's runs."""
    fake.on(RESET_PATH, fake.reply({}), fake.reply({}))
    fake.on(START_PATH, fake.reply(fake.waiting()), fake.reply(fake.waiting()))
    one, other = runner_for(keyed(fake)), runner_for(keyed(fake))
    for runner in (one, other):
        runner.reset_served_world()
        runner.start("sign-in")

    named = [r.headers.get(SANDBOX_HEADER.lower()) for r in fake.seen]
    assert named[0] == named[1] != named[2] == named[3]
    assert all(named)


def test_a_real_project_is_sent_no_sandbox_on_its_own_api(fake, runner_for) -> None:
    """A server that refused the reset (a real project) gets no sandbox header on the
    flow API."""
    fake.on(RESET_PATH, fake.reply({"errorCode": "E404"}, 404))
    fake.on(START_PATH, fake.reply(fake.waiting()))
    runner = runner_for(keyed(fake))
    runner.reset_served_world()
    runner.start("sign-in")

    (started,) = fake.requests(START_PATH)
    assert SANDBOX_HEADER.lower() not in started.headers
