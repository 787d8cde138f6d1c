"""flowspec serve's sandboxes: a client naming one in X-Flowspec-Sandbox has a copy of the
world to itself, which its resets reset and no other client's do; the number kept is
bounded, the least recently used dropped first."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from flowspec.engine.world import World
from flowspec.serve.sandboxes import MAX_SANDBOXES, SANDBOX_HEADER

RESET = "/v1/mgmt/flowspec/reset"
SIGN_IN = "/v1/mgmt/flowspec/sign-in"
USER = "user04@small.test"


@pytest.fixture
def clients(
    serve_world: Callable[..., Any], small_world_folder: Path
) -> Iterator[Callable[[str | None], Any]]:
    """``clients(name)``: a client of one server of the small world, in sandbox ``name``
    (``None``: the server's own); all of them share the server."""
    first = serve_world(World.load(small_world_folder))
    made: list[Any] = []

    def client(name: str | None) -> Any:
        api = type(first)(first.served)
        if name is not None:
            api.http.headers[SANDBOX_HEADER] = name
        made.append(api)
        return api

    yield client
    for api in made:
        api.close()


def signed_in(api: Any) -> str:
    answer = api.manage(SIGN_IN, {"loginId": USER, "deliveryMethod": "email"})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["refreshJwt"])


def name_of_user(api: Any, token: str) -> str:
    me = api.http.get("/v1/auth/me", headers=api.auth(token))
    assert me.status_code == 200, me.text
    return str(me.json()["name"])


def test_what_a_run_changes_in_one_sandbox_no_other_client_sees(clients) -> None:
    """A name saved in sandbox a shows there; sandbox b and the server's own still have
    the user as loaded."""
    a, b, own = clients("a"), clients("b"), clients(None)
    token = signed_in(a)
    before = name_of_user(own, token)
    edit = a.start("profile", token=token)
    saved = a.next(edit, "save", {"name": "Renamed in a"})
    assert saved.json()["status"] == "completed", saved.text

    assert name_of_user(a, token) == "Renamed in a"
    assert name_of_user(b, token) == before
    assert name_of_user(own, token) == before


def test_a_reset_in_one_sandbox_leaves_the_others_runs_going(clients, management_key) -> None:
    """A reset, as a request or as a header, forgets sandbox a's executions only: b's and
    the server's own go on."""
    a, b, own = clients("a"), clients("b"), clients(None)
    waiting = {
        name: api.start("profile", token=signed_in(api))
        for name, api in (("a", a), ("b", b), ("own", own))
    }
    assert a.manage(RESET, {}).status_code == 200

    assert a.next(waiting["a"], "save", {"name": "x"}).json()["errorCode"] == "E103205"
    for name, api in (("b", b), ("own", own)):
        done = api.next(waiting[name], "save", {"name": "x"})
        assert done.json()["status"] == "completed", done.text

    again = b.start("profile", token=signed_in(b))
    headers = {**b.auth(), "X-Flowspec-Reset": management_key}
    reset_by_header = b.http.post("/v1/flow/start", json={"flowId": "profile"}, headers=headers)
    assert reset_by_header.headers["X-Flowspec-Reset"] == "done"
    assert b.next(again, "save", {"name": "y"}).json()["errorCode"] == "E103205"
    assert own.start("profile").status_code == 200


@pytest.mark.parametrize("name", ["", "x" * 65, "a b", "ä", "a/b"])
def test_a_sandbox_name_that_is_not_one_is_a_bad_request(clients, name: str) -> None:
    answer = clients(name).manage(RESET, {})
    assert answer.status_code == 400
    assert answer.json()["errorCode"] == "FS40000"
    assert SANDBOX_HEADER in answer.json()["errorMessage"]


def test_past_the_limit_the_least_recently_used_sandbox_is_dropped(clients) -> None:
    """One sandbox more than MAX_SANDBOXES drops the one used longest ago, and its runs;
    the first one made, used again since, is kept."""
    first, second = clients("first"), clients("second")
    waiting = {api: api.start("profile", token=signed_in(api)) for api in (first, second)}
    for number in range(MAX_SANDBOXES - 2):
        clients(f"filler-{number}").start("profile")
    first.start("profile")
    clients("one-too-many").start("profile")

    assert second.next(waiting[second], "save", {"name": "x"}).json()["errorCode"] == "E103205"
    done = first.next(waiting[first], "save", {"name": "x"})
    assert done.json()["status"] == "completed", done.text
