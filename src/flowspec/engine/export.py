"""Descope's flow exports, in every shape Descope writes them, compiled to the flow model.

A flow reaches flowspec in one of four shapes (``descope-facts.md`` section 3), all split
by this module into the same :class:`FlowParts` and compiled by :func:`compile_parts`:

- the single-file export ``{flowId, metadata, contents, screens, references}``;
- the v2 export response, the same object wrapped as ``{"flow": {...}}``;
- the older v1 export ``{"flow": {id, name, dsl, ...}, "screens": [...]}``, whose ``dsl``
  is the ``contents`` (an object, or that object written as a JSON string) and whose
  screens are ``{id, interactions, htmlTemplate}`` (``screenId``/``contents`` also read);
- the folder of one flow in a project snapshot (read by the loader, split by
  :func:`split_snapshot`): ``contents.json``, ``metadata.json`` and one
  ``screen-<screenId>.json`` per screen, the flow id being the folder name unless the
  metadata has a ``flowId`` or ``id``.

The v1 field names and the snapshot layout follow Descope's own CLI (``descopecli``,
``flow/convert.go``), which converts between these shapes; reading ``flowId``/``id`` from
a snapshot's metadata and a ``dsl`` written as a string are inferred, not seen.

``contents.tasks`` becomes :class:`~flowspec.engine.model.Task`\\ s:

- a task without ``type`` is the ``start`` task (only the task whose id is ``start``);
- ``next.rules`` become rules in export order; a rule without ``interactionId`` gets "";
- automated tasks keep ``action``, ``arguments`` (``{type: "inline", value}`` unwrapped to
  the value) and ``errorHandlingV2`` (as ``{error name: errorHandlingType}``);
- condition tasks keep their ``conditions`` as branches;
- screen tasks are joined with the screen design of the same ``screenId``: its
  ``interactions``, plus any button node that has an id and a text but no interaction
  entry, and every node with a non-empty ``props.name`` as an input (``required`` only
  when it is ``true``; the component's ``resolvedName``). A button node tells whether
  the button checks the inputs (not when ``props.formNoValidate`` is true) and which
  social login it starts (``GoogleButton`` -> "google"; any ``<Name>Button`` marked
  social by ``custom.subType`` or ``props["data-type"]`` -> "<name>"). Without a
  design, inputs come from the task's ``allInputKeys``/``inputsMetadata`` and
  interactions from the task's own ``interactions`` or, failing that, its rule ids;
- flow tasks keep ``arguments.flowId`` as the sub-flow to run;
- ``view {x, y}`` becomes the task's position.

The graph is read strictly: a field of the wrong JSON type is a
:class:`~flowspec.errors.FlowDefinitionError` naming the file and the field, e.g.
``contents.tasks["7"].next.rules[1].taskId`` or, in a v1 export,
``flow.dsl.tasks["7"].next``. Screen designs are read leniently: a node that is not a
well-formed input or button is decoration and is skipped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any, Final, NoReturn, cast, get_args

from flowspec.engine.bounds import MAX_NESTING, reason, too_deep
from flowspec.engine.model import (
    AtomicCondition,
    Branch,
    Flow,
    Interaction,
    Rule,
    Screen,
    ScreenInput,
    Task,
    TaskType,
)
from flowspec.errors import FlowDefinitionError, did_you_mean

__all__ = [
    "FlowParts",
    "Located",
    "Where",
    "compile_export",
    "compile_parts",
    "describe",
    "split_export",
    "split_snapshot",
]

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_TASK_TYPES: Final = frozenset(get_args(TaskType)) - {"start"}
_START_ID = "start"
_SHOWN_LIMIT = 40
_SCALAR_NAMES: Final = ((bool, "a boolean"), (int | float, "a number"), (str, "a string"))
_REEXPORT = "Export the flow again from Descope, or correct this field by hand"
_TOO_DEEP = f"the dsl nests arrays and objects more than {MAX_NESTING} levels deep"
_BUTTON = "Button"
_SOCIAL = "social"
# Descope's own social buttons, named even where the design does not mark them social.
_SOCIAL_BUTTONS: Final[Mapping[str, str]] = {
    "GoogleButton": "google",
    "AppleButton": "apple",
    "FacebookButton": "facebook",
    "GithubButton": "github",
    "MicrosoftButton": "microsoft",
}
_SNAPSHOT_ID_KEYS: Final = ("flowId", "id")
_SHAPES: Final = (
    'the single-file export {"flowId", "metadata", "contents", "screens"}, the v2 export '
    'response {"flow": {"flowId", "contents", ...}}, the older v1 export '
    '{"flow": {"id", "name", "dsl"}, "screens": [...]}, and the folder of one flow in a '
    "project snapshot (contents.json, metadata.json, screen-*.json)"
)

JsonObject = Mapping[str, Any]


@dataclass(frozen=True)
class Where:
    """A location inside a JSON or YAML document, printed as ``tasks["7"].next.rules[1]``."""

    parts: tuple[str, ...] = ()

    def __truediv__(self, step: str | int) -> Where:
        """The field ``step`` (or, for an int, the array item) below this location."""
        if isinstance(step, int):
            return Where((*self.parts, f"[{step}]"))
        if _IDENTIFIER.fullmatch(step):
            return Where((*self.parts, f".{step}"))
        return self.entry(step)

    def entry(self, key: str) -> Where:
        """The member named ``key`` by the flow's author (a task id, a label): always quoted."""
        return Where((*self.parts, f"[{json.dumps(key, ensure_ascii=False)}]"))

    def __str__(self) -> str:
        return "".join(self.parts).removeprefix(".") or "the top level"


