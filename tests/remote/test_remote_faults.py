"""Faults on the wire (issue 9): every fault ends in success after bounded retries or in a
clear RemoteError within a bounded time, and no interaction is ever applied twice.

The first half points the client at a :class:`~faults.FaultServer` with canned answers;
the second puts the fault server as a proxy in front of a real ``flowspec serve`` and
proves, from the proxy's counts and the served execution's path, what reached the
server and how often. Elapsed-time bounds are correctness bounds with generous slack
(the configured timeouts of every attempt, the waits between them, and 2 s), not
benchmarks.
"""

from __future__ import annotations

import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import httpx
import pytest
from faults import (
    Fault,
    FaultServer,
    drop,
    hang,
    malformed_json,
    ok,
    reset_mid_body,
    status,
    trickle_body,
    trickle_headers,
    wrong_content_type,
)

from flowspec.engine.world import World
from flowspec.remote import (
    FlowClient,
    RemoteError,
    RemoteRunner,
    RemoteSettings,
    RetryPolicy,
    Secret,
    Timeouts,
)
from flowspec.remote.client import ME_PATH, NEXT_PATH, RESET_PATH, START_PATH
from flowspec.serve import BackgroundServer, create_app

PROJECT_ID = "P2faults"
TIMEOUTS = Timeouts(connect=0.5, read=0.5, write=0.5, pool=0.5)
POLICY = RetryPolicy(attempts=3, backoff=0.05, max_wait=1.0, budget=6.0)
# A token shaped like a JWT and a management key: neither may show in any error.
TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJVMSJ9.c2lnbmF0dXJlLW5vdC1zaG93bg"
MANAGEMENT_KEY = "faults-management-key-never-shown"
START = {"flowId": "three-steps", "options": {}, "input": {}}
NEXT = {"executionId": "E1", "stepId": "S1", "interactionId": "next", "input": {}}


def settings_for(url: str, **retries: Any) -> RemoteSettings:
    policy = replace(POLICY, **retries)
    return RemoteSettings(
        base_url=url,
        project_id=PROJECT_ID,
        management_key=Secret(MANAGEMENT_KEY),
        timeouts=TIMEOUTS,
        retries=policy,
    )


def bound(settings: RemoteSettings) -> float:
    """The longest a call may take: every attempt's timeouts and the waits between them,
    or the budget if that is shorter, plus 2 s of slack."""
    t, r = settings.timeouts, settings.retries
    span = (t.connect + t.read + t.write + t.pool) * r.attempts + r.max_wait * (r.attempts - 1)
    return min(span, r.budget) + 2.0


@pytest.fixture
def faulty() -> Iterator[FaultServer]:
    """A fault server with canned answers."""
    server = FaultServer().start()
    yield server
    server.stop()


# Canned faults, one call each.


@dataclass(frozen=True)
class Case:
    """A call, the faults its requests meet, and how it must end."""

    call: str
    faults: tuple[Fault, ...]
    # None: the call succeeds; else fragments of the RemoteError's message.
    error: tuple[str, ...] | None
    # Requests the server received for the call (the error's attempts too).
    sent: int
    retries: dict[str, Any] = field(default_factory=dict)
    at_least: float = 0.0


