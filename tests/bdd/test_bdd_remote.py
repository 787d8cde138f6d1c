"""The project's features run unchanged against flowspec serve, over real loopback sockets,
with the remote backend; scenarios that need the local world are skipped, saying why."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from flowspec.engine.world import World
from flowspec.serve import BackgroundServer, create_app

MANAGEMENT_KEY = "features-against-serve-key"


SIGNING_IN = " signing a test user in"


def counted(app: Any, paths: list[str]) -> Any:
    """``app``, noting the path of every HTTP request it receives in ``paths``, marked
    ``SIGNING_IN`` when it carries a test user's sign-in."""

    async def counting(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            names = {name for name, _ in scope["headers"]}
            paths.append(scope["path"] + (SIGNING_IN if b"x-flowspec-sign-in" in names else ""))
        await app(scope, receive, send)

    return counting


TWO_RUNS = """\
Feature: one sign-in, two runs
  Scenario: the JWT a start signed in with serves the next run too
    Given a JWT for "bob@acme.test"
    When I run the "profile-update" flow
    Then "$.user.userId" equals "U2bob"
    When I run the "profile-update" flow
    Then "$.jwtClaims.sub" equals "U2bob"
"""


def run_remote(project: Path, app: Any, *paths: str) -> subprocess.CompletedProcess[str]:
    """behave -D backend=remote on ``paths`` of ``project``, against ``app`` served."""
    with BackgroundServer(app) as server:
        environment = {
            **os.environ,
            "FLOWSPEC_BASE_URL": server.url,
            "FLOWSPEC_PROJECT_ID": World.load(project / "scenarios").project_id,
            "FLOWSPEC_MANAGEMENT_KEY": MANAGEMENT_KEY,
        }
        return subprocess.run(
            [sys.executable, "-m", "behave", "--no-color", "-D", "backend=remote", *paths],
            cwd=project,
            env=environment,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )


def test_every_feature_passes_against_flowspec_serve(project: Path) -> None:
    """behave -D backend=remote passes every scenario that is not @local, and skips those
    with the reason shown. Scenarios stay independent (a reset before each) while only
    the first sends a reset request of its own, the others' riding on their first
    request, and a test user's sign-in rides on the start that uses their JWT."""
    world = World.load(project / "scenarios")
    paths: list[str] = []
    result = run_remote(project, counted(create_app(world, management_key=MANAGEMENT_KEY), paths))
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    summary = re.search(r"(\d+) scenarios passed, (\d+) failed, (\d+) skipped", result.stdout)
    assert summary is not None, output
    passed, failed, skipped = map(int, summary.groups())
    assert failed == 0
    assert passed > skipped > 0
    assert "@local: it sets or reads the local world" in output
    assert MANAGEMENT_KEY not in output
    assert paths.count("/v1/mgmt/flowspec/reset") == 1
    assert "/v1/mgmt/tests/generate/otp" not in paths
    assert "/v1/mgmt/flowspec/sign-in" not in paths
    assert "/v1/flow/start" + SIGNING_IN in paths


def test_a_scenario_signs_its_test_user_in_once_for_all_its_runs(project: Path) -> None:
    """The Given step sends nothing; the first start signs Bob in, and the second starts
    with the JWT the first got, as both would with a token the Given step had fetched."""
    (project / "features" / "two_runs.feature").write_text(TWO_RUNS, encoding="utf-8")
    world = World.load(project / "scenarios")
    paths: list[str] = []
    app = counted(create_app(world, management_key=MANAGEMENT_KEY), paths)

    result = run_remote(project, app, "features/two_runs.feature")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 scenario passed" in result.stdout
    assert paths == [
        "/v1/mgmt/flowspec/reset",
        "/v1/flow/start" + SIGNING_IN,
        "/v1/flow/start",
    ]


def test_workers_sharing_one_flowspec_serve_never_reset_each_others_runs(
    project: Path, flowspec: Any
) -> None:
    """flowspec run --workers 2 against one serve: each worker resets its own sandbox
    between scenarios, so every scenario that is not @local passes, as with one worker,
    where a shared world reset by the other worker midway failed some."""
    world = World.load(project / "scenarios")
    with BackgroundServer(create_app(world, management_key=MANAGEMENT_KEY)) as server:
        environment = {
            "FLOWSPEC_BASE_URL": server.url,
            "FLOWSPEC_PROJECT_ID": world.project_id,
            "FLOWSPEC_MANAGEMENT_KEY": MANAGEMENT_KEY,
        }
        runs = [
            flowspec(project, "run", "--backend", "remote", "--workers", "2", env=environment)
            for _ in range(3)
        ]
    for run in runs:
        assert run.returncode == 0, run.stdout + run.stderr
        assert re.search(r"\d+ scenarios: \d+ passed, \d+ skipped in", run.stdout), run.stdout
