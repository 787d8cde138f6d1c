"""The behave formatter that fills flowspec's run model and has every writer write it.

A formatter sees features, scenarios and steps but not behave's context, where the world
and the scenario's flow run live; so ``before_feature`` hands the world's flow graphs to
the feature (``attach_flow_graphs``) and ``after_scenario`` copies the flow path of the
last run onto the scenario (``attach_flow_path``); the formatter reads both once the
feature ends.

The reports go to one folder: the formatter's outfile (``reports`` in pyproject.toml), or
``-D reports=<folder>`` when a command runs behave more than once (``--compare``, the
workers of ``flowspec run``).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from behave.formatter.base import Formatter
from behave.model_type import Status as BehaveStatus

from flowspec.bdd.flow_graphs import world_flow_graphs
from flowspec.bdd.scenario import ATTRIBUTE, world_for
from flowspec.bdd.selection import ORDER
from flowspec.reporting.model import (
    FeatureReport,
    FlowGraph,
    FlowStep,
    FlowSteps,
    RunReport,
    ScenarioReport,
    Status,
    StepReport,
    Tag,
)
from flowspec.reporting.writers import WRITERS, write_reports

# On a feature: the flow id and flow path of each of its scenarios' last run, by the
# scenario's id, until the feature's report is made.
FLOW_PATHS = "flowspec_flow_paths"
FLOW_GRAPHS = "flowspec_flow_graphs"
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


def attach_flow_graphs(context: Any, feature: Any) -> None:
    """Hand the world's flows, as graphs, to the feature; made once per behave run."""
    graphs = getattr(context, FLOW_GRAPHS, None)
    if graphs is None:
        graphs = world_flow_graphs(world_for(context))
        setattr(context, FLOW_GRAPHS, graphs)
    setattr(feature, FLOW_GRAPHS, graphs)


def attach_flow_path(context: Any, scenario: Any) -> None:
    """Keep the flow id and ``flow.path`` of the scenario's last run on its feature, for
    the feature's report. Not on the scenario itself: one attribute more outgrows the
    room behave's scenario objects have for theirs, and each of thousands of scenarios
    would keep a larger dictionary of attributes (some 1.5 KB) to the end of the run."""
    state = getattr(context, ATTRIBUTE, None)
    run = state.run if state is not None else None
    if run is None:
        return
    flow = run.view().get("flow") or {}
    flow_id = flow.get("id")
    paths = scenario.feature.__dict__.setdefault(FLOW_PATHS, {})
    # Made into the model's steps at once: the view is the run's own state, not to keep.
    paths[id(scenario)] = (flow_id, tuple(_flow_step(e, flow_id) for e in flow.get("path") or []))


def flow_path_of(scenario: Any) -> tuple[str | None, tuple[FlowStep, ...]]:
    """The flow id and path ``attach_flow_path`` kept for ``scenario``: none if it ran no
    flow."""
    paths = getattr(scenario.feature, FLOW_PATHS, None) or {}
    found: tuple[str | None, tuple[FlowStep, ...]] = paths.get(id(scenario), (None, ()))
    return found


class Reports(Formatter):  # type: ignore[misc]  # behave ships no type hints
    """Collects the run model feature by feature; at the end, every writer writes it."""

    name = "flowspec.reports"
    description = "Cucumber JSON, JUnit XML, index.html and run.json, with secrets redacted"

    def __init__(self, stream_opener: Any, config: Any) -> None:
        super().__init__(stream_opener, config)
        self._feature: Any = None
        self._features: list[FeatureReport] = []
        self._flows: tuple[FlowGraph, ...] = ()
        # Scenarios reported so far: a dry run, which numbers none in hooks, numbers by it.
        self._walked = 0
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
            report = feature_report(self._feature, self._matches, self.config, self._walked)
            self._walked += len(report.scenarios)
            if report.scenarios:
                self._features.append(report)
            self._flows = getattr(self._feature, FLOW_GRAPHS, None) or self._flows
            # The model holds the paths now; behave keeps its features to the end of the
            # run, and paths left on each are memory a suite of thousands pays twice.
            self._feature.__dict__.pop(FLOW_PATHS, None)
            # Where each step was matched is in the model too.
            self._matches.clear()
        self._feature = None

    def close(self) -> None:
        if self._feature is not None:
            # Ctrl-C stopped the run inside this feature, which never reached its end:
            # keep the scenarios it finished, leave out those it never started.
            partial = feature_report(
                self._feature, self._matches, self.config, self._walked, started_only=True
            )
            if partial.scenarios:
                self._features.append(partial)
            self._feature = None
        report = RunReport(tuple(self._features), self._flows)
        secrets = [os.environ.get(MANAGEMENT_KEY_VARIABLE)]
        folder = self._folder()
        # A worker of flowspec run writes only run.json (-D report_files=run.json): the
        # parent merges the workers' and writes the rest once.
        wanted = str(self.config.userdata.get("report_files", ",".join(WRITERS))).split(",")
        write_reports(report, folder, secrets, wanted)
        super().close()

    def _folder(self) -> Path:
        chosen = self.config.userdata.get("reports") or self.stream_opener.name
        return Path(chosen or "reports")