def describe(value: Any) -> str:
    """Name ``value`` for a message: "an object", "a number (7)", "a string ("x")", "null"."""
    if value is None:
        return "null"
    for kind, name in _SCALAR_NAMES:
        if isinstance(value, kind):
            return f"{name} ({_clipped(json.dumps(value))})"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


def _clipped(shown: str) -> str:
    return shown if len(shown) <= _SHOWN_LIMIT else shown[: _SHOWN_LIMIT - 1] + "…"


@dataclass(frozen=True)
class _Reader:
    """Typed access to the decoded export that fails with the file and the field."""

    source: str

    def fail(self, where: Where, problem: str, fix: str = _REEXPORT) -> NoReturn:
        raise FlowDefinitionError(self.source, str(where), problem, fix)

    def object(self, value: Any, where: Where) -> JsonObject:
        if not isinstance(value, Mapping):
            self.fail(where, f"expected an object, found {describe(value)}")
        return cast(JsonObject, value)

    def field(self, parent: JsonObject, key: str, where: Where) -> Any:
        if key not in parent:
            self.fail(where / key, f'the required field "{key}" is missing')
        return parent[key]

    def text(self, parent: JsonObject, key: str, where: Where, default: str | None = None) -> str:
        value = parent.get(key, default) if default is not None else self.field(parent, key, where)
        if not isinstance(value, str):
            self.fail(where / key, f"expected a string, found {describe(value)}")
        return value

    def items(self, parent: JsonObject, key: str, where: Where) -> Iterator[tuple[Where, Any]]:
        """The entries of an optional array field, each with its location."""
        value = parent.get(key)
        if value is None:
            return
        if not isinstance(value, list):
            self.fail(where / key, f"expected an array, found {describe(value)}")
        for index, item in enumerate(value):
            yield where / key / index, item

    def members(self, parent: JsonObject, key: str, where: Where) -> Iterator[tuple[str, Any]]:
        """The members of an optional object field."""
        value = parent.get(key)
        if value is None:
            return
        yield from self.object(value, where / key).items()


@dataclass(frozen=True)
class Located:
    """A decoded JSON value, the file it was read from and where in that file it sits."""

    value: Any
    source: str
    where: Where = Where()


