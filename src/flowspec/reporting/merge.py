"""Joining the reports of workers and shards that each ran part of one suite.

Each scenario carries its place in the whole suite's walk (``ScenarioReport.order``), so
the merged report lists features and scenarios exactly as one process running the whole
suite would have; a feature split across parts becomes one feature again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from flowspec.reporting.model import FeatureReport, FlowGraph, RunReport, ScenarioReport


def merge(reports: Iterable[RunReport]) -> RunReport:
    """One report of every scenario in ``reports``, in suite order, features rejoined."""
    listed = list(reports)
    placed: list[tuple[int, int, FeatureReport, ScenarioReport]] = []
    for part, report in enumerate(listed):
        for feature in report.features:
            placed += [(s.order, part, feature, s) for s in feature.scenarios]
    placed.sort(key=lambda entry: (entry[0], entry[1]))
    features: list[FeatureReport] = []
    scenarios: list[ScenarioReport] = []
    for _, _, feature, scenario in placed:
        if not features or features[-1].file != feature.file:
            _close(features, scenarios)
            features.append(feature)
            scenarios = []
        scenarios.append(scenario)
    _close(features, scenarios)
    return RunReport(tuple(features), _flows(listed))


def _close(features: list[FeatureReport], scenarios: list[ScenarioReport]) -> None:
    if features:
        features[-1] = replace(features[-1], scenarios=tuple(scenarios))


def _flows(reports: list[RunReport]) -> tuple[FlowGraph, ...]:
    """Every flow any part drew, once, by id; parts of one suite draw the same flows."""
    seen: dict[str, FlowGraph] = {}
    for report in reports:
        for flow in report.flows:
            seen.setdefault(flow.id, flow)
    return tuple(seen[flow_id] for flow_id in sorted(seen))
