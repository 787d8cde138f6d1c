"""flowspec run --compare runs every scenario on two backends and reports where they differ."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from flowspec.engine.world import World
from flowspec.serve import BackgroundServer, create_app

KEY = "compare-test-key"


def compare(project: Path, served: Path) -> subprocess.CompletedProcess[str]:
    """Serve the world at ``served`` and compare the local backend against it."""
    world = World.load(served)
    with BackgroundServer(create_app(world, management_key=KEY)) as server:
        environment = {
            **os.environ,
            "FLOWSPEC_BASE_URL": server.url,
            "FLOWSPEC_PROJECT_ID": world.project_id,
            "FLOWSPEC_MANAGEMENT_KEY": KEY,
        }
        return subprocess.run(
            [sys.executable, "-m", "flowspec.cli", "run", "--compare", "local,remote"],
            cwd=project,
            env=environment,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )


def test_the_local_engine_and_flowspec_serve_agree(project: Path) -> None:
    """Against flowspec serve of the same world, no scenario's outcome differs."""
    result = compare(project, project / "scenarios")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 differences between local and remote" in result.stdout
    assert KEY not in result.stdout + result.stderr


def test_a_served_world_that_differs_is_reported_scenario_by_scenario(
    project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """When the served world gives Bob an authenticator app, the step-up scenario that
    expects him to enroll one first is reported with the screens each backend showed."""
    served = tmp_path_factory.mktemp("served") / "scenarios"
    shutil.copytree(project / "scenarios", served)
    users = served / "users.yaml"
    text = users.read_text()
    bob = "  - userId: U2bob\n"
    users.write_text(text.replace(bob, bob + "    totpSecret: JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP\n"))
    result = compare(project, served)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "step_up.feature" in result.stdout
    assert "the screens shown differ" in result.stdout
    assert '"Set up MFA first"' in result.stdout