@dataclass(frozen=True)
class FlowParts:
    """One flow's pieces, wherever its shape keeps them: the id, the name, the ``contents``
    (``{startTask, tasks}``) and the screen designs by screen id."""

    flow_id: str
    name: str
    contents: Located
    screens: Mapping[str, JsonObject]
    source: str


def compile_export(document: Any, source: str) -> Flow:
    """Compile a decoded export in any of its one-document shapes to a :class:`Flow`."""
    return compile_parts(split_export(document, source))


def split_export(document: Any, source: str) -> FlowParts:
    """Recognise the shape of a decoded export read from ``source`` and take it apart."""
    reader = _Reader(source)
    root = reader.object(document, Where())
    if "contents" in root:
        return _single_file(reader, root, Where())
    inner = root.get("flow")
    if isinstance(inner, Mapping) and "contents" in inner:
        return _single_file(reader, inner, Where() / "flow")
    if isinstance(inner, Mapping) and "dsl" in inner:
        return _v1(reader, root, inner)
    _unknown_shape(reader, root)


def split_snapshot(
    folder: str,
    folder_name: str,
    metadata: Located,
    contents: Located,
    screens: Iterable[Located],
) -> FlowParts:
    """Take apart the decoded files of one flow's folder in a project snapshot.

    ``folder_name`` is the flow id unless the metadata gives one.
    """
    reader = _Reader(metadata.source)
    meta = reader.object(metadata.value, metadata.where)
    id_key = next((key for key in _SNAPSHOT_ID_KEYS if key in meta), None)
    flow_id = reader.text(meta, id_key, metadata.where) if id_key else folder_name
    designs: dict[str, JsonObject] = {}
    for screen in screens:
        screen_reader = _Reader(screen.source)
        design = screen_reader.object(screen.value, screen.where)
        designs.setdefault(screen_reader.text(design, "screenId", screen.where), design)
    return FlowParts(
        flow_id=flow_id,
        name=reader.text(meta, "name", metadata.where, default=flow_id),
        contents=contents,
        screens=designs,
        source=folder,
    )


def compile_parts(parts: FlowParts) -> Flow:
    """Compile a flow's parts, whatever shape they came in, to a :class:`Flow`."""
    reader = _Reader(parts.contents.source)
    where = parts.contents.where
    contents = reader.object(parts.contents.value, where)
    raw_tasks = reader.object(reader.field(contents, "tasks", where), where / "tasks")
    tasks = {
        task_id: _task(reader, task_id, raw, (where / "tasks").entry(task_id), parts.screens)
        for task_id, raw in raw_tasks.items()
    }
    return Flow(
        id=parts.flow_id,
        name=parts.name,
        start_task=reader.text(contents, "startTask", where),
        tasks=tasks,
        source=parts.source,
    )


def _single_file(reader: _Reader, root: JsonObject, where: Where) -> FlowParts:
    flow_id = reader.text(root, "flowId", where)
    metadata = reader.object(root.get("metadata") or {}, where / "metadata")
    designs: dict[str, JsonObject] = {}
    for screen_where, raw in reader.items(root, "screens", where):
        design = reader.object(raw, screen_where)
        designs.setdefault(reader.text(design, "screenId", screen_where), design)
    return FlowParts(
        flow_id=flow_id,
        name=reader.text(metadata, "name", where / "metadata", default=flow_id),
        contents=Located(root["contents"], reader.source, where / "contents"),
        screens=designs,
        source=reader.source,
    )


def _v1(reader: _Reader, root: JsonObject, flow: JsonObject) -> FlowParts:
    where = Where() / "flow"
    flow_id = reader.text(flow, "id", where)
    designs: dict[str, JsonObject] = {}
    for screen_where, raw in reader.items(root, "screens", Where()):
        screen = reader.object(raw, screen_where)
        id_key = "screenId" if "screenId" in screen else "id"
        design = {
            "interactions": screen.get("interactions"),
            "contents": screen.get("contents", screen.get("htmlTemplate")),
        }
        designs.setdefault(reader.text(screen, id_key, screen_where), design)
    return FlowParts(
        flow_id=flow_id,
        name=reader.text(flow, "name", where, default=flow_id),
        contents=Located(_dsl(reader, flow["dsl"], where / "dsl"), reader.source, where / "dsl"),
        screens=designs,
        source=reader.source,
    )


