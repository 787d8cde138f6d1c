"""reports/run.json keeps the run model whole, and reading it fails clearly when it cannot."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowspec.errors import ReportError
from flowspec.redaction import REDACTED_JWT
from flowspec.reporting import run_file
from flowspec.reporting.model import (
    FeatureReport,
    FlowEdge,
    FlowGraph,
    FlowNode,
    FlowStep,
    RunReport,
    ScenarioReport,
    StepReport,
    Tag,
)

TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJVMmJvYiJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ"

REPORT = RunReport(
    features=(
        FeatureReport(
            name="Step-up",
            file="features/step_up.feature",
            line=1,
            description="Who must prove it again.",
            tags=(Tag("mfa", 1),),
            scenarios=(
                ScenarioReport(
                    name="a member steps up",
                    line=6,
                    status="failed",
                    duration=0.01,
                    tags=(Tag("wip", 5),),
                    steps=(
                        StepReport(
                            "When", 'I click "Verify"', 8, "failed", 0.004, "took ELSE", "s.py:3"
                        ),
                    ),
                    flow_id="step-up",
                    flow_path=(FlowStep("1", "Start", "next", "step-up"),),
                ),
            ),
        ),
    ),
    flows=(
        FlowGraph(
            "step-up",
            "Step-up",
            "1",
            nodes=(FlowNode("1", "Start", "start"), FlowNode("2", "Done", "end", "logged-in")),
            edges=(FlowEdge("1", "2", "next", "next"),),
        ),
    ),
)


def test_a_run_read_back_equals_the_run_written(tmp_path: Path) -> None:
    """Every field, flow paths and graphs included, survives the round trip."""
    target = tmp_path / "run.json"
    run_file.write(REPORT, target)
    assert run_file.read(target) == REPORT


def test_tokens_are_redacted_in_the_file(tmp_path: Path) -> None:
    """A token in a step's error never reaches run.json."""
    step = StepReport("Then", "x", 1, "failed", 0.0, f"bad jwt {TOKEN}")
    scenario = ScenarioReport("s", 1, "failed", 0.0, steps=(step,))
    text = run_file.dumps(RunReport((FeatureReport("f", "f.feature", 1, scenarios=(scenario,)),)))
    assert TOKEN not in text
    assert REDACTED_JWT in text


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("{not json", "is not JSON"),
        ('{"features": []}', "is not a flowspec run file"),
        ('{"format": "flowspec-run", "version": 99, "features": [], "flows": []}', "version 99"),
        ('{"format": "flowspec-run", "version": 1, "features": [{}], "flows": []}', "damaged"),
    ],
)
def test_a_file_that_is_not_a_run_says_so(tmp_path: Path, content: str, says: str) -> None:
    """Broken, foreign, future and damaged files are refused with what to do next."""
    target = tmp_path / "run.json"
    target.write_text(content, encoding="utf-8")
    with pytest.raises(ReportError, match=says) as raised:
        run_file.read(target)
    assert "flowspec run" in str(raised.value) or "format" in str(raised.value)


def test_a_missing_file_says_which_command_writes_it(tmp_path: Path) -> None:
    """No run yet: the error names the path and `flowspec run`."""
    with pytest.raises(ReportError, match=r"no run results at .*run\.json: run `flowspec run`"):
        run_file.read(tmp_path / "run.json")
