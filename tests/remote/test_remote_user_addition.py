"""The remote run takes ``user`` from ``flowspec.user`` when sent, and from
``/v1/auth/me`` otherwise: requests counted on the fake Descope."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flowspec.remote import RemoteRunner
from flowspec.remote.client import ME_PATH, NEXT_PATH, START_PATH

SERVED_USER = {
    "userId": "U2bob",
    "loginIds": ["bob@acme.test"],
    "name": "Bob Member",
    "email": "bob@acme.test",
    "verifiedEmail": True,
    "status": "enabled",
    "roleNames": [],
    "userTenants": [{"tenantId": "acme", "tenantName": "Acme Corp", "roleNames": ["member"]}],
    "customAttributes": {},
    "TOTP": False,
    "test": False,
}
SAVED_USER = {**SERVED_USER, "name": "Robert Member"}


def additions(user: dict[str, Any] | None) -> dict[str, Any]:
    """flowspec serve's additions, with ``flowspec.user`` when ``user`` is given."""
    sent: dict[str, Any] = {"path": [], "session": {"status": "accepted"}}
    if user is not None:
        sent["user"] = user
    return {"flowspec": sent}


def test_the_user_addition_replaces_the_me_request(
    fake, make_jwt: Callable[[dict[str, Any]], str]
) -> None:
    """A start and a click answered with ``flowspec.user`` fill ``user`` from it after each
    step, and the client sends no ``/v1/auth/me`` at all."""
    token = make_jwt({"sub": "U2bob", "drn": "DSR", "dct": "acme"})
    fake.on(START_PATH, fake.reply(fake.waiting("S1", **additions(SERVED_USER))))
    fake.on(NEXT_PATH, fake.reply(fake.waiting("S2", **additions(SAVED_USER))))
    with RemoteRunner(fake.settings()) as runner:
        run = runner.start("profile-update", refresh_jwt=token)
        before = run.context["user"]
        run.interact("save", {"name": "Robert Member"})
        after = run.context["user"]

    assert fake.count(ME_PATH) == 0
    assert (before["loggedIn"], before["name"]) == (True, "Bob Member")
    assert after["name"] == "Robert Member"
    assert after["tenant"] == {"id": "acme", "name": "Acme Corp", "roles": ["member"]}


def test_a_completed_run_with_the_addition_needs_no_me_request(
    fake, make_jwt: Callable[[dict[str, Any]], str]
) -> None:
    """An anonymous run that the server completes with tokens and ``flowspec.user`` is
    signed in as that user without a ``/v1/auth/me`` request."""
    refresh = make_jwt({"sub": "U2bob", "drn": "DSR"})
    done = {
        **fake.waiting("End", **additions(SERVED_USER)),
        "status": "completed",
        "action": "none",
        "screen": None,
        "authInfo": {"refreshJwt": refresh, "user": SERVED_USER},
    }
    fake.on(START_PATH, fake.reply(fake.waiting("S1", **additions(None))))
    fake.on(NEXT_PATH, fake.reply(done))
    with RemoteRunner(fake.settings()) as runner:
        run = runner.start("sign-in")
        assert run.context["user"] == {"loggedIn": False}
        run.interact("verify", {"code": "123456"})
        user = run.context["user"]

    assert fake.count(ME_PATH) == 0
    assert (user["loggedIn"], user["userId"]) == (True, "U2bob")


def test_without_the_addition_the_client_still_asks_me(
    fake, make_jwt: Callable[[dict[str, Any]], str]
) -> None:
    """A real project's responses carry no ``flowspec.user``, so each response with a
    refresh JWT held is followed by one ``/v1/auth/me`` request when the context is read."""
    token = make_jwt({"sub": "U2bob", "drn": "DSR", "dct": "acme"})
    fake.on(START_PATH, fake.reply(fake.waiting("S1")))
    fake.on(NEXT_PATH, fake.reply(fake.waiting("S2")))
    fake.on(ME_PATH, fake.reply(SERVED_USER), fake.reply(SAVED_USER))
    with RemoteRunner(fake.settings()) as runner:
        run = runner.start("profile-update", refresh_jwt=token)
        before = run.context["user"]
        run.interact("save", {"name": "Robert Member"})
        after = run.context["user"]

    assert fake.count(ME_PATH) == 2
    assert (before["name"], after["name"]) == ("Bob Member", "Robert Member")


def test_serves_additions_without_a_user_leave_the_decision_to_me(
    fake, make_jwt: Callable[[dict[str, Any]], str]
) -> None:
    """Additions that omit ``flowspec.user`` while a refresh JWT is held do not settle
    who is signed in: the client asks ``/v1/auth/me``, which here refuses the token."""
    token = make_jwt({"sub": "U2bob", "drn": "DSR", "exp": 1})
    fake.on(START_PATH, fake.reply(fake.waiting("S1", **additions(None))))
    fake.on(ME_PATH, fake.reply({"errorCode": "E061004"}, 401))
    with RemoteRunner(fake.settings()) as runner:
        user = runner.start("profile-update", refresh_jwt=token).context["user"]

    assert fake.count(ME_PATH) == 1
    assert user == {"loggedIn": False}
