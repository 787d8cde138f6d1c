"""``flowspec.user``: the signed-in user in each flow response, as ``/v1/auth/me`` answers."""

from __future__ import annotations

from typing import Any

NO_PASSKEYS = {"deviceInfo": {"webAuthnSupport": False}}


def me(api: Any, token: str) -> dict[str, Any]:
    """What ``/v1/auth/me`` answers for ``token``."""
    answer = api.http.get("/v1/auth/me", headers=api.auth(token))
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_a_run_started_with_a_jwt_carries_the_user_me_answers(api) -> None:
    """A run started with Bob's refresh JWT sends, on its first response, exactly the user
    object ``/v1/auth/me`` answers for that JWT."""
    world = api.served.world
    token = world.refresh_token(world.user("bob@acme.test"))
    body = api.start("step-up", token=token).json()

    assert body["flowspec"]["user"] == me(api, token)
    assert body["flowspec"]["user"]["userId"] == "U2bob"


def test_an_anonymous_run_carries_no_user(api) -> None:
    """Nobody is signed in on an anonymous run's screen, so ``flowspec.user`` is absent
    while the other additions are sent."""
    body = api.start("sign-up-or-in", options=NO_PASSKEYS).json()

    assert body["status"] == "waiting"
    assert "path" in body["flowspec"]
    assert "user" not in body["flowspec"]


def test_a_rejected_jwt_carries_no_user(api) -> None:
    """An expired refresh JWT signs nobody in, as ``/v1/auth/me`` refuses it, so the
    response has no ``flowspec.user``."""
    world = api.served.world
    token = world.refresh_token(world.user("ada@acme.test"), expired=True)
    body = api.start("step-up", token=token).json()

    assert body["flowspec"]["session"]["status"] == "rejected"
    assert "user" not in body["flowspec"]
    refused = api.http.get("/v1/auth/me", headers=api.auth(token))
    assert refused.status_code == 401


def test_a_sign_in_carries_the_user_of_the_issued_jwt(api) -> None:
    """An anonymous run that signs Bob in ends with the user ``/v1/auth/me`` answers for
    the refresh JWT it issued, and the screens before it carry none."""
    welcome = api.start("sign-up-or-in", options=NO_PASSKEYS)
    sent = api.next(welcome, "email-me-a-code", {"email": "bob@acme.test"})
    done = api.next(sent, "verify", {"code": api.generated_code("bob@acme.test")}).json()

    assert "user" not in sent.json()["flowspec"]
    assert done["status"] == "completed"
    assert done["flowspec"]["user"] == me(api, done["authInfo"]["refreshJwt"])


def test_the_user_is_as_the_directory_holds_them_after_the_flow_changed_them(
    small_served, serve_world
) -> None:
    """After a profile flow saves a new name, ``flowspec.user`` shows the saved name, as
    ``/v1/auth/me`` would, not the one the run started with."""
    api = serve_world(small_served.world)
    world = api.served.world
    token = world.refresh_token(world.user("user05@small.test"))
    edit = api.start("profile", token=token)
    saved = api.next(edit, "save", {"name": "Renamed Five"}).json()

    assert edit.json()["flowspec"]["user"]["name"] != "Renamed Five"
    assert saved["status"] == "completed"
    assert saved["flowspec"]["user"]["name"] == "Renamed Five"
    assert saved["flowspec"]["user"] == me(api, token)
