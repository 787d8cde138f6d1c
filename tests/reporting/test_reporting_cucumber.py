"""The Cucumber JSON writer: cucumber-js's shape, from a hand-built run model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flowspec.redaction import REDACTED_JWT, REDACTED_SECRET
from flowspec.reporting import cucumber
from flowspec.reporting.model import (
    FeatureReport,
    RunReport,
    ScenarioReport,
    StepReport,
    Tag,
)

TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJVMmJvYiJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
KEY = "P2x-management-key-value"


def step(status: str = "passed", **fields: Any) -> StepReport:
    values: dict[str, Any] = {
        "keyword": "Given",
        "name": "an admin JWT",
        "line": 7,
        "status": status,
        "duration": 0.0015,
        "match": "steps/session_steps.py:20",
    }
    values.update(fields)
    return StepReport(**values)


def run(*steps: StepReport, name: str = "an admin impersonates") -> RunReport:
    scenario = ScenarioReport(
        name=name,
        line=6,
        status="passed",
        duration=0.002,
        tags=(Tag("wip", 5),),
        steps=steps,
    )
    feature = FeatureReport(
        name="Impersonation",
        file="features/impersonation.feature",
        line=2,
        description="Who may act as whom.",
        tags=(Tag("local", 1),),
        scenarios=(scenario,),
    )
    return RunReport((feature,))


def written(
    report: RunReport, tmp_path: Path, secrets: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    target = tmp_path / "reports" / "cucumber.json"
    cucumber.write(report, target, secrets)
    return json.loads(target.read_text(encoding="utf-8"))


def test_a_run_is_written_as_features_with_elements_and_steps(tmp_path: Path) -> None:
    """A feature becomes a Cucumber feature with its scenarios as elements of type scenario."""
    [feature] = written(run(step()), tmp_path)
    assert feature["uri"] == "features/impersonation.feature"
    assert feature["id"] == "impersonation"
    assert (feature["keyword"], feature["name"], feature["line"]) == ("Feature", "Impersonation", 2)
    assert feature["description"] == "Who may act as whom."
    [element] = feature["elements"]
    assert (element["keyword"], element["type"], element["line"]) == ("Scenario", "scenario", 6)
    assert element["name"] == "an admin impersonates"
    [written_step] = element["steps"]
    assert written_step["keyword"] == "Given "
    assert (written_step["name"], written_step["line"]) == ("an admin JWT", 7)
    assert written_step["match"] == {"location": "steps/session_steps.py:20"}


def test_durations_are_integer_nanoseconds(tmp_path: Path) -> None:
    """A step's duration in seconds is written as a whole number of nanoseconds."""
    [feature] = written(run(step(duration=0.0015)), tmp_path)
    duration = feature["elements"][0]["steps"][0]["result"]["duration"]
    assert duration == 1_500_000
    assert isinstance(duration, int)


def test_tags_carry_their_lines_and_scenarios_inherit_the_features(tmp_path: Path) -> None:
    """Tags are {name, line} with an @, and a scenario lists its feature's tags before its own."""
    [feature] = written(run(step()), tmp_path)
    assert feature["tags"] == [{"name": "@local", "line": 1}]
    assert feature["elements"][0]["tags"] == [
        {"name": "@local", "line": 1},
        {"name": "@wip", "line": 5},
    ]


def test_statuses_are_cucumbers_and_errors_keep_their_message(tmp_path: Path) -> None:
    """Each model status maps to Cucumber's, an error counts as failed, and messages are kept."""
    steps = [
        step("passed"),
        step("failed", error_message="expected 1, got 2"),
        step("error", error_message="FlowMisbehaved: boom"),
        step("skipped"),
        step("undefined", match=None),
    ]
    [feature] = written(run(*steps), tmp_path)
    results = [s["result"] for s in feature["elements"][0]["steps"]]
    assert [r["status"] for r in results] == ["passed", "failed", "failed", "skipped", "undefined"]
    assert results[1]["error_message"] == "expected 1, got 2"
    assert results[2]["error_message"] == "FlowMisbehaved: boom"
    assert "error_message" not in results[0]
    assert feature["elements"][0]["steps"][4]["match"] == {}


def test_tokens_and_secrets_never_reach_the_file(tmp_path: Path) -> None:
    """A JWT or a given secret in any name or message is written redacted."""
    report = run(
        step("failed", name=f"the token {TOKEN}", error_message=f"key {KEY} refused {TOKEN}"),
        name=f"scenario with {KEY}",
    )
    [feature] = written(report, tmp_path, secrets=(KEY,))
    text = (tmp_path / "reports" / "cucumber.json").read_text(encoding="utf-8")
    assert TOKEN not in text
    assert KEY not in text
    element = feature["elements"][0]
    assert element["name"] == f"scenario with {REDACTED_SECRET}"
    assert element["steps"][0]["name"] == f"the token {REDACTED_JWT}"
    assert element["steps"][0]["result"]["error_message"] == (
        f"key {REDACTED_SECRET} refused {REDACTED_JWT}"
    )


def test_writing_replaces_the_file_and_leaves_no_temporary_behind(tmp_path: Path) -> None:
    """A second write replaces the first whole, and only the report is left in its folder."""
    target = tmp_path / "reports" / "cucumber.json"
    cucumber.write(run(step(), name="first"), target)
    cucumber.write(run(step(), name="second"), target)
    assert json.loads(target.read_text())[0]["elements"][0]["name"] == "second"
    assert [p.name for p in target.parent.iterdir()] == ["cucumber.json"]
