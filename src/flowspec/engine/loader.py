"""Loading flow files: Descope exports (``.json``) and the YAML shorthand (``.yaml``).

:func:`load_flow` reads one file, compiles it to a :class:`~flowspec.engine.model.Flow`
and checks that its tasks fit together (:func:`validate`); :func:`load_flows` does that for
every flow file of a folder and refuses two files that define the same flow id. Every
problem is a :class:`~flowspec.errors.FlowDefinitionError` naming the file, the place and
the fix; nothing here lets a bare ``KeyError`` or ``JSONDecodeError`` escape.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Final

from flowspec.engine.conditions import OPERATORS
from flowspec.engine.export import compile_export
from flowspec.engine.model import Flow, Task
from flowspec.engine.shorthand import parse_shorthand
from flowspec.errors import FlowDefinitionError, did_you_mean

__all__ = ["FLOW_SUFFIXES", "load_flow", "load_flows", "validate"]

FLOW_SUFFIXES: Final = frozenset({".json", ".yaml", ".yml"})
_SKIPPED_PREFIXES: Final = (".", "README")
_EXCERPT_BEFORE: Final = 60
_EXCERPT_AFTER: Final = 20


def load_flow(path: Path) -> Flow:
    """Read, compile and :func:`validate` the flow in ``path`` (``.json`` or ``.yaml``)."""
    suffix = path.suffix.lower()
    if suffix not in FLOW_SUFFIXES:
        raise FlowDefinitionError(
            str(path),
            "the file name",
            f'flowspec reads flows from .json and .yaml files, not "{path.suffix}"',
            "Save a Descope export as .json, or write the flow in the YAML shorthand as .yaml",
        )
    text = _read(path)
    if suffix == ".json":
        flow = compile_export(_decode_json(text, path), str(path))
    else:
        flow = parse_shorthand(text, str(path), default_id=path.stem)
    validate(flow)
    return flow


def load_flows(directory: Path) -> dict[str, Flow]:
    """Load every flow file directly in ``directory`` (hidden files and README* skipped)."""
    if not directory.is_dir():
        raise FlowDefinitionError(
            str(directory),
            "the flows folder",
            "it is not a folder",
            "Point flowspec at the folder holding the flow exports and YAML flows",
        )
    flows: dict[str, Flow] = {}
    for path in _flow_files(directory):
        flow = load_flow(path)
        earlier = flows.get(flow.id)
        if earlier is not None:
            raise FlowDefinitionError(
                str(path),
                "the flow id",
                f'flow id "{flow.id}" is already defined by {earlier.source}',
                "Keep one of the two files, or give one flow another id",
            )
        flows[flow.id] = flow
    return flows


def _flow_files(directory: Path) -> list[Path]:
    return sorted(
        path
        for path in directory.iterdir()
        if path.suffix.lower() in FLOW_SUFFIXES
        and not path.name.startswith(_SKIPPED_PREFIXES)
        and path.is_file()
    )


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise FlowDefinitionError(
            str(path), f"byte {error.start}", "the file is not UTF-8 text", "Save it as UTF-8"
        ) from error
    except OSError as error:
        raise FlowDefinitionError(
            str(path), "the file", f"it cannot be read ({error.strerror})", "Check the path"
        ) from error


def _decode_json(text: str, path: Path) -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise FlowDefinitionError(
            f"{path}:{error.lineno}:{error.colno}",
            "the JSON text",
            f"the JSON does not parse: {error.msg}",
            "Fix the JSON there (a truncated copy or a hand edit?), or export the flow again:\n"
            + _excerpt(error.doc, error.pos),
        ) from error


def _excerpt(document: str, position: int) -> str:
    """The text around ``position`` with a caret under it; exports are often one long line."""
    start = document.rfind("\n", 0, position) + 1
    end = document.find("\n", position)
    line = document[start : end if end >= 0 else len(document)]
    column = position - start
    left = max(0, column - _EXCERPT_BEFORE)
    shown = line[left : column + _EXCERPT_AFTER]
    return f"    {shown}\n    {' ' * (column - left)}^"


def validate(flow: Flow) -> None:
    """Check that ``flow`` holds together; raise :class:`FlowDefinitionError` if not.

    The start task exists; every rule leads to an existing task; every condition operator
    is one Descope has; every condition branch has a rule saying where it goes.
    """
    if flow.start_task not in flow.tasks:
        raise FlowDefinitionError(
            flow.source,
            _start_location(flow),
            f'the flow starts at task "{flow.start_task}", which it does not have',
            did_you_mean(flow.start_task, flow.tasks)
            + f'Start at an existing task or add task "{flow.start_task}"',
        )
    for task in flow.tasks.values():
        _check_rules(flow, task)
        _check_conditions(flow, task)


def _check_rules(flow: Flow, task: Task) -> None:
    for index, rule in enumerate(task.rules):
        if rule.task_id in flow.tasks:
            continue
        via = f'"{rule.interaction_id}"' if rule.interaction_id else "its only rule"
        raise FlowDefinitionError(
            flow.source,
            _rule_location(flow, task, index),
            f'task "{task.id}" ({task.name}) goes on {via} to task "{rule.task_id}", '
            "which the flow does not have",
            did_you_mean(rule.task_id, flow.tasks)
            + f'Point the rule at an existing task or add task "{rule.task_id}"',
        )


def _check_conditions(flow: Flow, task: Task) -> None:
    ruled = {rule.interaction_id for rule in task.rules}
    for index, branch in enumerate(task.branches):
        for position, condition in enumerate(branch.conditions):
            if condition.operator not in OPERATORS:
                raise FlowDefinitionError(
                    flow.source,
                    _operator_location(flow, task, index, position),
                    f'condition "{task.name}" (task {task.id}), branch "{branch.name}", tests '
                    f'"{condition.key}" with the unknown operator "{condition.operator}"',
                    did_you_mean(condition.operator, OPERATORS)
                    + f"Descope's operators: {', '.join(sorted(OPERATORS))}",
                )
        if branch.interaction_id not in ruled:
            raise FlowDefinitionError(
                flow.source,
                _branch_location(flow, task, index),
                f'branch "{branch.name}" ({branch.interaction_id}) of condition "{task.name}" '
                f"(task {task.id}) has no rule, so the flow cannot go on when it is taken",
                f'Add a rule with interactionId "{branch.interaction_id}" to the task\'s '
                "next.rules (connect the branch in the Descope editor)",
            )


def _is_export(flow: Flow) -> bool:
    return flow.source.lower().endswith(".json")


def _start_location(flow: Flow) -> str:
    return "contents.startTask" if _is_export(flow) else "start"


def _task_location(flow: Flow, task: Task) -> str:
    prefix = "contents.tasks" if _is_export(flow) else "tasks"
    return f"{prefix}[{json.dumps(task.id, ensure_ascii=False)}]"


def _rule_location(flow: Flow, task: Task, index: int) -> str:
    if _is_export(flow):
        return f"{_task_location(flow, task)}.next.rules[{index}].taskId"
    return _task_location(flow, task)


def _branch_location(flow: Flow, task: Task, index: int) -> str:
    field = "conditions" if _is_export(flow) else "condition"
    return f"{_task_location(flow, task)}.{field}[{index}]"


def _operator_location(flow: Flow, task: Task, index: int, position: int) -> str:
    if _is_export(flow):
        return f"{_branch_location(flow, task, index)}.atomicConditions[{position}].operator"
    return f"{_branch_location(flow, task, index)}.when"
