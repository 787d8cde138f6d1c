"""JUnit XML in the one dialect CI servers share (Jenkins, GitLab, GitHub test reporters).

One ``<testsuites>`` file for the run, one ``<testsuite>`` per feature, one ``<testcase>``
per scenario. A scenario whose step failed an expectation has a ``<failure>``; one whose
step raised anything else (our ``error``) has an ``<error>``; an undefined step is a
``<failure>`` too, because CI must not pass it. The scenario's steps, with their status,
go to ``<system-out>`` so a CI page shows what ran. Every text is redacted on its way out.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from xml.etree import ElementTree

from flowspec.redaction import redact_text
from flowspec.reporting.files import write_atomically
from flowspec.reporting.model import FeatureReport, RunReport, ScenarioReport, StepReport

_FAILING = ("failed", "undefined")


def write(report: RunReport, path: Path, secrets: Iterable[str | None] = ()) -> None:
    """Write ``report`` as JUnit XML to ``path``, replacing any file there."""
    write_atomically(path, dumps(report, secrets))


def dumps(report: RunReport, secrets: Iterable[str | None] = ()) -> str:
    hidden = tuple(secrets)
    root = ElementTree.Element("testsuites", _counts(_all_scenarios(report)))
    root.set("name", "flowspec")
    for feature in report.features:
        root.append(_suite(feature, hidden))
    ElementTree.indent(root)
    body = ElementTree.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'


def _suite(feature: FeatureReport, secrets: tuple[str | None, ...]) -> ElementTree.Element:
    suite = ElementTree.Element("testsuite", _counts(feature.scenarios))
    suite.set("name", redact_text(feature.name, secrets))
    suite.set("file", feature.file)
    for scenario in feature.scenarios:
        suite.append(_case(feature, scenario, secrets))
    return suite


def _case(
    feature: FeatureReport, scenario: ScenarioReport, secrets: tuple[str | None, ...]
) -> ElementTree.Element:
    case = ElementTree.Element(
        "testcase",
        {
            "classname": _classname(feature.file),
            "name": redact_text(scenario.name, secrets),
            "file": feature.file,
            "line": str(scenario.line),
            "time": _seconds(scenario.duration),
        },
    )
    culprit = next((s for s in scenario.steps if s.status in (*_FAILING, "error")), None)
    if scenario.status == "skipped":
        ElementTree.SubElement(case, "skipped")
    elif culprit is not None:
        kind = "error" if culprit.status == "error" else "failure"
        problem = ElementTree.SubElement(
            case,
            kind,
            {
                "message": redact_text(_headline(culprit), secrets),
                "type": culprit.status,
            },
        )
        problem.text = redact_text(culprit.error_message or _headline(culprit), secrets)
    steps = ElementTree.SubElement(case, "system-out")
    steps.text = redact_text("\n".join(_step_line(step) for step in scenario.steps), secrets)
    return case


def _counts(scenarios: Iterable[ScenarioReport]) -> dict[str, str]:
    listed = list(scenarios)
    statuses = [s.status for s in listed]
    return {
        "tests": str(len(listed)),
        "failures": str(sum(status in _FAILING for status in statuses)),
        "errors": str(statuses.count("error")),
        "skipped": str(statuses.count("skipped")),
        "time": _seconds(sum(s.duration for s in listed)),
    }


def _all_scenarios(report: RunReport) -> list[ScenarioReport]:
    return [scenario for feature in report.features for scenario in feature.scenarios]


def _headline(step: StepReport) -> str:
    if step.status == "undefined":
        return f"undefined step: {step.keyword} {step.name}"
    first = (step.error_message or "").strip().splitlines()
    return first[0] if first else f"{step.keyword} {step.name} {step.status}"


def _step_line(step: StepReport) -> str:
    return f"{step.keyword} {step.name} ... {step.status} in {_seconds(step.duration)}s"


def _classname(feature_file: str) -> str:
    """``features/step_up.feature`` as ``features.step_up``, the dotted name CI groups by."""
    return feature_file.removesuffix(".feature").replace("/", ".").replace("\\", ".")


def _seconds(duration: float) -> str:
    return f"{duration:.3f}"
