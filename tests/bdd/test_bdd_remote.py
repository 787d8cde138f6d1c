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


def counted(app: Any, paths: list[str]) -> Any:
    """``app``, noting the path of every HTTP request it receives in ``paths``."""

    async def counting(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            paths.append(scope["path"])
        await app(scope, receive, send)

    return counting


def test_every_feature_passes_against_flowspec_serve(project: Path) -> None:
    """behave -D backend=remote passes every scenario that is not @local, and skips those
    with the reason shown. Scenarios stay independent (a reset before each) while only
    the first sends a reset request of its own, the others' riding on their first
    request, and test users sign in with one call each."""
    world = World.load(project / "scenarios")
    paths: list[str] = []
    app = counted(create_app(world, management_key=MANAGEMENT_KEY), paths)
    with BackgroundServer(app) as server:
        environment = {
            **os.environ,
            "FLOWSPEC_BASE_URL": server.url,
            "FLOWSPEC_PROJECT_ID": world.project_id,
            "FLOWSPEC_MANAGEMENT_KEY": MANAGEMENT_KEY,
        }
        result = subprocess.run(
            [sys.executable, "-m", "behave", "--no-color", "-D", "backend=remote"],
            cwd=project,
            env=environment,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
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
    assert "/v1/mgmt/flowspec/sign-in" in paths