NOT_RETRIED = "Not retried: the server may already have applied this interaction"
BROKE = "the connection broke before the response was complete"
SLOW = "The server sends its answer too slowly"
CASES = {
    "start-timeout": Case(
        "start", (hang(),) * 3, ("no response within 0.5 s", "Gave up after 3 attempts"), 3
    ),
    "next-timeout": Case("next", (hang(),), ("no response within 0.5 s", NOT_RETRIED), 1),
    "me-timeout-then-answer": Case("me", (hang(), ok), None, 2),
    "start-reset-mid-body-then-answer": Case("start", (reset_mid_body(), ok), None, 2),
    "next-reset-mid-body": Case("next", (reset_mid_body(),), (BROKE, NOT_RETRIED), 1),
    "start-closed-unanswered-then-answer": Case("start", (drop(), ok), None, 2),
    "next-closed-unanswered": Case("next", (drop(),), (BROKE, NOT_RETRIED), 1),
    "start-500": Case("start", (status(500), ok), ("HTTP 500 Internal Server Error",), 1),
    "next-500": Case("next", (status(500), ok), ("HTTP 500 Internal Server Error",), 1),
    "start-502-then-answer": Case("start", (status(502), ok), None, 2),
    "next-502": Case("next", (status(502), ok), ("HTTP 502 Bad Gateway", NOT_RETRIED), 1),
    "next-503-twice-then-answer": Case("next", (status(503), status(503), ok), None, 3),
    "next-503-throughout": Case(
        "next", (status(503),) * 3, ("HTTP 503 Service Unavailable", "Gave up after 3"), 3
    ),
    "next-429-retry-after-1-s": Case(
        "next", (status(429, retry_after="1"), ok), None, 2, at_least=1.0
    ),
    "next-429-retry-after-an-hour-capped": Case(
        "next", (status(429, retry_after="3600"), ok), None, 2, at_least=1.0
    ),
    "me-429-throughout": Case(
        "me", (status(429, retry_after="0.1"),) * 3, ("HTTP 429 Too Many Requests",), 3
    ),
    "start-slow-body-in-time": Case("start", (trickle_body(0.1, 5),), None, 1),
    "start-slow-body-past-budget": Case(
        "start",
        (trickle_body(0.3, 100),),
        ("the response body was still arriving after 2 s", SLOW),
        1,
        retries={"budget": 2.0},
    ),
    "start-slow-headers-past-budget": Case(
        "start",
        (trickle_headers(0.2),),
        ("the response headers were still arriving after 2 s", "Gave up after 1 attempt", SLOW),
        1,
        retries={"budget": 2.0},
    ),
    "next-slow-headers-past-budget": Case(
        "next",
        (trickle_headers(0.2),),
        ("the response headers were still arriving after 2 s", NOT_RETRIED),
        1,
        retries={"budget": 2.0},
    ),
    "start-malformed-json": Case("start", (malformed_json,), ("malformed JSON",), 1),
    "next-wrong-content-type": Case(
        "next", (wrong_content_type,), ("answered with text/html, not JSON",), 1
    ),
}
PATHS = {"start": START_PATH, "next": NEXT_PATH, "me": ME_PATH}


def call(client: FlowClient, name: str) -> object:
    if name == "start":
        return client.start(START, refresh_jwt=TOKEN)
    if name == "next":
        return client.next(NEXT, refresh_jwt=TOKEN, nonce="n1")
    return client.me(TOKEN)


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_each_fault_ends_in_an_answer_or_a_clear_error_in_bounded_time(
    faulty: FaultServer, case: Case
) -> None:
    """The fault's requests are retried only where safe, the call ends within its bound,
    and an error names the method, the URL, the cause and the fix, never a secret."""
    path = PATHS[case.call]
    faulty.inject(path, *case.faults)
    settings = settings_for(faulty.url, **case.retries)
    client = FlowClient(settings)
    began = time.monotonic()
    try:
        if case.error is None:
            assert call(client, case.call)
        else:
            with pytest.raises(RemoteError) as caught:
                call(client, case.call)
    finally:
        took = time.monotonic() - began
        client.close()

    assert case.at_least <= took < bound(settings)
    assert faulty.received[path] == case.sent
    if case.error is not None:
        message = str(caught.value)
        assert message.startswith(f"{'GET' if case.call == 'me' else 'POST'} {faulty.url}{path}")
        for fragment in case.error:
            assert fragment in message
        assert caught.value.attempts == case.sent
        assert TOKEN not in message
        assert MANAGEMENT_KEY not in message


