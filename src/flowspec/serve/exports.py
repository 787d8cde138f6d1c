"""The management API's flow exports, in Descope's two answer shapes.

``POST /v2/mgmt/flow/export`` answers ``{flow: <single-file export>}`` (``{flowId,
metadata, contents, screens, references}``); the older ``POST /v1/mgmt/flow/export``
answers ``{flow: {id, name, description, dsl}, screens: [{id, interactions,
htmlTemplate}]}``, ``dsl`` being the single file's ``contents`` (descope-facts.md
section 3; the loader, :mod:`flowspec.engine.export`, reads both).

A flow loaded from a Descope export is answered from the document it was loaded from,
read once at start-up: a v1 file as it is to a v1 request, anything else turned into
the other shape. A flow written in the YAML shorthand has no Descope document, so one is
written from its model; loading it back gives the same tasks, plus the ``start`` task
every Descope export has, which only points at the first task.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from flowspec.engine.model import Flow, Interaction, Screen, ScreenInput, Task

_START: Final = "start"


@dataclass(frozen=True)
class FlowDocuments:
    """One flow in both export shapes."""

    single: dict[str, Any]
    v1: dict[str, Any]


def flow_documents(flows: Mapping[str, Flow]) -> dict[str, FlowDocuments]:
    """Both export shapes of every flow, by flow id."""
    return {flow_id: _documents(flow) for flow_id, flow in flows.items()}


def _documents(flow: Flow) -> FlowDocuments:
    source = Path(flow.source)
    if source.is_dir():
        single = _snapshot(source, flow.id)
    elif source.suffix.lower() == ".json":
        original = json.loads(source.read_text(encoding="utf-8"))
        inner = original.get("flow")
        if isinstance(inner, dict) and "dsl" in inner:
            return FlowDocuments(single=_single_from_v1(original), v1=original)
        single = inner if isinstance(inner, dict) and "contents" in inner else original
    else:
        single = _single_from_model(flow)
    return FlowDocuments(single=single, v1=_v1_from_single(single))


def _snapshot(folder: Path, flow_id: str) -> dict[str, Any]:
    def read(path: Path) -> Any:
        return json.loads(path.read_text(encoding="utf-8"))

    return {
        "flowId": flow_id,
        "metadata": read(folder / "metadata.json"),
        "contents": read(folder / "contents.json"),
        "screens": [read(path) for path in sorted(folder.glob("screen-*.json"))],
        "references": {},
    }


def _v1_from_single(single: Mapping[str, Any]) -> dict[str, Any]:
    metadata = single.get("metadata") or {}
    return {
        "flow": {
            "id": single["flowId"],
            "name": metadata.get("name", single["flowId"]),
            "description": metadata.get("description", ""),
            "dsl": single["contents"],
        },
        "screens": [
            {
                "id": screen["screenId"],
                "interactions": screen.get("interactions", []),
                "htmlTemplate": screen.get("contents", {}),
            }
            for screen in single.get("screens") or []
        ],
    }


def _single_from_v1(v1: Mapping[str, Any]) -> dict[str, Any]:
    flow = v1["flow"]
    dsl = flow["dsl"]
    return {
        "flowId": flow["id"],
        "metadata": {
            "name": flow.get("name", flow["id"]),
            "description": flow.get("description", ""),
        },
        "contents": json.loads(dsl) if isinstance(dsl, str) else dsl,
        "screens": [
            {
                "screenId": screen.get("screenId", screen.get("id")),
                "interactions": screen.get("interactions", []),
                "contents": screen.get("contents", screen.get("htmlTemplate", {})),
            }
            for screen in v1.get("screens") or []
        ],
        "references": {},
    }


def _single_from_model(flow: Flow) -> dict[str, Any]:
    tasks = {task_id: _task(task) for task_id, task in flow.tasks.items()}
    if _START not in tasks:
        tasks = {_START: _start_task(flow.start_task), **tasks}
    designs: dict[str, dict[str, Any]] = {}
    for task in flow.tasks.values():
        if task.screen is not None:
            # One design per screen id, the first, as the loader keeps the first.
            designs.setdefault(task.screen.id, _design(task.screen))
    return {
        "flowId": flow.id,
        "metadata": {"name": flow.name},
        "contents": {"startTask": flow.start_task, "tasks": tasks},
        "screens": list(designs.values()),
        "references": {},
    }


def _start_task(first: str) -> dict[str, Any]:
    return {"id": _START, "name": "Start", "next": {"rules": [{"taskId": first}]}}


def _inline(value: Any) -> dict[str, Any]:
    return {"type": "inline", "value": value}


def _task(task: Task) -> dict[str, Any]:
    written: dict[str, Any] = {"id": task.id, "name": task.name}
    if task.type != "start":
        written["type"] = task.type
    written["next"] = {
        "rules": [{"interactionId": r.interaction_id, "taskId": r.task_id} for r in task.rules]
    }
    if task.position is not None:
        written["view"] = {"x": task.position[0], "y": task.position[1]}
    if task.type in ("automated", "flow"):
        written["arguments"] = {name: _inline(value) for name, value in task.arguments.items()}
    if task.action is not None:
        written["action"] = task.action
        written["errorHandlingV2"] = {
            error: {"errorHandlingType": handling}
            for error, handling in task.error_handling.items()
        }
    if task.type == "condition":
        written["conditions"] = [
            {
                "name": branch.name,
                "interactionId": branch.interaction_id,
                "atomicConditions": [
                    {
                        "operator": atomic.operator,
                        "target": {"type": "context", "value": atomic.key},
                        "predicate": _inline(atomic.predicate),
                    }
                    for atomic in branch.conditions
                ],
            }
            for branch in task.branches
        ]
    if task.screen is not None:
        written["screenId"] = task.screen.id
    return written


def _design(screen: Screen) -> dict[str, Any]:
    """A screen design the loader reads back to the same buttons and inputs."""
    nodes: dict[str, Any] = {}
    for screen_input in screen.inputs:
        nodes[f"input-{screen_input.name}"] = _input_node(screen_input)
    for interaction in screen.interactions:
        nodes[f"button-{interaction.id}"] = _button_node(interaction)
    return {
        "screenId": screen.id,
        "interactions": [{"id": i.id, "label": i.label} for i in screen.interactions],
        "contents": nodes,
    }


def _input_node(screen_input: ScreenInput) -> dict[str, Any]:
    props: dict[str, Any] = {"name": screen_input.name}
    if screen_input.required:
        props["required"] = True
    return {"type": {"resolvedName": screen_input.component}, "props": props}


def _button_node(interaction: Interaction) -> dict[str, Any]:
    props: dict[str, Any] = {"id": interaction.id, "children": interaction.label}
    if not interaction.validates:
        props["formNoValidate"] = True
    component = "Button"
    if interaction.provider:
        # "google" becomes Descope's GoogleButton; the loader reads any <Name>Button
        # marked social back as the provider "name".
        component = interaction.provider.capitalize() + component
        props["data-type"] = "social"
    return {"type": {"resolvedName": component}, "props": props}