def _dsl(reader: _Reader, dsl: Any, where: Where) -> Any:
    """The v1 contents; some v1 exports hold them as JSON text rather than an object."""
    if not isinstance(dsl, str):
        return dsl
    try:
        contents = json.loads(dsl)
    except json.JSONDecodeError as error:
        reader.fail(
            where,
            f"the dsl is a string that is not JSON ({error.msg} at character {error.pos})",
        )
    except ValueError as error:
        # Beyond a syntax error, int() refusing a number of thousands of digits.
        reader.fail(where, f"the dsl holds a number Python cannot read ({reason(error)})")
    except RecursionError:
        reader.fail(where, _TOO_DEEP)
    if too_deep(contents) is not None:
        reader.fail(where, _TOO_DEEP)
    return contents


def _unknown_shape(reader: _Reader, root: JsonObject) -> NoReturn:
    if "startTask" in root and "tasks" in root:
        reader.fail(
            Where(),
            "this looks like the contents.json of a project snapshot, not a whole flow",
            "Load the folder that holds it (with its metadata.json and screen-*.json) "
            "instead of this one file",
        )
    keys = ", ".join(sorted(root)[:8]) or "none"
    reader.fail(
        Where(),
        f"this is not a Descope flow export (top-level keys: {keys})",
        f"flowspec reads {_SHAPES}; export the flow from Descope again",
    )


def _task(
    reader: _Reader,
    task_id: str,
    raw: Any,
    where: Where,
    screens: Mapping[str, JsonObject],
) -> Task:
    task = reader.object(raw, where)
    declared = reader.text(task, "id", where, default=task_id)
    if declared != task_id:
        reader.fail(
            where / "id",
            f'the task stored under "{task_id}" says its id is "{declared}"',
            "Make the id and the key under contents.tasks the same",
        )
    task_type = _task_type(reader, task_id, task, where)
    base = Task(
        id=task_id,
        name=reader.text(task, "name", where, default=task_id),
        type=task_type,
        rules=_rules(reader, task, where),
        position=_position(reader, task, where),
    )
    if task_type == "automated":
        return _automated(reader, task, where, base)
    if task_type == "flow":
        return _sub_flow(reader, task, where, base)
    if task_type == "condition":
        return replace(base, branches=_branches(reader, task, where))
    if task_type == "screen":
        return replace(base, screen=_screen(reader, task, where, screens, base.rules))
    return base


def _task_type(reader: _Reader, task_id: str, task: JsonObject, where: Where) -> TaskType:
    declared = task.get("type")
    if declared is None:
        if task_id == _START_ID:
            return "start"
        reader.fail(
            where / "type",
            f'task "{task_id}" has no type; only the task "start" may omit it',
            f"Give it one of the types {', '.join(sorted(_TASK_TYPES))}",
        )
    if not isinstance(declared, str):
        reader.fail(where / "type", f"expected a string, found {describe(declared)}")
    if declared not in _TASK_TYPES:
        hint = did_you_mean(declared, _TASK_TYPES)
        reader.fail(
            where / "type",
            f"unknown task type {declared!r}",
            f"{hint}flowspec runs tasks of type {', '.join(sorted(_TASK_TYPES))}",
        )
    return cast(TaskType, declared)


def _rules(reader: _Reader, task: JsonObject, where: Where) -> tuple[Rule, ...]:
    next_ = reader.object(task.get("next") or {}, where / "next")
    rules: list[Rule] = []
    for rule_where, raw in reader.items(next_, "rules", where / "next"):
        rule = reader.object(raw, rule_where)
        rules.append(
            Rule(
                interaction_id=reader.text(rule, "interactionId", rule_where, default=""),
                task_id=reader.text(rule, "taskId", rule_where),
            )
        )
    return tuple(rules)


