"""The JUnit writer: one file, a suite per feature, a case per scenario, failures by kind."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from flowspec.redaction import REDACTED_JWT, REDACTED_SECRET
from flowspec.reporting import junit
from flowspec.reporting.model import FeatureReport, RunReport, ScenarioReport, Status, StepReport

TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJVMmJvYiJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
KEY = "P2x-management-key-value"


def step(status: Status = "passed", **fields: Any) -> StepReport:
    values: dict[str, Any] = {
        "keyword": "Then",
        "name": "the flow completes",
        "line": 9,
        "status": status,
        "duration": 0.25,
    }
    values.update(fields)
    return StepReport(**values)


def scenario(name: str, status: Status, *steps: StepReport) -> ScenarioReport:
    return ScenarioReport(
        name=name, line=5, status=status, duration=sum(s.duration for s in steps), steps=steps
    )


def feature(*scenarios: ScenarioReport, name: str = "Step-up") -> FeatureReport:
    return FeatureReport(name=name, file="features/step_up.feature", line=1, scenarios=scenarios)


def parsed(report: RunReport, tmp_path: Path, secrets: tuple[str, ...] = ()) -> ElementTree.Element:
    target = tmp_path / "reports" / "junit.xml"
    junit.write(report, target, secrets)
    return ElementTree.parse(target).getroot()


def test_each_feature_is_a_suite_and_each_scenario_a_case(tmp_path: Path) -> None:
    """Suites and cases carry names, the feature file, the line and times in seconds."""
    report = RunReport(
        (
            feature(scenario("a member steps up", "passed", step())),
            feature(scenario("an admin impersonates", "passed", step()), name="Impersonation"),
        )
    )
    root = parsed(report, tmp_path)
    assert root.tag == "testsuites"
    assert root.get("tests") == "2"
    assert [s.get("name") for s in root.findall("testsuite")] == ["Step-up", "Impersonation"]
    [case] = root.findall("testsuite")[0].findall("testcase")
    assert case.get("name") == "a member steps up"
    assert case.get("classname") == "features.step_up"
    assert (case.get("file"), case.get("line"), case.get("time")) == (
        "features/step_up.feature",
        "5",
        "0.250",
    )
    assert case.find("failure") is None
    assert "Then the flow completes ... passed" in (case.findtext("system-out") or "")


def test_a_failed_expectation_is_a_failure_and_a_raised_error_an_error(tmp_path: Path) -> None:
    """Expectation failures and undefined steps count as failures; other errors as errors."""
    report = RunReport(
        (
            feature(
                scenario("wrong branch", "failed", step("failed", error_message="took ELSE\nmore")),
                scenario("bad world", "error", step("error", error_message="no flow 'stepup'")),
                scenario("typo", "undefined", step("undefined", name="the flow complete")),
                scenario("remote only", "skipped", step("skipped")),
            ),
        )
    )
    suite = parsed(report, tmp_path).find("testsuite")
    assert suite is not None
    counts = {key: suite.get(key) for key in ("tests", "failures", "errors", "skipped")}
    assert counts == {"tests": "4", "failures": "2", "errors": "1", "skipped": "1"}
    wrong, bad, typo, remote = suite.findall("testcase")
    failure = wrong.find("failure")
    assert failure is not None
    assert failure.get("message") == "took ELSE"
    assert failure.text == "took ELSE\nmore"
    error = bad.find("error")
    assert error is not None
    assert error.get("message") == "no flow 'stepup'"
    undefined = typo.find("failure")
    assert undefined is not None
    assert undefined.get("message") == "undefined step: Then the flow complete"
    assert remote.find("skipped") is not None
    assert remote.find("failure") is None


def test_no_token_or_secret_reaches_the_file(tmp_path: Path) -> None:
    """Tokens and secrets in names, messages and step text are redacted."""
    message = f"jwt {TOKEN} rejected by key {KEY}"
    report = RunReport(
        (
            feature(
                scenario(f"signs in with {TOKEN}", "failed", step("failed", error_message=message)),
            ),
        )
    )
    target = tmp_path / "junit.xml"
    junit.write(report, target, (KEY,))
    text = target.read_text(encoding="utf-8")
    assert TOKEN not in text
    assert KEY not in text
    assert REDACTED_JWT.replace("<", "&lt;").replace(">", "&gt;") in text
    assert REDACTED_SECRET in text
