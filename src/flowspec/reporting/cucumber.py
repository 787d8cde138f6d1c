"""Cucumber JSON, the shape cucumber-js writes, for the tools that render it.

Statuses are Cucumber's: a step that raised something other than an assertion (our
``error``) is ``failed``, the only failing status those tools know. Durations are integer
nanoseconds. Every string passes through ``redact_text`` on its way out, so a token that
reached a step's name or error message never reaches the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from flowspec.redaction import redacted_json_array
from flowspec.reporting.files import write_atomically
from flowspec.reporting.model import (
    FeatureReport,
    RunReport,
    ScenarioReport,
    Status,
    StepReport,
    Tag,
)

_CUCUMBER_STATUS: dict[Status, str] = {
    "passed": "passed",
    "failed": "failed",
    "error": "failed",
    "skipped": "skipped",
    "undefined": "undefined",
}


def write(report: RunReport, path: Path, secrets: Iterable[str | None] = ()) -> None:
    """Write ``report`` as Cucumber JSON to ``path``, replacing any file there."""
    write_atomically(path, _pieces(report, secrets))


def dumps(report: RunReport, secrets: Iterable[str | None] = ()) -> str:
    """``report`` as Cucumber JSON text, with secrets and JWTs redacted."""
    return "".join(_pieces(report, secrets))


def _pieces(report: RunReport, secrets: Iterable[str | None]) -> Iterator[str]:
    # One line, as cucumber-js writes it (Python's fast JSON encoder does not indent),
    # a feature at a time.
    yield from redacted_json_array((_feature(f) for f in report.features), secrets)
    yield "\n"


def _feature(feature: FeatureReport) -> dict[str, Any]:
    feature_id = _slug(feature.name)
    return {
        "uri": feature.file,
        "id": feature_id,
        "keyword": "Feature",
        "name": feature.name,
        "description": feature.description,
        "line": feature.line,
        "tags": _tags(feature.tags),
        "elements": [_scenario(s, feature_id, feature.tags) for s in feature.scenarios],
    }


def _scenario(
    scenario: ScenarioReport, feature_id: str, inherited: tuple[Tag, ...]
) -> dict[str, Any]:
    return {
        # Outline rows share a name; the line keeps their ids apart.
        "id": f"{feature_id};{_slug(scenario.name)};{scenario.line}",
        "keyword": "Scenario",
        "type": "scenario",
        "name": scenario.name,
        "description": "",
        "line": scenario.line,
        # Cucumber lists a feature's tags on each of its scenarios, which inherit them.
        "tags": _tags(inherited + scenario.tags),
        "steps": [_step(step) for step in scenario.steps],
    }


def _step(step: StepReport) -> dict[str, Any]:
    result: dict[str, Any] = {
        "status": _CUCUMBER_STATUS[step.status],
        "duration": round(step.duration * 1_000_000_000),
    }
    if step.error_message:
        result["error_message"] = step.error_message
    return {
        "keyword": f"{step.keyword} ",
        "name": step.name,
        "line": step.line,
        "result": result,
        "match": {"location": step.match} if step.match else {},
    }


def _tags(tags: Iterable[Tag]) -> list[dict[str, Any]]:
    return [{"name": f"@{tag.name}", "line": tag.line} for tag in tags]


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
