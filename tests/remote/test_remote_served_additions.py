"""flowspec serve's additions the remote client uses once the server proved it is serve
(it accepted a reset): the reset riding on the next request, and the one-call sign-in.
Against the fake Descope for the wire details, and end to end against the real serve."""

from __future__ import annotations

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