def _position(reader: _Reader, task: JsonObject, where: Where) -> tuple[float, float] | None:
    if task.get("view") is None:
        return None
    view = reader.object(task["view"], where / "view")
    x, y = view.get("x"), view.get("y")
    if isinstance(x, bool) or isinstance(y, bool):
        reader.fail(where / "view", "expected numbers x and y, found a boolean")
    if not isinstance(x, int | float) or not isinstance(y, int | float):
        reader.fail(where / "view", f"expected numbers x and y, found {describe(x)}")
    return float(x), float(y)


def _arguments(reader: _Reader, task: JsonObject, where: Where) -> dict[str, Any]:
    # Arguments are {type: "inline", value}; anything else is kept whole for the action.
    return {
        name: argument["value"]
        if isinstance(argument, Mapping) and "value" in argument
        else argument
        for name, argument in reader.members(task, "arguments", where)
    }


def _automated(reader: _Reader, task: JsonObject, where: Where, base: Task) -> Task:
    handling: dict[str, str] = {}
    handling_where = where / "errorHandlingV2"
    for error, raw in reader.members(task, "errorHandlingV2", where):
        entry = reader.object(raw, handling_where.entry(error))
        handling[error] = reader.text(entry, "errorHandlingType", handling_where.entry(error))
    return replace(
        base,
        action=reader.text(task, "action", where),
        arguments=_arguments(reader, task, where),
        error_handling=handling,
    )


def _sub_flow(reader: _Reader, task: JsonObject, where: Where, base: Task) -> Task:
    arguments = _arguments(reader, task, where)
    flow_id = arguments.get("flowId")
    if not isinstance(flow_id, str) or not flow_id:
        reader.fail(
            where / "arguments" / "flowId",
            f"a flow task needs the id of the flow it runs, found {describe(flow_id)}",
        )
    return replace(base, arguments=arguments, sub_flow_id=flow_id)


def _branches(reader: _Reader, task: JsonObject, where: Where) -> tuple[Branch, ...]:
    if "conditions" not in task:
        reader.fail(where / "conditions", "a condition task needs its conditions")
    branches: list[Branch] = []
    for branch_where, raw in reader.items(task, "conditions", where):
        branch = reader.object(raw, branch_where)
        interaction_id = reader.text(branch, "interactionId", branch_where)
        conditions = tuple(
            _atomic(reader, atomic_where, atomic)
            for atomic_where, atomic in reader.items(branch, "atomicConditions", branch_where)
        )
        branches.append(
            Branch(
                name=reader.text(branch, "name", branch_where, default=interaction_id),
                interaction_id=interaction_id,
                conditions=conditions,
            )
        )
    return tuple(branches)


def _atomic(reader: _Reader, where: Where, raw: Any) -> AtomicCondition:
    atomic = reader.object(raw, where)
    target = reader.object(reader.field(atomic, "target", where), where / "target")
    predicate = atomic.get("predicate")
    return AtomicCondition(
        key=reader.text(target, "value", where / "target"),
        operator=reader.text(atomic, "operator", where),
        predicate=predicate.get("value") if isinstance(predicate, Mapping) else predicate,
    )


def _screen(
    reader: _Reader,
    task: JsonObject,
    where: Where,
    screens: Mapping[str, JsonObject],
    rules: tuple[Rule, ...],
) -> Screen:
    screen_id = reader.text(task, "screenId", where)
    design = screens.get(screen_id)
    if design is None:
        return Screen(
            id=screen_id,
            interactions=_task_interactions(task, rules),
            inputs=_task_inputs(task),
        )
    nodes = [node for node in _nodes(design) if isinstance(node.get("props"), Mapping)]
    buttons = _button_nodes(nodes)
    declared = _declared_interactions(design.get("interactions"))
    known = {interaction.id for interaction in declared}
    unlisted = (_unlisted_button(node) for key, node in buttons.items() if key not in known)
    interactions = tuple(_as_designed(i, buttons.get(i.id)) for i in declared)
    interactions += tuple(button for button in unlisted if button)
    return Screen(id=screen_id, interactions=interactions, inputs=_node_inputs(nodes))