def feature_report(
    feature: Any,
    matches: Mapping[int, str],
    config: Any,
    walked: int = 0,
    started_only: bool = False,
) -> FeatureReport:
    """The scenarios of ``feature`` this process ran, not those the tags left out (another
    shard's or worker's were taken out of the feature before it ran); with
    ``started_only``, not those an interrupted run never started either. A dry run calls
    no hook, so there the tags alone decide, and the scenarios are numbered from
    ``walked``, the count reported before this feature."""
    ran = [
        s
        for s in feature.walk_scenarios()
        if (hasattr(s, ORDER) or (config.dry_run and s.should_run(config)))
        and not (started_only and s.status == BehaveStatus.untested)
    ]
    return FeatureReport(
        name=feature.name,
        file=str(feature.location.filename),
        line=feature.location.line,
        description="\n".join(feature.description or []),
        tags=_tags(feature.tags),
        scenarios=tuple(_scenario(s, matches, walked + n) for n, s in enumerate(ran)),
    )


def _scenario(scenario: Any, matches: Mapping[int, str], position: int) -> ScenarioReport:
    flow_id, flow_path = flow_path_of(scenario)
    return ScenarioReport(
        name=scenario.name,
        line=scenario.location.line,
        status=scenario_status(scenario),
        duration=float(scenario.duration or 0.0),
        tags=_tags(_scenario_tags(scenario)),
        # A background's steps run before each scenario, so each scenario lists them.
        steps=tuple(_step(step, matches.get(id(step))) for step in scenario.all_steps),
        flow_id=flow_id,
        flow_path=flow_path,
        order=getattr(scenario, ORDER, position),
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


def _flow_step(entry: Mapping[str, Any], flow_id: str | None) -> FlowStep:
    # A path from a backend that does not say which flow a task is in is the run's flow.
    return _FLOW_STEPS.step(
        str(entry.get("id", "")),
        str(entry.get("name", "")),
        entry.get("outcome"),
        str(entry.get("flow") or flow_id or ""),
    )


# The steps of every path this process reports, each distinct visit made once.
_FLOW_STEPS = FlowSteps()


def _scenario_tags(scenario: Any) -> list[Any]:
    """The scenario's tags as written. behave rewrites the tags of an outline's row (a
    ``@from:scenarios/examples/x.csv`` loses its slashes), so a row takes its outline's
    tags and its Examples block's tags from the feature file instead."""
    row = getattr(scenario, "_row", None)
    outline = getattr(scenario, "parent", None)
    if row is None or outline is None or not hasattr(outline, "examples"):
        return list(scenario.tags)
    block = next(
        (e for e in outline.examples if e.table and any(r is row for r in e.table.rows)), None
    )
    return [*outline.tags, *(block.tags if block is not None else [])]


def _tags(tags: Iterable[Any]) -> tuple[Tag, ...]:
    return tuple(Tag(str(tag), int(getattr(tag, "line", 0) or 0)) for tag in tags)


def scenario_status(scenario: Any) -> Status:
    """The scenario's status; one that did not run (a dry run) but has an undefined step
    is undefined, so a dry run still fails on it."""
    status = status_of(scenario.status)
    if status == "skipped" and any(status_of(s.status) == "undefined" for s in scenario.all_steps):
        return "undefined"
    return status


def status_of(status: BehaveStatus) -> Status:
    """behave's status in the model's words; anything that did not run is skipped."""
    return _STATUSES.get(status.name, "skipped")
