"""behave runs on a copy of the project write every report into reports/, with no secret in
any of them, and `flowspec coverage` judges the run from reports/run.json."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from xml.etree import ElementTree

import pytest

from flowspec.bdd.reporting import attach_flow_path, flow_path_of
from flowspec.cli import main
from flowspec.reporting import run_file
from flowspec.reporting.model import FlowStep

# The `flowspec` and `behave` fixtures of tests/conftest.py.
Command = Callable[..., subprocess.CompletedProcess[str]]

KEY = "test-management-key-7c1e"
TOKEN = re.compile(r"eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}")
SUMMARY = re.compile(r"(\d+) (scenarios|steps) passed, (\d+) failed, (\d+) skipped")


def totals(console: str) -> dict[str, int]:
    """Scenarios and steps behave counted in its summary, whatever their status."""
    return {m[2]: int(m[1]) + int(m[3]) + int(m[4]) for m in SUMMARY.finditer(console)}


def test_a_run_writes_cucumber_json_with_every_scenario_and_no_secret(
    project: Path, behave: Command
) -> None:
    """Every feature and scenario behave ran is in cucumber.json, a failure keeps its message,
    and no file under reports/ holds a JWT-shaped token or the management key."""
    feature = project / "features" / "impersonation.feature"
    feature.write_text(
        feature.read_text().replace('equals "Tenant admin"', 'equals "Project impersonator"', 1)
    )
    result = behave(project, env={"FLOWSPEC_MANAGEMENT_KEY": KEY})
    assert result.returncode == 1, result.stdout + result.stderr

    features = json.loads((project / "reports" / "cucumber.json").read_text(encoding="utf-8"))
    assert sorted(f["uri"] for f in features) == sorted(
        f"features/{p.name}" for p in (project / "features").glob("*.feature")
    )
    elements = [e for f in features for e in f["elements"]]
    counted = totals(result.stdout)
    assert len(elements) == counted["scenarios"]
    assert sum(len(e["steps"]) for e in elements) == counted["steps"]

    failed = [s for e in elements for s in e["steps"] if s["result"]["status"] == "failed"]
    assert len(failed) == 1
    assert '"Project impersonator"' in failed[0]["result"]["error_message"]

    written = sorted(p.name for p in (project / "reports").iterdir())
    assert written == ["cucumber.json", "index.html", "junit.xml", "run.json"]
    for path in (project / "reports").rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            assert not TOKEN.search(text), f"a token in {path}"
            assert KEY not in text, f"the management key in {path}"


def test_junit_and_the_run_file_count_what_behave_counted(project: Path, behave: Command) -> None:
    """JUnit has a case per scenario with one failure; run.json has every flow and path."""
    feature = project / "features" / "step_up.feature"
    feature.write_text(
        feature.read_text().replace("Then the flow completes", "Then the flow fails", 1)
    )
    result = behave(project, env={"FLOWSPEC_MANAGEMENT_KEY": KEY})
    assert result.returncode == 1, result.stdout + result.stderr
    counted = totals(result.stdout)

    suites = ElementTree.parse(project / "reports" / "junit.xml").getroot()
    assert suites.get("tests") == str(counted["scenarios"])
    assert int(suites.get("failures") or 0) == 1
    [failing] = [c for c in suites.iter("testcase") if c.find("failure") is not None]
    assert failing.get("classname") == "features.step_up"

    report = run_file.read(project / "reports" / "run.json")
    assert sum(len(f.scenarios) for f in report.features) == counted["scenarios"]
    flows = sorted(p.stem for p in (project / "scenarios" / "flows").glob("*.yaml"))
    assert sorted(g.id for g in report.flows) == flows
    ran = [s for f in report.features for s in f.scenarios if s.flow_id == "step-up"]
    assert ran
    assert all(step.flow for s in ran for step in s.flow_path)


def test_coverage_prints_each_flow_and_fails_under_the_minimum(
    project: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    behave: Command,
) -> None:
    """After a run, `flowspec coverage` lists every flow; --min above a flow's figure fails."""
    assert behave(project, env={"FLOWSPEC_MANAGEMENT_KEY": KEY}).returncode == 0
    monkeypatch.chdir(project)
    assert main(["coverage"]) == 0
    table = capsys.readouterr().out
    for flow in (project / "scenarios" / "flows").glob("*.yaml"):
        assert flow.stem in table
    assert main(["coverage", "--min", "100"]) == 1
    assert "under the minimum of 100%" in capsys.readouterr().out


def test_coverage_without_a_run_says_to_run_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """No reports/run.json: exit 2 and the command that writes it."""
    monkeypatch.chdir(tmp_path)
    assert main(["coverage", "--min", "80"]) == 2
    assert "run `flowspec run` first" in capsys.readouterr().err


def test_the_last_runs_flow_path_is_kept_for_the_scenario_on_its_feature() -> None:
    """after_scenario keeps the flow id and flow.path of the scenario's run for it, as the
    model's steps, made from the run's view (its own state, not a copy) at once; on the
    feature, so the scenario's own attributes do not grow."""
    path = [{"id": "1", "name": "Start", "type": "start", "outcome": "next"}]
    run = SimpleNamespace(view=lambda: {"flow": {"id": "step-up", "path": path}})
    context = SimpleNamespace(flowspec=SimpleNamespace(run=run))
    feature = SimpleNamespace()
    scenario, other = SimpleNamespace(feature=feature), SimpleNamespace(feature=feature)
    attach_flow_path(context, scenario)
    kept = ("step-up", (FlowStep("1", "Start", "next", "step-up"),))
    assert flow_path_of(scenario) == kept
    assert flow_path_of(other) == (None, ())
    assert vars(scenario) == {"feature": feature}
    path[0]["outcome"] = "changed by the run afterwards"
    path.append({"id": "2", "name": "End", "type": "action", "outcome": "success"})
    assert flow_path_of(scenario) == kept