def test_a_retry_after_longer_than_the_budget_allows_gives_up_at_once(
    faulty: FaultServer,
) -> None:
    """A server asking for a wait that would pass the budget gets no second request: the
    error says why, long before the wait would have ended."""
    faulty.inject(NEXT_PATH, status(429, retry_after="3600"), ok)
    client = FlowClient(settings_for(faulty.url, max_wait=30.0, budget=3.0))
    began = time.monotonic()
    with pytest.raises(RemoteError) as caught:
        client.next(NEXT, nonce="n1")
    client.close()
    assert time.monotonic() - began < 1.0 + 2.0
    assert faulty.received[NEXT_PATH] == 1
    assert "would pass the 3 s budget (retries.budget)" in str(caught.value)


# A proxy in front of flowspec serve: what reached the server, and how often.

USER = "ada@faults.test"
THREE_STEPS = """
flow: three-steps
start: One
tasks:
  One:
    screen: one
    buttons:
      Next: Two
  Two:
    screen: two
    buttons:
      Next: Three
  Three:
    screen: three
    buttons:
      Finish: End
  End:
    action: logged-in
"""


@dataclass
class Proxied:
    """flowspec serve of a small world, the fault proxy in front of it, and a runner that
    goes through the proxy."""

    world: World
    served_url: str
    proxy: FaultServer
    runner: RemoteRunner

    def token(self) -> str:
        return self.world.refresh_token(self.world.user(USER))

    def served_state(self, execution_id: str) -> dict[str, Any]:
        """The execution as the server holds it, asked directly (a poll, which changes
        nothing): where it waits and the path it took."""
        body = {
            "executionId": execution_id,
            "stepId": "-",
            "interactionId": "polling",
            "input": {},
        }
        answer = httpx.post(
            self.served_url + NEXT_PATH,
            json=body,
            headers={"Authorization": f"Bearer {PROJECT_ID}"},
        )
        assert answer.status_code == 200, answer.text
        return dict(answer.json())


def screens_visited(response: dict[str, Any]) -> list[str]:
    return [step["id"] for step in response["flowspec"]["path"] if step["type"] == "screen"]


@pytest.fixture(scope="module")
def faults_world(tmp_path_factory: pytest.TempPathFactory) -> World:
    root = tmp_path_factory.mktemp("faults-world")
    (root / "flows").mkdir()
    (root / "project.yaml").write_text(f"projectId: {PROJECT_ID}\n")
    (root / "users.yaml").write_text(
        f"users:\n  - {{userId: U1ada, loginIds: [{USER}], email: {USER}}}\n"
    )
    (root / "flows" / "three-steps.yaml").write_text(textwrap.dedent(THREE_STEPS))
    return World.load(root)


@pytest.fixture
def proxied(faults_world: World) -> Iterator[Proxied]:
    app = create_app(faults_world, management_key=MANAGEMENT_KEY)
    with BackgroundServer(app) as served:
        proxy = FaultServer(upstream=served.url).start()
        runner = RemoteRunner(settings_for(proxy.url))
        try:
            yield Proxied(faults_world, served.url, proxy, runner)
        finally:
            runner.close()
            proxy.stop()


# A 500 is the server's answer, not a lost one: its error gives the server's own fix.
ANSWERED_500 = status(500)


