"""Loading flows: Descope exports (``.json`` files, snapshot folders) and YAML shorthand.

:func:`load_flow` reads one flow, compiles it to a :class:`~flowspec.engine.model.Flow`
and checks that its tasks fit together (:func:`validate`). A flow is a ``.json`` export in
any of its one-file shapes, a ``.yaml``/``.yml`` shorthand file, or the folder of one flow
in a Descope project snapshot (``contents.json``, ``metadata.json``, ``screen-*.json``;
see :mod:`flowspec.engine.export`). :func:`load_flows` loads every flow file of a folder
and every subfolder holding a ``contents.json``, and refuses two that define the same flow
id. Every problem is a :class:`~flowspec.errors.FlowDefinitionError` naming the file, the
place and the fix; nothing here lets a bare ``KeyError`` or ``JSONDecodeError`` escape.

Flow files are bounded before they are parsed: a JSON export (or all the files of a
snapshot folder together) may hold :data:`MAX_JSON_FLOW_BYTES` (5 MiB), a YAML shorthand
file :data:`MAX_YAML_FLOW_BYTES` (1 MiB). The largest real export seen is about 100 KB and
the largest hand-written flow under 3 KB, so the limits leave fifty and several hundred
times that; they keep a mistaken path (a log, a database dump) from holding a run for
minutes. A 5 MiB export loads in about 0.4 s; YAML reads some twenty times more slowly
per byte, so it gets the lower limit (1 MiB loads in about 1.5 s). Nesting and YAML
aliases are bounded too (:mod:`flowspec.engine.bounds`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from flowspec.engine.bounds import MAX_NESTING, reason, too_deep
from flowspec.engine.conditions import OPERATORS
from flowspec.engine.export import (
    FlowParts,
    Located,
    Where,
    compile_parts,
    split_export,
    split_snapshot,
)
from flowspec.engine.model import Flow, Task
from flowspec.engine.shorthand import parse_shorthand
from flowspec.errors import FlowDefinitionError, did_you_mean

__all__ = [
    "FLOW_SUFFIXES",
    "MAX_JSON_FLOW_BYTES",
    "MAX_YAML_FLOW_BYTES",
    "load_flow",
    "load_flows",
    "validate",
]

FLOW_SUFFIXES: Final = frozenset({".json", ".yaml", ".yml"})
MAX_JSON_FLOW_BYTES: Final = 5 * 1024 * 1024
MAX_YAML_FLOW_BYTES: Final = 1024 * 1024
_SNAPSHOT_CONTENTS: Final = "contents.json"
_SNAPSHOT_METADATA: Final = "metadata.json"
_SNAPSHOT_SCREENS: Final = "screen-*.json"
# A snapshot's flows/ folder holds this index beside the flows' folders; it is no flow.
_SNAPSHOT_INDEX: Final = "flows.json"
_SKIPPED_PREFIXES: Final = (".", "README")
_EXCERPT_BEFORE: Final = 60
_EXCERPT_AFTER: Final = 20
_TOO_BIG_FIX: Final = (
    "Check that the path is the flow you meant; a flow export is rarely above 200 KB"
)


def load_flow(path: Path) -> Flow:
    """Read, compile and :func:`validate` the flow at ``path``: a ``.json`` export, a
    ``.yaml`` shorthand file, or the folder of one flow in a project snapshot."""
    if path.is_dir():
        parts = _snapshot_parts(path)
    elif path.suffix.lower() == ".json":
        parts = split_export(_decode_json(_read(path), path), str(path))
    elif path.suffix.lower() in FLOW_SUFFIXES:
        flow = parse_shorthand(_read(path), str(path), default_id=path.stem)
        validate(flow)
        return flow
    else:
        raise FlowDefinitionError(
            str(path),
            "the file name",
            f'flowspec reads flows from .json and .yaml files, not "{path.suffix}"',
            "Save a Descope export as .json, or write the flow in the YAML shorthand as .yaml",
        )
    flow = compile_parts(parts)
    validate(flow, parts.contents)
    return flow


def load_flows(directory: Path) -> dict[str, Flow]:
    """Load every flow directly in ``directory``: each flow file and each snapshot flow
    folder (one holding ``contents.json``); hidden entries and README* are skipped."""
    if not directory.is_dir():
        raise FlowDefinitionError(
            str(directory),
            "the flows folder",
            "it is not a folder",
            "Point flowspec at the folder holding the flow exports and YAML flows",
        )
    flows: dict[str, Flow] = {}
    for path in _flow_paths(directory):
        flow = load_flow(path)
        earlier = flows.get(flow.id)
        if earlier is not None:
            raise FlowDefinitionError(
                str(path),
                "the flow id",
                f'flow id "{flow.id}" is already defined by {earlier.source}',
                "Keep one of the two, or give one flow another id",
            )
        flows[flow.id] = flow
    return flows


def _flow_paths(directory: Path) -> list[Path]:
    entries = [path for path in directory.iterdir() if not path.name.startswith(_SKIPPED_PREFIXES)]
    folders = [path for path in entries if (path / _SNAPSHOT_CONTENTS).is_file()]
    files = [
        path
        for path in entries
        if path.suffix.lower() in FLOW_SUFFIXES
        and path.is_file()
        and not (folders and path.name == _SNAPSHOT_INDEX)
    ]
    return sorted(folders + files)


def _snapshot_parts(folder: Path) -> FlowParts:
    """Read the files of one flow's folder in a project snapshot."""
    for name in (_SNAPSHOT_CONTENTS, _SNAPSHOT_METADATA):
        if not (folder / name).is_file():
            raise FlowDefinitionError(
                str(folder),
                "the folder",
                f"it has no {name}, so it is not the folder of a flow in a project snapshot",
                "Point at a flow's own folder in the snapshot (flows/<flow id>/, holding "
                "contents.json, metadata.json and screen-*.json), or at a flow file",
            )
    files = [
        folder / _SNAPSHOT_CONTENTS,
        folder / _SNAPSHOT_METADATA,
        *sorted(folder.glob(_SNAPSHOT_SCREENS)),
    ]
    total = sum(_size(path) for path in files)
    if total > MAX_JSON_FLOW_BYTES:
        raise FlowDefinitionError(
            str(folder),
            "the folder",
            f"its {len(files)} files hold {_bytes(total)} together, more than the "
            f"{_bytes(MAX_JSON_FLOW_BYTES)} a flow may hold",
            _TOO_BIG_FIX,
        )
    return split_snapshot(
        str(folder),
        folder.resolve().name,
        metadata=_json_file(folder / _SNAPSHOT_METADATA),
        contents=_json_file(folder / _SNAPSHOT_CONTENTS),
        screens=[_json_file(path) for path in sorted(folder.glob(_SNAPSHOT_SCREENS))],
    )


