"""A two-phase action written in the shorthand with a "sent" screen between its phases."""

from __future__ import annotations

import pytest

from flowspec.engine.doubles import Message
from flowspec.engine.execution import Execution
from flowspec.engine.runner import LocalRunner
from flowspec.engine.world import World

MAGIC_LINK = """
    flow: magic-link
    start: Email
    tasks:
      Email:
        screen: email
        inputs: [email]
        buttons:
          Continue: send
      send:
        name: Send link
        action: sign-in-magic-link-email
        next: {success: [Check your inbox, send.end]}
      Check your inbox:
        screen: check-inbox
        buttons:
          Send again: {to: send, validates: false}
      send.end:
        name: Send link
        action: verify-magic-link
        next: End
      End:
        action: logged-in
"""


@pytest.fixture(scope="module")
def world(world_factory) -> World:
    return world_factory({"magic-link": MAGIC_LINK})


@pytest.fixture
def runner(world: World) -> LocalRunner:
    return LocalRunner(world)


def send_link(runner: LocalRunner) -> Execution:
    run = runner.start("magic-link")
    run.interact("continue", {"email": "admin@t1.test"})
    return run


def newest_link(runner: LocalRunner) -> Message:
    assert runner.doubles.outbox, "no link was sent"
    return runner.doubles.outbox[-1]


def assert_waiting_on_the_sent_screen(run: Execution) -> None:
    flow = run.context["flow"]
    assert (flow["status"], flow["action"]) == ("waiting", "screen")
    assert run.context["screen"]["name"] == "Check your inbox"


def test_the_run_waits_on_the_sent_screen_until_the_link_is_clicked(
    runner: LocalRunner,
) -> None:
    """The send shows the sent screen; submitting the link's token resumes at its `.end` task."""
    run = send_link(runner)
    assert_waiting_on_the_sent_screen(run)
    assert run.context["screen"]["state"]["sentTo"] == {"maskedEmail": "a***@t1.test"}
    run.interact("submit", {"token": newest_link(runner).secret})
    doc = run.context
    assert doc["flow"]["status"] == "completed"
    assert doc["authInfo"]["sessionJwt"]["sub"] == "U-admin"
    assert doc["authInfo"]["sessionJwt"]["amr"] == ["email"]
    visited = [entry["id"] for entry in doc["flow"]["path"]]
    assert visited == ["Email", "send", "Check your inbox", "send.end", "End"]


def test_an_expired_link_shows_on_the_sent_screen_and_a_newer_one_resumes(
    runner: LocalRunner,
) -> None:
    """An expired link's error shows on the sent screen, which still resumes with a newer link."""
    run = send_link(runner)
    expired = newest_link(runner)
    expired.expire()
    # Twice: the failed `.end` task keeps the run's resume point on the sent screen.
    for _ in range(2):
        run.interact("submit", {"token": expired.secret})
        assert_waiting_on_the_sent_screen(run)
        assert run.context["screen"]["state"]["errorType"] == "MagicLinkExpired"
        assert run.context["user"]["loggedIn"] is False
    run.interact("send-again")
    assert_waiting_on_the_sent_screen(run)
    newer = newest_link(runner)
    assert newer is not expired
    run.interact("submit", {"token": newer.secret})
    doc = run.context
    assert doc["flow"]["status"] == "completed"
    assert doc["authInfo"]["sessionJwt"]["sub"] == "U-admin"
