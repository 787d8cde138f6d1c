"""A YAML shorthand for hand-written flows, compiled to the same model as Descope exports.

Product owners write flows the way they draw them: named tasks, each doing one thing, and
where each outcome goes. A complete example::

    flow: step-up                  # the flow id; default: the file name without .yaml
    name: Step-up MFA              # optional display name; default: the id
    description: Free text.        # optional, here and on any task; the engine ignores it
    start: logged in?              # the first task; default: the first task listed
    tasks:
      logged in?:                  # the task id: any text, spaces allowed
        condition:                 # branches, tried in order
          - branch: Logged in      # branch name; its id is the name slugged
            id: logged-in          #   ("logged-in") unless given
            when:                  # all must hold; a list, or a mapping of key -> test
              - user.loggedIn: is-true               # an operator without predicate
              - jwtClaims.roles: {contains: admin}   # an operator with its predicate
              - riskInfo.riskScore: {greater-than: 0.2, less-than: 0.8}  # two tests
            then: load user
          - else: welcome          # the fallback; optional, last; may have `branch:`
      welcome:
        screen: Welcome            # screen id; default: the task id
        inputs: [email]            # names, or {name:, required:, component:}
        buttons:                   # label -> task; the button id is the label slugged
          Continue: send code
          Use a passkey: {to: passkey, id: passkey-button}
          Continue with Google: {to: google, provider: google}   # a social login
          Send again: {to: send code, validates: false}   # submits without the inputs
          Email me a link: send link
        next: {polling: welcome}   # other interactions of the screen (submit, polling)
      load user:
        action: loadUser
        next: verify               # a task = where `success` goes
      verify:
        name: Verify your code     # display name; default: the task id
        screen: Verify code
        inputs:
          - code                   # required unless said otherwise
          - {name: remember, required: false, component: Checkbox}
        buttons:
          Verify: check code
      check code:
        action: verify-totp-code
        arguments: {}              # optional, passed to the action as they are
        next: {success: done, InvalidCode: verify}   # outcome -> task
      send code:
        action: sign-up-or-in-otp-email
        next: verify
      send link:
        action: sign-in-magic-link-email   # two-phase: sends, then waits for the click
        next: [check inbox, send link.end]   # one outcome, several tasks, in order
      check inbox:                 # shown while the link is out
        screen: Check your inbox
        buttons:
          Send again: {to: send link, validates: false}
      send link.end:               # the second phase, where the click resumes the run
        action: verify-magic-link
        next: done
      google:
        action: oauth-start
        next: done
      passkey:
        flow: passkey-flow         # run another flow by id
        next: done                 # where its successful end goes
      done:
        action: logged-in          # no next: the flow ends here

Rules of the shorthand:

- A task is exactly one of ``action`` (automated), ``screen``/``inputs``/``buttons``
  (screen), ``condition`` or ``flow``. ``name``, ``description`` and (except on a
  condition) ``next`` are allowed on any task; ``arguments`` only with ``action``.
- ``next`` as a task id sends ``success`` there; as a mapping it maps outcomes to tasks.
  An automated task's outcomes other than ``success`` are error names, and naming one
  turns Descope's custom error handling on for it (``errorHandlingV2 = custom``).
  On a screen, ``next`` maps interactions that are not buttons (``submit``, ``polling``).
- One outcome may lead to several tasks, listed in order:
  ``next: {success: [check inbox, send link.end]}``, or, for ``success`` alone,
  ``next: [check inbox, send link.end]``. A two-phase action (a magic link, a password
  reset) needs this to show a "sent" screen: as in Descope's exports, its send task has
  two ``success`` rules, one to the screen and one to its ``<id>.end`` task, where the
  ``submit`` of the clicked link resumes the run. A task is listed once per outcome.
- A button is ``label: task`` or ``label: {to:, id:, provider:, validates:}``.
  ``provider`` names the social login it starts (``google``, ``apple``, ...);
  ``validates: false`` lets it submit with required inputs empty, as Descope's
  ``formNoValidate`` does. ``validates`` defaults to false for a button with a
  ``provider`` (Descope's social buttons skip validation) and to true otherwise.
- Ids (button and branch) are the label slugged: lower case, runs of other characters
  replaced by ``-``. Two buttons or branches with the same id are an error.
- Task ids written as numbers (``7:``) are read as text (``"7"``). Only ``true`` and
  ``false`` are booleans: ``Yes``, ``No``, ``On`` and ``Off`` stay text, so a branch can
  be called ``Yes``.

Mistakes are :class:`~flowspec.errors.FlowDefinitionError`\\ s naming the file and line,
the place (``tasks["verify"].buttons``) and the fix; duplicate keys, which plain YAML
silently overwrites, are errors too.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Final, NoReturn

import yaml

from flowspec.engine.bounds import BoundExceeded, SafeLoader, load_yaml
from flowspec.engine.conditions import OPERATORS
from flowspec.engine.export import Where, describe
from flowspec.engine.model import (
    ELSE,
    SUCCESS,
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

__all__ = ["parse_shorthand"]

_FLOW_KEYS: Final = ("flow", "name", "description", "start", "tasks")
_COMMON_KEYS: Final = ("name", "description", "next")
_KIND_KEYS: Final[Mapping[TaskType, tuple[str, ...]]] = {
    "automated": ("action", "arguments"),
    "screen": ("screen", "inputs", "buttons"),
    "condition": ("condition",),
    "flow": ("flow",),
}
# The keys that say what a task is; `arguments` only goes with `action`, it marks nothing.
_KIND_MARKS: Final[Mapping[TaskType, tuple[str, ...]]] = {
    kind: tuple(key for key in keys if key != "arguments") for kind, keys in _KIND_KEYS.items()
}
_KIND_NAMES: Final[Mapping[TaskType, str]] = {
    "automated": "an automated",
    "screen": "a screen",
    "condition": "a condition",
    "flow": "a flow",
}
_BRANCH_KEYS: Final = ("branch", "id", "when", "then")
_ELSE_KEYS: Final = ("else", "branch")
_INPUT_KEYS: Final = ("name", "required", "component")
_BUTTON_KEYS: Final = ("to", "id", "provider", "validates")
_ELSE_NAME = "Else"
_CUSTOM_HANDLING = "custom"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_YAML12_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_SLUG_GAP = re.compile(r"[^a-z0-9]+")
_DUPLICATE_FIX = "Keep one of the two, or rename one (task ids must differ)"
_YAML_FIX = "Fix the YAML there: indent with spaces, and quote values that contain ': ' or ' #'"


class _YamlMap(dict[Any, Any]):
    """A YAML mapping that remembers the line of each of its keys."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[Any, int] = {}