@pytest.mark.parametrize(
    ("fault", "applied"),
    [
        (reset_mid_body(forward=True), ["One", "Two"]),
        (hang(forward=True), ["One", "Two"]),
        (status(502, forward=True), ["One", "Two"]),
        (drop(forward=True), ["One", "Two"]),
        (drop(), ["One"]),
        (ANSWERED_500, ["One"]),
    ],
    ids=[
        "reset-mid-body-after",
        "timeout-after",
        "502-after",
        "closed-after",
        "closed-before",
        "500-before",
    ],
)
def test_a_click_that_may_have_arrived_is_never_sent_twice(
    proxied: Proxied, fault: Fault, applied: list[str]
) -> None:
    """Whether the fault struck after the server applied the click or before it reached
    the server, a click that may have arrived is sent once and fails clearly in bounded
    time; the server's path shows it applied at most once."""
    run = proxied.runner.start("three-steps", refresh_jwt=proxied.token())
    execution_id = run.context["flow"]["executionId"]
    proxied.proxy.inject(NEXT_PATH, fault)

    began = time.monotonic()
    with pytest.raises(RemoteError) as caught:
        run.interact("next")
    assert time.monotonic() - began < bound(settings_for(proxied.proxy.url))
    assert caught.value.attempts == 1
    assert proxied.proxy.received[NEXT_PATH] == 1
    assert proxied.proxy.forwarded[NEXT_PATH] == len(applied) - 1
    assert screens_visited(proxied.served_state(execution_id)) == applied
    message = str(caught.value)
    assert message.startswith(f"POST {proxied.proxy.url}{NEXT_PATH} failed: ")
    assert proxied.token() not in message
    if fault is not ANSWERED_500:
        assert "start a new run" in message


def test_clicks_refused_before_the_server_acted_are_resent_and_applied_once(
    proxied: Proxied,
) -> None:
    """A 503 on the first click and a 429 with Retry-After on the second are sent again;
    the run completes as its user, each screen visited once."""
    run = proxied.runner.start("three-steps", refresh_jwt=proxied.token())
    proxied.proxy.inject(NEXT_PATH, status(503), at=1)
    proxied.proxy.inject(NEXT_PATH, status(429, retry_after="0.3"), at=3)

    began = time.monotonic()
    for button in ("next", "next", "finish"):
        run.interact(button)
    took = time.monotonic() - began

    assert took >= 0.3
    assert (proxied.proxy.received[NEXT_PATH], proxied.proxy.forwarded[NEXT_PATH]) == (5, 3)
    done = proxied.proxy.upstream_answers[-1][1].json()
    assert done["status"] == "completed"
    assert screens_visited(done) == ["One", "Two", "Three"]
    assert run.context["authInfo"]["sessionJwt"]["sub"] == "U1ada"


def test_a_start_lost_after_the_server_acted_is_resent_and_the_orphan_never_continued(
    proxied: Proxied,
) -> None:
    """The first start's answer is reset mid-body after the server created an execution;
    the client starts again and continues only the execution whose answer it received."""
    proxied.proxy.inject(START_PATH, reset_mid_body(forward=True))
    run = proxied.runner.start("three-steps", refresh_jwt=proxied.token())
    for button in ("next", "next", "finish"):
        run.interact(button)

    starts = [a.json() for path, a in proxied.proxy.upstream_answers if path == START_PATH]
    orphan, used = (answer["executionId"] for answer in starts)
    nexts = [r for r in proxied.proxy.forwarded_requests if r.path == NEXT_PATH]
    continued = {request.json()["executionId"] for request in nexts}
    assert proxied.proxy.forwarded[START_PATH] == 2
    assert orphan != used
    assert continued == {used}
    assert run.context["flow"]["status"] == "completed"
    assert screens_visited(proxied.served_state(orphan)) == ["One"]


def test_the_reset_between_scenarios_is_retried_and_a_missing_server_is_a_remote_error(
    proxied: Proxied,
) -> None:
    """The served world's reset is idempotent: a 503 and a lost answer are retried. With
    the server gone it ends in a RemoteError naming the URL, never the management key."""
    proxied.proxy.inject(RESET_PATH, status(503), drop(forward=True))
    assert proxied.runner.reset_served_world() is True
    assert (proxied.proxy.received[RESET_PATH], proxied.proxy.forwarded[RESET_PATH]) == (3, 2)

    proxied.proxy.stop()
    settings = settings_for(proxied.proxy.url)
    began = time.monotonic()
    with pytest.raises(RemoteError) as caught:
        proxied.runner.reset_served_world()
    assert time.monotonic() - began < bound(settings)
    assert f"POST {proxied.proxy.url}{RESET_PATH} failed" in str(caught.value)
    assert MANAGEMENT_KEY not in str(caught.value)
