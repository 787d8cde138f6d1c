"""A copy of the project in a temporary folder, for behave runs that may edit it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project's features, steps, hooks, test world and behave settings."""
    for folder in ("features", "steps", "scenarios"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    for name in ("pyproject.toml", "environment.py"):
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path
