"""Executions: they expire when idle, concurrent ones never mix, and the store is bounded."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from flowspec.engine.runner import LocalRunner
from flowspec.engine.users import Directory
from flowspec.serve.executions import Executions

TTL = 60.0
THREADS = 20


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_an_execution_idle_past_its_ttl_expires_while_a_used_one_lives(
    small_served, serve_world
) -> None:
    """Two executions start together; the one polled halfway through the TTL still moves
    on after it, while the one left idle answers E103205: expiry counts from the last
    request."""
    clock = FakeClock()
    api = serve_world(small_served.world, execution_ttl=TTL, clock=clock)
    world = small_served.world
    idle = api.start("profile", token=world.refresh_token(world.user("user01@small.test")))
    used = api.start("profile", token=world.refresh_token(world.user("user02@small.test")))
    clock.now += TTL / 2
    used = api.next(used, "polling")
    clock.now += TTL / 2 + 1

    expired = api.next(idle, "save", {"name": "Late"})
    alive = api.next(used, "save", {"name": "In time"})

    assert expired.status_code == 400
    assert expired.json()["errorCode"] == "E103205"
    assert "60 s" in expired.json()["errorMessage"]
    assert alive.status_code == 200
    assert alive.json()["status"] == "completed"


def test_twenty_concurrent_executions_each_complete_as_their_own_user(
    small_served, new_client
) -> None:
    """Twenty threads start a run each as another user, wait for one another, then
    finish together; every run completes with its own user's name and claims."""
    world = small_served.world
    barrier = threading.Barrier(THREADS, timeout=10)

    def run(index: int) -> dict[str, Any]:
        api = new_client(small_served)
        user = world.user(f"user{index:02d}@small.test")
        waiting = api.start("profile", token=world.refresh_token(user))
        barrier.wait()
        return dict(api.next(waiting, "save", {"name": f"Name {index}"}).json())

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        finished = list(pool.map(run, range(THREADS)))

    directory = Directory(world.users, world.roles, world.tenants)
    for index, body in enumerate(finished):
        user_id = f"U{index:02d}"
        assert body["status"] == "completed", body
        auth = body["authInfo"]
        assert (auth["user"]["userId"], auth["user"]["name"]) == (user_id, f"Name {index}")
        claims = world.issuer.verify(auth["sessionJwt"], kind="session").claims
        assert claims["sub"] == user_id
        expected = directory.claims(directory.get(user_id))
        assert {key: claims[key] for key in expected} == expected
    assert len({body["executionId"] for body in finished}) == THREADS


def test_the_store_drops_the_least_recently_used_execution_beyond_its_capacity(
    small_served,
) -> None:
    """A store full to capacity makes room for a new execution by dropping the one used
    longest ago, not the one started first."""
    runner = LocalRunner(small_served.world)
    store = Executions(capacity=2, clock=FakeClock())
    first, second, third = (runner.start("profile") for _ in range(3))
    held_first = store.add(first)
    store.add(second)
    store.renew(held_first)
    store.add(third)

    ids = (first, second, third)
    assert [store.find(e.state.execution_id) is not None for e in ids] == [True, False, True]