class _YamlList(list[Any]):
    """A YAML sequence that remembers the line of each item."""

    def __init__(self, items: Iterable[Any], lines: list[int]) -> None:
        super().__init__(items)
        self.lines = lines


class _DuplicateKey(yaml.constructor.ConstructorError):
    """A key written twice in one mapping, which plain YAML would silently overwrite."""


class _LineLoader(SafeLoader):
    """A safe loader whose mappings and lists carry line numbers for messages.

    YAML 1.1 reads ``yes``/``no``/``on``/``off`` as booleans, so a branch named ``Yes``
    (a name Descope's own templates use) would become ``True``; here, as in YAML 1.2,
    only ``true`` and ``false`` are booleans.
    """


def _construct_map(loader: _LineLoader, node: yaml.MappingNode) -> _YamlMap:
    explicit = {id(key_node) for key_node, _ in node.value}
    loader.flatten_mapping(node)
    result = _YamlMap()
    first_nodes: dict[Any, yaml.Node] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, Hashable):
            raise yaml.constructor.ConstructorError(
                None,
                None,
                "a key here is a list or mapping; keys must be text",
                key_node.start_mark,
            )
        earlier = first_nodes.get(key)
        if earlier is not None and id(earlier) in explicit and id(key_node) in explicit:
            raise _DuplicateKey(
                None,
                None,
                f"the key {key!r} appears twice (first on line {earlier.start_mark.line + 1}); "
                "YAML would silently keep only the last",
                key_node.start_mark,
            )
        first_nodes.setdefault(key, key_node)
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = key_node.start_mark.line + 1
    return result