def _json_file(path: Path) -> Located:
    return Located(_decode_json(_read(path), path), str(path))


def _read(path: Path) -> str:
    """The text of ``path``, refused unread when it holds more than a flow file of its
    kind may."""
    is_json = path.suffix.lower() == ".json"
    limit = MAX_JSON_FLOW_BYTES if is_json else MAX_YAML_FLOW_BYTES
    size = _size(path)
    try:
        with path.open("rb") as file:
            # Read one byte past the limit: a file that grew since, or a device that
            # never ends, is refused all the same.
            data = file.read(limit + 1)
    except OSError as error:
        raise _unreadable(path, error) from error
    if max(size, len(data)) > limit:
        raise FlowDefinitionError(
            str(path),
            "the file",
            f"it holds {_bytes(max(size, len(data)))}, more than the {_bytes(limit)} a "
            f"{'JSON' if is_json else 'YAML'} flow file may hold",
            _TOO_BIG_FIX,
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise FlowDefinitionError(
            str(path), f"byte {error.start}", "the file is not UTF-8 text", "Save it as UTF-8"
        ) from error


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError as error:
        raise _unreadable(path, error) from error


def _unreadable(path: Path, error: OSError) -> FlowDefinitionError:
    return FlowDefinitionError(
        str(path), "the file", f"it cannot be read ({error.strerror})", "Check the path"
    )


def _bytes(count: int) -> str:
    """A size for people: ``5.0 MiB (5,242,880 bytes)``."""
    return f"{count / 1024 / 1024:.1f} MiB ({count:,} bytes)"


def _decode_json(text: str, path: Path) -> object:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise FlowDefinitionError(
            f"{path}:{error.lineno}:{error.colno}",
            "the JSON text",
            f"the JSON does not parse: {error.msg}",
            "Fix the JSON there (a truncated copy or a hand edit?), or export the flow again:\n"
            + _excerpt(error.doc, error.pos),
        ) from error
    except ValueError as error:
        # Beyond a syntax error, int() refusing a number of thousands of digits.
        raise FlowDefinitionError(
            str(path),
            "the JSON text",
            f"it holds a number Python cannot read ({reason(error)})",
            "Write such a value as a string, or export the flow again",
        ) from None
    except RecursionError:
        raise _too_deep(path, "the JSON text") from None
    steps = too_deep(value)
    if steps is not None:
        raise _too_deep(path, str(_where(steps)))
    return value


def _too_deep(path: Path, location: str) -> FlowDefinitionError:
    return FlowDefinitionError(
        str(path),
        location,
        f"the JSON nests arrays and objects more than {MAX_NESTING} levels deep",
        "A Descope export nests about 10; export the flow again",
    )


def _where(steps: tuple[object, ...]) -> Where:
    where = Where()
    for step in steps:
        where = where / (step if isinstance(step, int) else str(step))
    return where


def _excerpt(document: str, position: int) -> str:
    """The text around ``position`` with a caret under it; exports are often one long line."""
    start = document.rfind("\n", 0, position) + 1
    end = document.find("\n", position)
    line = document[start : end if end >= 0 else len(document)]
    column = position - start
    left = max(0, column - _EXCERPT_BEFORE)
    shown = line[left : column + _EXCERPT_AFTER]
    return f"    {shown}\n    {' ' * (column - left)}^"


def validate(flow: Flow, contents: Located | None = None) -> None:
    """Check that ``flow`` holds together; raise :class:`FlowDefinitionError` if not.

    The start task exists; every rule leads to an existing task; every condition operator
    is one Descope has; every condition branch has a rule saying where it goes.
    ``contents`` says where an export keeps the flow's ``{startTask, tasks}``, so that
    messages point there; without it, a ``.json`` source is taken for a single-file
    export and any other for the YAML shorthand.
    """
    places = _Places.of(flow, contents)
    if flow.start_task not in flow.tasks:
        raise FlowDefinitionError(
            places.source,
            places.start(),
            f'the flow starts at task "{flow.start_task}", which it does not have',
            did_you_mean(flow.start_task, flow.tasks)
            + f'Start at an existing task or add task "{flow.start_task}"',
        )
    for task in flow.tasks.values():
        _check_rules(flow, task, places)
        _check_conditions(task, places)


@dataclass(frozen=True)
class _Places:
    """Where a flow's parts are written, for messages: in an export's ``contents``
    (``contents`` is its JSON location) or in the YAML shorthand (``contents`` is None)."""

    source: str
    contents: Where | None

    @classmethod
    def of(cls, flow: Flow, contents: Located | None) -> _Places:
        if contents is not None:
            return cls(contents.source, contents.where)
        if flow.source.lower().endswith(".json"):
            return cls(flow.source, Where() / "contents")
        return cls(flow.source, None)

    def start(self) -> str:
        return "start" if self.contents is None else str(self.contents / "startTask")

    def task(self, task: Task) -> Where:
        root = Where() if self.contents is None else self.contents
        return (root / "tasks").entry(task.id)

    def rule(self, task: Task, index: int) -> str:
        if self.contents is None:
            return str(self.task(task))
        return str(self.task(task) / "next" / "rules" / index / "taskId")

    def branch(self, task: Task, index: int) -> Where:
        field = "condition" if self.contents is None else "conditions"
        return self.task(task) / field / index

    def operator(self, task: Task, index: int, position: int) -> str:
        if self.contents is None:
            return str(self.branch(task, index) / "when")
        return str(self.branch(task, index) / "atomicConditions" / position / "operator")


def _check_rules(flow: Flow, task: Task, places: _Places) -> None:
    for index, rule in enumerate(task.rules):
        if rule.task_id in flow.tasks:
            continue
        via = f'"{rule.interaction_id}"' if rule.interaction_id else "its only rule"
        raise FlowDefinitionError(
            places.source,
            places.rule(task, index),
            f'task "{task.id}" ({task.name}) goes on {via} to task "{rule.task_id}", '
            "which the flow does not have",
            did_you_mean(rule.task_id, flow.tasks)
            + f'Point the rule at an existing task or add task "{rule.task_id}"',
        )


def _check_conditions(task: Task, places: _Places) -> None:
    ruled = {rule.interaction_id for rule in task.rules}
    for index, branch in enumerate(task.branches):
        for position, condition in enumerate(branch.conditions):
            if condition.operator not in OPERATORS:
                raise FlowDefinitionError(
                    places.source,
                    places.operator(task, index, position),
                    f'condition "{task.name}" (task {task.id}), branch "{branch.name}", tests '
                    f'"{condition.key}" with the unknown operator "{condition.operator}"',
                    did_you_mean(condition.operator, OPERATORS)
                    + f"Descope's operators: {', '.join(sorted(OPERATORS))}",
                )
        if branch.interaction_id not in ruled:
            raise FlowDefinitionError(
                places.source,
                str(places.branch(task, index)),
                f'branch "{branch.name}" ({branch.interaction_id}) of condition "{task.name}" '
                f"(task {task.id}) has no rule, so the flow cannot go on when it is taken",
                f'Add a rule with interactionId "{branch.interaction_id}" to the task\'s '
                "next.rules (connect the branch in the Descope editor)",
            )
