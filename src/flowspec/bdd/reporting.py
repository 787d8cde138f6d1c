"""The behave formatter that fills flowspec's run model and writes Cucumber JSON from it.

A formatter sees features, scenarios and steps but not behave's context, where the
scenario's flow run lives; so ``after_scenario`` copies the flow path of the last run onto
the scenario (``attach_flow_path``), and the formatter reads it there once the feature ends.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from behave.formatter.base import Formatter
from behave.model_type import Status as BehaveStatus

from flowspec.bdd.scenario import ATTRIBUTE
from flowspec.reporting import cucumber
from flowspec.reporting.model import (
    FeatureReport,
    FlowStep,
    RunReport,
    ScenarioReport,
    Status,
    StepReport,
    Tag,
)

FLOW_PATH = "flowspec_path"
FLOW_ID = "flowspec_flow_id"
# A key the run may hold, so it is replaced by value wherever it shows up in a report.
MANAGEMENT_KEY_VARIABLE = "FLOWSPEC_MANAGEMENT_KEY"

_STATUSES: dict[str, Status] = {
    "passed": "passed",
    "xpassed": "passed",
    "failed": "failed",
    "xfailed": "failed",
    "error": "error",
    "hook_error": "error",
    "cleanup_error": "error",
    "undefined": "undefined",
    "untested_undefined": "undefined",
    "pending": "undefined",
    "pending_warn": "undefined",
    "untested_pending": "undefined",
}


def attach_flow_path(context: Any, scenario: Any) -> None:
    """Copy the flow id and ``flow.path`` of the scenario's last run onto the scenario."""
    state = getattr(context, ATTRIBUTE, None)
    run = state.run if state is not None else None
    if run is None:
        return
    flow = run.context.get("flow") or {}
    setattr(scenario, FLOW_ID, flow.get("id"))
    setattr(scenario, FLOW_PATH, list(flow.get("path") or []))


class CucumberReport(Formatter):  # type: ignore[misc]  # behave ships no type hints
    """Collects the run model feature by feature and writes Cucumber JSON at the end."""

    name = "flowspec.cucumber"
    description = "Cucumber JSON of the run, with tokens and keys redacted"

    def __init__(self, stream_opener: Any, config: Any) -> None:
        super().__init__(stream_opener, config)
        self._feature: Any = None
        self._features: list[FeatureReport] = []
        self._match: str | None = None
        # Step objects outlive the run, so their ids key where each step was matched.
        self._matches: dict[int, str] = {}

    def feature(self, feature: Any) -> None:
        self._feature = feature

    def match(self, match: Any) -> None:
        location = getattr(match, "location", None)
        self._match = str(location) if location else None

    def result(self, step: Any) -> None:
        if self._match is not None:
            self._matches[id(step)] = self._match
        self._match = None

    def eof(self) -> None:
        if self._feature is not None:
            self._features.append(feature_report(self._feature, self._matches))
        self._feature = None

    def close(self) -> None:
        report = RunReport(tuple(self._features))
        secrets = [os.environ.get(MANAGEMENT_KEY_VARIABLE)]
        if self.stdout_mode:
            self.open().write(cucumber.dumps(report, secrets))
        else:
            cucumber.write(report, Path(self.stream_opener.name), secrets)
        super().close()


def feature_report(feature: Any, matches: Mapping[int, str]) -> FeatureReport:
    return FeatureReport(
        name=feature.name,
        file=str(feature.location.filename),
        line=feature.location.line,
        description="\n".join(feature.description or []),
        tags=_tags(feature.tags),
        scenarios=tuple(_scenario(s, matches) for s in feature.walk_scenarios()),
    )


def _scenario(scenario: Any, matches: Mapping[int, str]) -> ScenarioReport:
    return ScenarioReport(
        name=scenario.name,
        line=scenario.location.line,
        status=status_of(scenario.status),
        duration=float(scenario.duration or 0.0),
        tags=_tags(scenario.tags),
        # A background's steps run before each scenario, so each scenario lists them.
        steps=tuple(_step(step, matches.get(id(step))) for step in scenario.all_steps),
        flow_id=getattr(scenario, FLOW_ID, None),
        flow_path=tuple(_flow_step(entry) for entry in getattr(scenario, FLOW_PATH, [])),
    )


def _step(step: Any, match: str | None) -> StepReport:
    return StepReport(
        keyword=step.keyword,
        name=step.name,
        line=step.location.line,
        status=status_of(step.status),
        duration=float(step.duration or 0.0),
        error_message=step.error_message or None,
        match=match,
    )


def _flow_step(entry: Mapping[str, Any]) -> FlowStep:
    return FlowStep(
        id=str(entry.get("id", "")), name=str(entry.get("name", "")), outcome=entry.get("outcome")
    )


def _tags(tags: Iterable[Any]) -> tuple[Tag, ...]:
    return tuple(Tag(str(tag), int(getattr(tag, "line", 0) or 0)) for tag in tags)


def status_of(status: BehaveStatus) -> Status:
    """behave's status in the model's words; anything that did not run is skipped."""
    return _STATUSES.get(status.name, "skipped")