def _construct_list(loader: _LineLoader, node: yaml.SequenceNode) -> _YamlList:
    return _YamlList(
        (loader.construct_object(item, deep=True) for item in node.value),
        [item.start_mark.line + 1 for item in node.value],
    )


_LineLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != _BOOL_TAG]
    for first, resolvers in SafeLoader.yaml_implicit_resolvers.items()
}
_LineLoader.add_implicit_resolver(_BOOL_TAG, _YAML12_BOOL, list("tTfF"))
_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_list)


@dataclass(frozen=True)
class _Spot:
    """Where something is: its place in the document and, when known, its line."""

    where: Where
    line: int | None

    def child(self, container: Any, step: Any, entry: bool = False) -> _Spot:
        """The spot of ``container[step]``; ``entry`` marks a key the author chose."""
        line = None
        if isinstance(container, _YamlMap):
            line = container.lines.get(step)
        elif isinstance(container, _YamlList):
            line = container.lines[step]
        if isinstance(container, list):
            where = self.where / int(step)
        else:
            where = self.where.entry(str(step)) if entry else self.where / str(step)
        return _Spot(where, line or self.line)


@dataclass
class _Compiler:
    """Compiles one shorthand document; remembers every task reference to check it last."""

    source: str
    references: list[tuple[str, _Spot]] = field(default_factory=list)

    def fail(self, spot: _Spot, problem: str, fix: str) -> NoReturn:
        source = f"{self.source}:{spot.line}" if spot.line else self.source
        raise FlowDefinitionError(source, str(spot.where), problem, fix)

    def mapping(self, value: Any, spot: _Spot, what: str) -> Mapping[Any, Any]:
        if not isinstance(value, Mapping):
            self.fail(
                spot,
                f"{what} should be a mapping (key: value lines), found {describe(value)}",
                f"Write {what} as indented `key: value` lines",
            )
        return value

    def name(self, value: Any, spot: _Spot, what: str) -> str:
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str) or not value.strip():
            self.fail(
                spot,
                f"{what} should be text, found {describe(value)}",
                f"Write {what} as plain text; quote words YAML reads as something else, "
                'such as "true" or "1.5"',
            )
        return value

    def only(
        self,
        mapping: Mapping[Any, Any],
        allowed: Iterable[str],
        spot: _Spot,
        what: str,
        hint: Mapping[str, str] | None = None,
    ) -> None:
        allowed = tuple(allowed)
        for key in mapping:
            if key in allowed:
                continue
            place = spot.child(mapping, key)
            if hint and key in hint:
                self.fail(place, f"{key!r} does not belong in {what}", hint[key])
            guess = did_you_mean(str(key), allowed)
            self.fail(
                place,
                f"unknown key {key!r} in {what}",
                f"{guess}Allowed here: {', '.join(allowed)}",
            )

    def target(self, value: Any, spot: _Spot) -> str:
        task_id = self.name(value, spot, "the task to go to")
        self.references.append((task_id, spot))
        return task_id

    def check_references(self, task_ids: Iterable[str]) -> None:
        known = list(task_ids)
        lookup = set(known)
        for task_id, spot in self.references:
            if task_id not in lookup:
                guess = did_you_mean(task_id, known)
                self.fail(
                    spot,
                    f"it leads to task {task_id!r}, which the flow does not have",
                    f"{guess}Point it at an existing task or add task {task_id!r}",
                )


