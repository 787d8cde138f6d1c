"""behave runs on real feature files: the project's own, and edited copies that must fail."""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

# The `flowspec` and `behave` fixtures of tests/conftest.py.
Command = Callable[..., subprocess.CompletedProcess[str]]


def test_every_feature_of_the_project_passes_and_writes_junit(
    project: Path, behave: Command
) -> None:
    """A bare behave run passes every scenario and writes one JUnit suite per feature."""
    result = behave(project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " 0 failed" in result.stdout
    assert "0 error" in result.stdout or "errored" not in result.stdout
    suites = ET.parse(project / "reports" / "junit.xml").getroot().findall("testsuite")
    assert len(suites) == len(list((project / "features").glob("*.feature")))
    for suite in suites:
        assert suite.get("failures") == "0"
        assert suite.get("errors") == "0"
        assert int(suite.get("tests") or 0) > 0


def test_a_scenario_expecting_the_wrong_branch_fails_naming_both(
    project: Path, behave: Command
) -> None:
    """Editing a scenario to expect the other branch fails with expected and actual values."""
    feature = project / "features" / "impersonation.feature"
    text = feature.read_text()
    feature.write_text(text.replace('equals "Tenant admin"', 'equals "Project impersonator"', 1))
    result = behave(project, "features/impersonation.feature")
    assert result.returncode == 1
    assert '"Project impersonator"' in result.stdout
    assert '"Tenant admin"' in result.stdout
    assert "1 failed" in result.stdout


def test_a_scenario_expecting_the_wrong_screen_shows_where_the_run_is(
    project: Path, behave: Command
) -> None:
    """A wrong screen expectation says which screen the run waits on and its path."""
    feature = project / "features" / "impersonation.feature"
    text = feature.read_text()
    feature.write_text(
        text.replace('on the "Access denied" screen', 'on the "Choose user" screen', 1)
    )
    result = behave(project, "features/impersonation.feature")
    assert result.returncode == 1
    assert 'expected the flow to wait on screen "Choose user"' in result.stdout
    assert 'waiting on screen "Access denied"' in result.stdout
    assert "Role check [ELSE]" in result.stdout or "Role check [" in result.stdout


def test_a_flow_with_a_rule_to_a_missing_task_is_reported_not_traced(
    project: Path, behave: Command
) -> None:
    """A rule pointing at a missing task names the file, the task and the fix."""
    flow = project / "scenarios" / "flows" / "step-up.yaml"
    flow.write_text(flow.read_text().replace("then: Verify TOTP", "then: Verify TOPT"))
    result = behave(project, "features/step_up.feature")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "step-up.yaml" in output
    assert "Verify TOPT" in output
    assert "Verify TOTP" in output  # the did-you-mean
    assert "Traceback" not in output


def test_an_unknown_user_in_a_given_step_is_reported_with_suggestions(
    project: Path, behave: Command
) -> None:
    """A typo in a user's login id fails the step with the closest known users."""
    feature = project / "features" / "profile_update.feature"
    feature.write_text(feature.read_text().replace('"bob@acme.test"', '"bob@acme.tset"', 1))
    result = behave(project, "features/profile_update.feature")
    assert result.returncode == 1
    assert "unknown user 'bob@acme.tset'" in result.stdout
    assert "Did you mean 'bob@acme.test'" in result.stdout
    assert "Traceback" not in result.stdout


def test_no_raw_jwt_reaches_the_output_or_the_reports(project: Path, behave: Command) -> None:
    """A failing JWT scenario prints claims, never a raw token, in the log or any report."""
    feature = project / "features" / "signing_in_with_a_jwt.feature"
    feature.write_text(
        feature.read_text().replace(
            '"$.jwtClaims.sub" equals "U2ada"', '"$.jwtClaims" equals "U2ada"', 1
        )
    )
    result = behave(project, "features/signing_in_with_a_jwt.feature")
    assert result.returncode == 1
    texts = [result.stdout, result.stderr]
    texts += [p.read_text() for p in (project / "reports").iterdir() if p.is_file()]
    for text in texts:
        assert "eyJ" not in text
