"""behave runs on a copy of the project write reports/cucumber.json, with no secret in reports/."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

from flowspec.bdd.reporting import FLOW_ID, FLOW_PATH, attach_flow_path

KEY = "test-management-key-7c1e"
TOKEN = re.compile(r"eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}")
SUMMARY = re.compile(r"(\d+) (scenarios|steps) passed, (\d+) failed, (\d+) skipped")


def behave(cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run a bare behave from ``cwd`` with a management key in the environment."""
    return subprocess.run(
        [sys.executable, "-m", "behave", "--no-color"],
        cwd=cwd,
        env={**os.environ, "FLOWSPEC_MANAGEMENT_KEY": KEY},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def totals(console: str) -> dict[str, int]:
    """Scenarios and steps behave counted in its summary, whatever their status."""
    return {m[2]: int(m[1]) + int(m[3]) + int(m[4]) for m in SUMMARY.finditer(console)}


def test_a_run_writes_cucumber_json_with_every_scenario_and_no_secret(project: Path) -> None:
    """Every feature and scenario behave ran is in cucumber.json, a failure keeps its message,
    and no file under reports/ holds a JWT-shaped token or the management key."""
    feature = project / "features" / "impersonation.feature"
    feature.write_text(
        feature.read_text().replace('equals "Tenant admin"', 'equals "Project impersonator"', 1)
    )
    result = behave(project)
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

    for path in (project / "reports").rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            assert not TOKEN.search(text), f"a token in {path}"
            assert KEY not in text, f"the management key in {path}"


def test_the_last_runs_flow_path_is_attached_to_the_scenario() -> None:
    """after_scenario copies the flow id and flow.path of the scenario's run onto it."""
    path = [{"id": "1", "name": "Start", "type": "start", "outcome": "next"}]
    run = SimpleNamespace(context={"flow": {"id": "step-up", "path": path}})
    context = SimpleNamespace(flowspec=SimpleNamespace(run=run))
    scenario = SimpleNamespace()
    attach_flow_path(context, scenario)
    assert getattr(scenario, FLOW_ID) == "step-up"
    assert getattr(scenario, FLOW_PATH) == path
