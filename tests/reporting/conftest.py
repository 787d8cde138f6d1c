"""A real behave run, shared by the tests that read its reports with other programs."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def failing_run(
    tmp_path_factory: pytest.TempPathFactory,
    copy_of_project: Callable[[Path], Path],
    behave: Callable[..., subprocess.CompletedProcess[str]],
) -> Path:
    """The reports folder of a behave run on a copy of the project in which exactly one
    scenario fails, at its last check (an impersonation expects the wrong subject)."""
    project = copy_of_project(tmp_path_factory.mktemp("project"))
    feature = project / "features" / "impersonation.feature"
    text = feature.read_text(encoding="utf-8")
    expected = '"$.authInfo.sessionJwt.sub" equals "U2bob"'
    assert text.count(expected) == 1, "the edit that makes a scenario fail no longer applies"
    feature.write_text(text.replace(expected, '"$.authInfo.sessionJwt.sub" equals "U2gina"'))
    result = behave(project)
    assert result.returncode == 1, result.stdout + result.stderr
    assert (project / "reports" / "index.html").is_file()
    return project / "reports"
