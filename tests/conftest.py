"""What many tests share: a copy of the project to edit, the flowspec and behave commands
run in their own process, as a user runs them, and Node.js packages pinned beside a test."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
Command = Callable[..., subprocess.CompletedProcess[str]]


def copy_project(target: Path) -> Path:
    """The project's features, steps, hooks, test world and behave settings in ``target``."""
    for folder in ("features", "steps", "scenarios"):
        shutil.copytree(ROOT / folder, target / folder)
    for name in ("pyproject.toml", "environment.py"):
        shutil.copy(ROOT / name, target / name)
    return target


def _command(*program: str) -> Command:
    def run(
        cwd: Path, *args: str, env: Mapping[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", *program, *args],
            cwd=cwd,
            env={**os.environ, **(env or {})},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    return run


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project in a temporary folder, for runs that may edit it."""
    return copy_project(tmp_path)


@pytest.fixture(scope="session")
def copy_of_project() -> Callable[[Path], Path]:
    """``copy_of_project(folder)``: the project copied into ``folder``, for session-long runs."""
    return copy_project


@pytest.fixture(scope="session")
def node_package() -> Callable[[Path, str], str]:
    """``node_package(folder, package)``: the ``node`` executable, with the npm packages
    pinned in ``folder``'s package.json and lockfile installed there (by ``npm ci``) when
    ``package`` is not yet. Skips, saying what to install, without Node.js and npm."""

    def installed(folder: Path, package: str) -> str:
        node, npm = shutil.which("node"), shutil.which("npm")
        if node is None or npm is None:
            pytest.skip("node and npm are not on PATH: install Node.js 18 or later with npm")
        if not (folder / "node_modules" / package / "package.json").is_file():
            done = subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund", "--prefix", str(folder)],
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
            assert done.returncode == 0, f"npm ci in {folder} failed:\n{done.stderr[-2000:]}"
        return node

    return installed


@pytest.fixture(scope="session")
def flowspec() -> Command:
    """``flowspec ARGS`` from a folder, in its own process: ``flowspec(cwd, "run")``."""
    return _command("flowspec.cli")


@pytest.fixture(scope="session")
def behave() -> Command:
    """A bare ``behave --no-color ARGS`` from a folder, in its own process."""
    return _command("behave", "--no-color")