def _nodes(design: JsonObject) -> list[JsonObject]:
    contents = design.get("contents")
    if not isinstance(contents, Mapping):
        return []
    return [node for node in contents.values() if isinstance(node, Mapping)]


def _declared_interactions(raw: Any) -> tuple[Interaction, ...]:
    if not isinstance(raw, list):
        return ()
    return tuple(
        Interaction(id=entry["id"], label=str(entry.get("label") or entry["id"]))
        for entry in raw
        if isinstance(entry, Mapping) and isinstance(entry.get("id"), str)
    )


def _component(node: JsonObject) -> str | None:
    kind = node.get("type")
    name = kind.get("resolvedName") if isinstance(kind, Mapping) else None
    return name if isinstance(name, str) else None


def _custom(node: JsonObject, key: str) -> Any:
    custom = node.get("custom")
    return custom.get(key) if isinstance(custom, Mapping) else None


def _button_nodes(nodes: list[JsonObject]) -> dict[str, JsonObject]:
    """The screen's button nodes by their id (the interaction id a click sends)."""
    buttons: dict[str, JsonObject] = {}
    for node in nodes:
        button_id = node["props"].get("id")
        is_button = (_component(node) or "").endswith(_BUTTON) or _custom(node, "type") == "button"
        if is_button and isinstance(button_id, str):
            buttons.setdefault(button_id, node)
    return buttons


def _unlisted_button(node: JsonObject) -> Interaction | None:
    """A button the screen's interactions leave out; one without a text cannot be named."""
    label = node["props"].get("children")
    if not isinstance(label, str) or not label.strip():
        return None
    return _as_designed(Interaction(id=node["props"]["id"], label=label.strip()), node)


def _as_designed(interaction: Interaction, node: JsonObject | None) -> Interaction:
    """``interaction`` with what its button node says about validation and social login."""
    if node is None:
        return interaction
    return replace(
        interaction,
        validates=node["props"].get("formNoValidate") is not True,
        provider=_provider(node),
    )


def _provider(node: JsonObject) -> str:
    component = _component(node) or ""
    known = _SOCIAL_BUTTONS.get(component)
    if known is not None:
        return known
    social = node["props"].get("data-type") == _SOCIAL or _custom(node, "subType") == _SOCIAL
    if social and component.endswith(_BUTTON):
        return component.removesuffix(_BUTTON).lower()
    return ""


def _node_inputs(nodes: list[JsonObject]) -> tuple[ScreenInput, ...]:
    inputs: dict[str, ScreenInput] = {}
    for node in nodes:
        props = node["props"]
        name = props.get("name")
        if isinstance(name, str) and name and name not in inputs:
            inputs[name] = ScreenInput(
                name=name,
                required=props.get("required") is True,
                component=_component(node) or "TextField",
            )
    return tuple(inputs.values())


def _task_interactions(task: JsonObject, rules: tuple[Rule, ...]) -> tuple[Interaction, ...]:
    declared = _declared_interactions(task.get("interactions"))
    if declared:
        return declared
    ids = dict.fromkeys(rule.interaction_id for rule in rules if rule.interaction_id)
    return tuple(Interaction(id=rule_id, label=rule_id) for rule_id in ids)


def _task_inputs(task: JsonObject) -> tuple[ScreenInput, ...]:
    keys = task.get("allInputKeys")
    metadata = task.get("inputsMetadata")
    names: list[Any] = list(keys) if isinstance(keys, list) else []
    if isinstance(metadata, list):
        names += [entry.get("key") for entry in metadata if isinstance(entry, Mapping)]
    unique = dict.fromkeys(name for name in names if isinstance(name, str) and name)
    return tuple(ScreenInput(name=name) for name in unique)