def parse_shorthand(text: str, source: str, default_id: str) -> Flow:
    """Parse and compile the YAML ``text`` read from ``source``.

    ``default_id`` (the file name, usually) is the flow id when the file has no ``flow:``.
    """
    try:
        document = load_yaml(text, _LineLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        problem = str(error.problem)
        raise FlowDefinitionError(where, "the YAML text", problem, _fix(error)) from error
    except yaml.YAMLError as error:
        raise FlowDefinitionError(source, "the YAML text", str(error), _YAML_FIX) from error
    return _compile(document, _Compiler(source), default_id)


def _fix(error: yaml.MarkedYAMLError) -> str:
    if isinstance(error, BoundExceeded):
        return error.fix
    return _DUPLICATE_FIX if isinstance(error, _DuplicateKey) else _YAML_FIX


def _compile(document: Any, compiler: _Compiler, default_id: str) -> Flow:
    top = _Spot(Where(), 1)
    if document is None:
        compiler.fail(top, "the file is empty", "Start with `flow:`, `start:` and `tasks:`")
    root = compiler.mapping(document, top, "a flow file")
    compiler.only(root, _FLOW_KEYS, top, "the flow")
    flow_id = compiler.name(root.get("flow", default_id), top.child(root, "flow"), "flow")
    tasks_spot = top.child(root, "tasks")
    if "tasks" not in root:
        compiler.fail(top, "the flow has no `tasks:`", "List its tasks under `tasks:`")
    raw_tasks = compiler.mapping(root.get("tasks"), tasks_spot, "tasks")
    if not raw_tasks:
        compiler.fail(tasks_spot, "the flow has no tasks", "List its tasks under `tasks:`")
    tasks: dict[str, Task] = {}
    for key, raw in raw_tasks.items():
        spot = tasks_spot.child(raw_tasks, key, entry=True)
        task_id = compiler.name(key, spot, "a task id")
        if task_id in tasks:
            compiler.fail(spot, f"two tasks have the id {task_id!r}", _DUPLICATE_FIX)
        tasks[task_id] = _task(compiler, task_id, raw, spot)
    start = compiler.target(root.get("start", next(iter(tasks))), top.child(root, "start"))
    compiler.check_references(tasks)
    return Flow(
        id=flow_id,
        name=compiler.name(root.get("name", flow_id), top.child(root, "name"), "name"),
        start_task=start,
        tasks=tasks,
        source=compiler.source,
    )


def _task(compiler: _Compiler, task_id: str, raw: Any, spot: _Spot) -> Task:
    what = f"task {task_id!r}"
    body = compiler.mapping(raw, spot, what)
    kind = _kind(compiler, body, spot, what)
    allowed = _KIND_KEYS[kind] + (_COMMON_KEYS if kind != "condition" else ("name", "description"))
    hint = {
        key: f"{key!r} belongs to {other} tasks, and {what} is {_KIND_NAMES[kind]} task"
        for other, keys in _KIND_KEYS.items()
        if other != kind
        for key in keys
    }
    hint["next"] = "A condition's branches say where they go, with `then:` and `else:`"
    compiler.only(body, allowed, spot, what, hint)
    name = compiler.name(body.get("name", task_id), spot.child(body, "name"), "name")
    base = Task(id=task_id, name=name, type=kind)
    if kind == "automated":
        return _automated(compiler, body, spot, base)
    if kind == "screen":
        return _screen(compiler, body, spot, base)
    if kind == "condition":
        return _condition(compiler, body, spot, base)
    return _sub_flow(compiler, body, spot, base)


def _kind(compiler: _Compiler, body: Mapping[Any, Any], spot: _Spot, what: str) -> TaskType:
    kinds = [kind for kind, keys in _KIND_MARKS.items() if any(key in body for key in keys)]
    if not kinds:
        compiler.fail(
            spot,
            f"{what} does not say what it does",
            "Give it one of `action:`, `screen:` (or `buttons:`), `condition:`, `flow:`",
        )
    if len(kinds) > 1:
        compiler.fail(
            spot,
            f"{what} is both {_KIND_NAMES[kinds[0]]} task and {_KIND_NAMES[kinds[1]]} task",
            "A task does one thing; split it in two tasks joined by `next:`",
        )
    return kinds[0]


def _outcomes(compiler: _Compiler, body: Mapping[Any, Any], spot: _Spot) -> tuple[Rule, ...]:
    """The rules of ``next``: task ids for ``success``, or a mapping outcome -> task ids."""
    if body.get("next") is None:
        return ()
    place = spot.child(body, "next")
    value = body["next"]
    if not isinstance(value, Mapping):
        return _rules_for(compiler, SUCCESS, value, place)
    rules: list[Rule] = []
    for outcome, targets in value.items():
        here = place.child(value, outcome)
        rules += _rules_for(compiler, compiler.name(outcome, here, "an outcome"), targets, here)
    return tuple(rules)


def _rules_for(compiler: _Compiler, outcome: str, value: Any, spot: _Spot) -> tuple[Rule, ...]:
    """One rule per task ``outcome`` leads to: a task id, or a list of them in order."""
    if not isinstance(value, list):
        return (Rule(outcome, compiler.target(value, spot)),)
    if not value:
        compiler.fail(
            spot,
            f"the list of tasks for {outcome!r} is empty",
            "Name the task it goes to, or list several: `[check inbox, send link.end]`",
        )
    seen: set[str] = set()
    rules: list[Rule] = []
    for index, item in enumerate(value):
        here = spot.child(value, index)
        task_id = compiler.target(item, here)
        if task_id in seen:
            compiler.fail(
                here,
                f"{outcome!r} lists task {task_id!r} twice",
                "List each task once; a second rule to the same task adds nothing",
            )
        seen.add(task_id)
        rules.append(Rule(outcome, task_id))
    return tuple(rules)


def _automated(compiler: _Compiler, body: Mapping[Any, Any], spot: _Spot, base: Task) -> Task:
    rules = _outcomes(compiler, body, spot)
    arguments = body.get("arguments") or {}
    return replace(
        base,
        rules=rules,
        action=compiler.name(body["action"], spot.child(body, "action"), "action"),
        arguments=dict(compiler.mapping(arguments, spot.child(body, "arguments"), "arguments")),
        error_handling={
            rule.interaction_id: _CUSTOM_HANDLING
            for rule in rules
            if rule.interaction_id != SUCCESS
        },
    )


def _sub_flow(compiler: _Compiler, body: Mapping[Any, Any], spot: _Spot, base: Task) -> Task:
    flow_id = compiler.name(body["flow"], spot.child(body, "flow"), "flow")
    return replace(
        base,
        rules=_outcomes(compiler, body, spot),
        arguments={"flowId": flow_id},
        sub_flow_id=flow_id,
    )


def _slug(compiler: _Compiler, label: str, spot: _Spot) -> str:
    slug = _SLUG_GAP.sub("-", label.lower()).strip("-")
    if not slug:
        compiler.fail(
            spot, f"{label!r} gives no usable id", "Give it an `id:` of letters or digits"
        )
    return slug


def _screen(compiler: _Compiler, body: Mapping[Any, Any], spot: _Spot, base: Task) -> Task:
    screen_id = body.get("screen")
    if screen_id is None:
        screen_id = base.id
    interactions, button_rules = _buttons(compiler, body, spot)
    next_value = body.get("next")
    if next_value is not None and not isinstance(next_value, Mapping):
        compiler.fail(
            spot.child(body, "next"),
            "a screen moves on through its buttons",
            "List buttons under `buttons:`; use `next:` only as a mapping for other "
            "interactions, e.g. `next: {submit: verify link}`",
        )
    return replace(
        base,
        rules=button_rules + _outcomes(compiler, body, spot),
        screen=Screen(
            id=compiler.name(screen_id, spot.child(body, "screen"), "screen"),
            interactions=interactions,
            inputs=_inputs(compiler, body, spot),
        ),
    )


def _buttons(
    compiler: _Compiler, body: Mapping[Any, Any], spot: _Spot
) -> tuple[tuple[Interaction, ...], tuple[Rule, ...]]:
    place = spot.child(body, "buttons")
    buttons = compiler.mapping(body.get("buttons") or {}, place, "buttons")
    interactions: dict[str, Interaction] = {}
    rules: list[Rule] = []
    for raw_label, raw in buttons.items():
        here = place.child(buttons, raw_label, entry=True)
        label = compiler.name(raw_label, here, "a button label")
        if isinstance(raw, Mapping):
            interaction, target = _button_mapping(compiler, label, raw, here)
        else:
            interaction, target = Interaction(_slug(compiler, label, here), label), raw
        if interaction.id in interactions:
            compiler.fail(
                here,
                f"two buttons have the id {interaction.id!r}",
                "Give one of them another label or an explicit `id:`",
            )
        interactions[interaction.id] = interaction
        rules.append(Rule(interaction.id, compiler.target(target, _target_spot(raw, here))))
    return tuple(interactions.values()), tuple(rules)


def _target_spot(raw: Any, here: _Spot) -> _Spot:
    return here.child(raw, "to") if isinstance(raw, Mapping) else here


def _button_mapping(
    compiler: _Compiler, label: str, raw: Mapping[Any, Any], here: _Spot
) -> tuple[Interaction, Any]:
    """A button written as a mapping, and the task it goes to (checked by the caller)."""
    compiler.only(raw, _BUTTON_KEYS, here, f"button {label!r}")
    if "to" not in raw:
        compiler.fail(
            here,
            f"button {label!r} does not say where it goes",
            "Add `to:` with the task it leads to",
        )
    button_id = (
        compiler.name(raw["id"], here.child(raw, "id"), "a button id")
        if "id" in raw
        else _slug(compiler, label, here)
    )
    provider = (
        compiler.name(raw["provider"], here.child(raw, "provider"), "provider")
        if "provider" in raw
        else ""
    )
    validates = raw.get("validates", not provider)
    if not isinstance(validates, bool):
        compiler.fail(
            here.child(raw, "validates"),
            "validates should be true or false",
            "Write `validates: false` for a button that submits without checking the inputs",
        )
    return Interaction(button_id, label, validates=validates, provider=provider), raw["to"]


def _inputs(compiler: _Compiler, body: Mapping[Any, Any], spot: _Spot) -> tuple[ScreenInput, ...]:
    place = spot.child(body, "inputs")
    raw_inputs = body.get("inputs") or []
    if not isinstance(raw_inputs, list):
        compiler.fail(
            place,
            f"inputs should be a list, found {describe(raw_inputs)}",
            "Write `inputs: [email, code]` or one `- name` per line",
        )
    inputs: list[ScreenInput] = []
    for index, raw in enumerate(raw_inputs):
        here = place.child(raw_inputs, index)
        if not isinstance(raw, Mapping):
            inputs.append(ScreenInput(compiler.name(raw, here, "an input name"), required=True))
            continue
        compiler.only(raw, _INPUT_KEYS, here, "an input")
        required = raw.get("required", True)
        if not isinstance(required, bool):
            compiler.fail(
                here.child(raw, "required"),
                "required should be true or false",
                "Write `required: false` for an optional input",
            )
        inputs.append(
            ScreenInput(
                name=compiler.name(raw.get("name"), here.child(raw, "name"), "an input name"),
                required=required,
                component=compiler.name(
                    raw.get("component", "TextField"), here.child(raw, "component"), "component"
                ),
            )
        )
    return tuple(inputs)


def _condition(compiler: _Compiler, body: Mapping[Any, Any], spot: _Spot, base: Task) -> Task:
    place = spot.child(body, "condition")
    raw_branches = body["condition"]
    if not isinstance(raw_branches, list) or not raw_branches:
        compiler.fail(
            place,
            "a condition needs a list of branches",
            "Write one `- branch: ... when: ... then: ...` per branch, then `- else:`",
        )
    branches: list[Branch] = []
    rules: list[Rule] = []
    for index, raw in enumerate(raw_branches):
        here = place.child(raw_branches, index)
        branch, target = _branch(compiler, raw, here, last=index == len(raw_branches) - 1)
        if any(seen.interaction_id == branch.interaction_id for seen in branches):
            compiler.fail(
                here,
                f"two branches have the id {branch.interaction_id!r}",
                "Rename one of them or give it an explicit `id:`",
            )
        branches.append(branch)
        rules.append(Rule(branch.interaction_id, target))
    return replace(base, rules=tuple(rules), branches=tuple(branches))


def _branch(compiler: _Compiler, raw: Any, spot: _Spot, last: bool) -> tuple[Branch, str]:
    body = compiler.mapping(raw, spot, "a branch")
    if "else" in body:
        compiler.only(body, _ELSE_KEYS, spot, "the else branch")
        if not last:
            compiler.fail(
                spot,
                "the else branch is not the last one",
                "Move `- else:` to the end: branches after it would never be tried",
            )
        name = compiler.name(body.get("branch", _ELSE_NAME), spot.child(body, "branch"), "branch")
        return Branch(name, ELSE), compiler.target(body["else"], spot.child(body, "else"))
    compiler.only(body, _BRANCH_KEYS, spot, "a branch")
    for required in ("branch", "when", "then"):
        if required not in body:
            compiler.fail(
                spot,
                f"the branch has no `{required}:`",
                "A branch needs `branch:` (its name), `when:` (its tests) and `then:`",
            )
    name = compiler.name(body["branch"], spot.child(body, "branch"), "branch")
    branch_id = (
        compiler.name(body["id"], spot.child(body, "id"), "id")
        if "id" in body
        else _slug(compiler, name, spot.child(body, "branch"))
    )
    conditions = _when(compiler, body["when"], spot.child(body, "when"))
    target = compiler.target(body["then"], spot.child(body, "then"))
    return Branch(name, branch_id, conditions), target


def _when(compiler: _Compiler, raw: Any, spot: _Spot) -> tuple[AtomicCondition, ...]:
    """Tests as a mapping (key -> test) or a list of one-key mappings; a test is an
    operator, or a mapping operator -> predicate."""
    entries: list[tuple[Mapping[Any, Any], Any, _Spot]] = []
    if isinstance(raw, Mapping) and raw:
        entries = [(raw, key, spot.child(raw, key, entry=True)) for key in raw]
    elif isinstance(raw, list) and raw:
        for index, item in enumerate(raw):
            here = spot.child(raw, index)
            test = compiler.mapping(item, here, "a test")
            if len(test) != 1:
                compiler.fail(
                    here,
                    "each `when` item tests one key",
                    "Write `- user.loggedIn: is-true`, one test per line",
                )
            entries.append((test, next(iter(test)), here))
    else:
        compiler.fail(
            spot,
            f"`when` should list the tests, found {describe(raw)}",
            "Write `when:` then lines like `- user.loggedIn: is-true`",
        )
    conditions: list[AtomicCondition] = []
    for container, key, here in entries:
        dynamic_key = compiler.name(key, here, "a dynamic key")
        for operator, predicate in _tests(compiler, container[key], here):
            conditions.append(AtomicCondition(dynamic_key, operator, predicate))
    return tuple(conditions)


def _tests(compiler: _Compiler, raw: Any, spot: _Spot) -> list[tuple[str, Any]]:
    tests = list(raw.items()) if isinstance(raw, Mapping) else [(raw, None)]
    if not tests:
        compiler.fail(spot, "the test is empty", "Write an operator such as `is-true`")
    for operator, _ in tests:
        if not isinstance(operator, str):
            compiler.fail(
                spot,
                f"a test should be an operator, found {describe(operator)}",
                "Write an operator such as `is-true`, or a mapping such as `{contains: admin}`",
            )
        if operator not in OPERATORS:
            guess = did_you_mean(operator, OPERATORS)
            compiler.fail(
                spot,
                f"unknown operator {operator!r}",
                f"{guess}Operators: {', '.join(sorted(OPERATORS))}",
            )
    return tests
