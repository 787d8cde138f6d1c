"""``reports/run.json``: the run model itself, so commands after the run can read it.

``flowspec coverage`` reads it to judge a finished run, and shard results can be joined
from it. Writers elsewhere render the model for people or other tools; this file keeps the
model whole (flow paths and graphs included), versioned, with every string redacted.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import is_dataclass
from pathlib import Path
from typing import Any

from flowspec.errors import ReportError
from flowspec.redaction import redacted_json_array
from flowspec.reporting import model
from flowspec.reporting.files import write_atomically
from flowspec.reporting.model import (
    FeatureReport,
    FlowEdge,
    FlowGraph,
    FlowNode,
    FlowSteps,
    RunReport,
    ScenarioReport,
    StepReport,
    Tag,
)

FORMAT = "flowspec-run"
VERSION = 1


def write(report: RunReport, path: Path, secrets: Iterable[str | None] = ()) -> None:
    write_atomically(path, _pieces(report, tuple(secrets)))


def dumps(report: RunReport, secrets: Iterable[str | None] = ()) -> str:
    return "".join(_pieces(report, tuple(secrets)))


def _pieces(report: RunReport, secrets: tuple[str | None, ...]) -> Iterator[str]:
    """The run file's text, a feature or a flow at a time."""
    yield f'{{"format": "{FORMAT}", "version": {VERSION}, "features": '
    yield from redacted_json_array(report.features, secrets, default=_fields)
    yield ', "flows": '
    yield from redacted_json_array(report.flows, secrets, default=_fields)
    yield "}\n"


def read(path: Path) -> RunReport:
    """The run model in ``path``; a clear error when there is none to read."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ReportError(
            f"no run results at {path}: run `flowspec run` first, which writes them"
        ) from None
    return loads(text, str(path))


def loads(text: str, where: str = "run.json") -> RunReport:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ReportError(
            f"{where} is not JSON ({error.msg} at line {error.lineno}); run `flowspec run` "
            "again to rewrite it"
        ) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ReportError(f'{where} is not a flowspec run file (no "format": "{FORMAT}")')
    if document.get("version") != VERSION:
        raise ReportError(
            f"{where} is version {document.get('version')!r} of the run file; this flowspec "
            f"reads version {VERSION}: run `flowspec run` again with this version"
        )
    steps = FlowSteps()
    try:
        return RunReport(
            features=tuple(_feature(f, steps) for f in document["features"]),
            flows=tuple(_flow(f) for f in document["flows"]),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise ReportError(
            f"{where} is damaged ({type(error).__name__}: {error}); run `flowspec run` again"
        ) from None


# The model's classes, looked up in a set: ``dataclasses.is_dataclass`` on every value
# takes twice as long.
_MODEL = frozenset(
    kind for kind in vars(model).values() if isinstance(kind, type) and is_dataclass(kind)
)


def _fields(value: Any) -> dict[str, Any]:
    """A model object as JSON writes it: its fields, in order (``vars`` keeps the order the
    dataclass set them in). JSON's encoder, in C, calls this for each object and writes
    the tuples itself: a third faster than first making the model plain data in Python."""
    if type(value) not in _MODEL:
        raise TypeError(f"{type(value).__name__} is not part of the run model")
    fields: dict[str, Any] = vars(value)
    return fields


def _feature(raw: Mapping[str, Any], steps: FlowSteps) -> FeatureReport:
    return FeatureReport(
        name=raw["name"],
        file=raw["file"],
        line=raw["line"],
        description=raw["description"],
        tags=_tags(raw["tags"]),
        scenarios=tuple(_scenario(s, steps) for s in raw["scenarios"]),
    )


def _scenario(raw: Mapping[str, Any], steps: FlowSteps) -> ScenarioReport:
    return ScenarioReport(
        name=raw["name"],
        line=raw["line"],
        status=raw["status"],
        duration=raw["duration"],
        tags=_tags(raw["tags"]),
        steps=tuple(StepReport(**step) for step in raw["steps"]),
        flow_id=raw["flow_id"],
        flow_path=tuple(steps.step(**step) for step in raw["flow_path"]),
        order=raw["order"],
    )


def _flow(raw: Mapping[str, Any]) -> FlowGraph:
    return FlowGraph(
        id=raw["id"],
        name=raw["name"],
        start=raw["start"],
        nodes=tuple(FlowNode(**node) for node in raw["nodes"]),
        edges=tuple(FlowEdge(**edge) for edge in raw["edges"]),
    )


def _tags(raw: Iterable[Mapping[str, Any]]) -> tuple[Tag, ...]:
    return tuple(Tag(**tag) for tag in raw)
