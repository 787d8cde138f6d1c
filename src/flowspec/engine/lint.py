"""Lint for flows: what a flow of the test world would do wrong, found without running it.

:func:`load_for_lint` loads ``scenarios/`` as a run would, except that a flow file the
loader refuses (a rule to a missing task, a malformed file) becomes one finding for that
file and the other flows are still checked. :func:`check_flows` then looks at every flow:

- errors (a run that reaches them stops): an action the engine does not emulate (with
  did-you-mean), a flow task running a flow the world does not have;
- warnings (the flow runs, but perhaps not as meant): a task no rule or branch reaches
  from the start task (the editor's own ``start`` node aside), a button with no rule
  (clicking it fails; real exports have such, e.g. a polling screen's ``polling-error``),
  a condition without an ELSE branch (a run where no branch holds stops there), and a
  condition key nothing can set: a root the local engine never fills (``usr.loggedIn``,
  or Descope's ``idpInitiated``), ``form.<x>`` where no screen of any flow has the input
  ``x`` and no scenario sends it, ``user.customAttributes.<y>`` (or ``unauthUser.``)
  where no user of ``users.yaml`` has ``y`` and no task writes it. Other keys under a
  known root are taken as settable: the check only flags what it can prove is never set.

Line numbers are the best the flow's text gives: the line where the task is written (its
key under ``tasks`` in the YAML shorthand, its ``"<id>": {`` in a JSON export or a
snapshot's ``contents.json``), or the line in the task's block that names the action,
key or button; line 1 when the text does not show it (a one-line export).
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

from flowspec.engine.actions import REGISTRY
from flowspec.engine.loader import _flow_paths, load_flow
from flowspec.engine.model import ELSE, Flow, Task
from flowspec.engine.users import User
from flowspec.engine.world import World
from flowspec.errors import FlowDefinitionError, did_you_mean

__all__ = [
    "DYNAMIC_ROOTS",
    "Finding",
    "Level",
    "LintedWorld",
    "check_flows",
    "load_for_lint",
    "one_line",
]

Level = Literal["error", "warning"]

# The sections of the values a flow reads (flowspec.engine.context.DynamicValues); a test
# compares the two, so a section added there fails until it is added here.
DYNAMIC_ROOTS: Final = frozenset(
    {
        "user",
        "unauthUser",
        "form",
        "deviceInfo",
        "riskInfo",
        "connectors",
        "provider",
        "jwtClaims",
        "authInfo",
    }
)
_CUSTOM_ATTRIBUTES: Final = "customAttributes"
_PROFILE_ACTION: Final = "update-user-properties"
_PROFILE_DEFINITIONS: Final = "userPropertiesDefinitions"
_CONTENTS: Final = "contents.json"
# A mapping key on a line of its own: quoted, or plain text not starting a list or comment.
_YAML_KEY = re.compile(
    r"""^(?P<indent>\s*)(?:"(?P<dq>.*)"|'(?P<sq>.*)'|(?P<plain>[^\s#'"-][^#]*?))\s*:(?:\s|$)"""
)
# A loader's source: the file, then maybe :line and :column.
_SOURCE = re.compile(r"(?P<file>.+?)(?::(?P<line>\d+))?(?::\d+)?")
# A loader's location that names a task: tasks["7"] (the id written as JSON).
_LOCATED_TASK = re.compile(r'tasks\[("(?:[^"\\]|\\.)*")\]')


@dataclass(frozen=True, order=True)
class Finding:
    """One problem: where it is (file and line), how bad, and what to do about it."""

    file: str
    line: int
    level: Level
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.level}: {self.message}"


@dataclass(frozen=True)
class LintedWorld:
    """The test world as lint sees it.

    ``world`` is None when a flow file kept it from loading; ``flows`` then holds every
    flow that loads on its own, ``users`` is None (so checks that need users are
    skipped), and ``unloaded`` holds the file names, without suffix, of the flows that
    did not load: their ids, as far as lint can tell.
    """

    root: Path
    world: World | None
    flows: Mapping[str, Flow]
    findings: tuple[Finding, ...]
    unloaded: frozenset[str]

    @property
    def users(self) -> Sequence[User] | None:
        return None if self.world is None else self.world.users


def load_for_lint(root: Path) -> LintedWorld:
    """Load the world at ``root``; each flow file the loader refuses is a finding.

    Raises :class:`~flowspec.errors.WorldError` when the world cannot be loaded at all
    (project.yaml or users.yaml is wrong, there is no flows folder).
    """
    try:
        world = World.load(root)
    except FlowDefinitionError as refused:
        folder = root / "flows"
        if not folder.is_dir():
            raise
        return _load_flow_by_flow(root, folder, refused)
    return LintedWorld(root, world, world.flows, (), frozenset())


def _load_flow_by_flow(root: Path, folder: Path, refused: FlowDefinitionError) -> LintedWorld:
    flows: dict[str, Flow] = {}
    findings: list[Finding] = []
    unloaded: set[str] = set()
    for path in _flow_paths(folder):
        try:
            flow = load_flow(path)
        except FlowDefinitionError as error:
            findings.append(_refusal(error))
            unloaded.add(path.stem)
            continue
        flows.setdefault(flow.id, flow)
    if not findings:
        # Every file loads on its own, so the world refused them together (one flow id twice).
        findings.append(_refusal(refused))
    return LintedWorld(root, None, flows, tuple(findings), frozenset(unloaded))


def _refusal(error: FlowDefinitionError) -> Finding:
    """The loader's own message, at the file and line its source names (``path:line:col``),
    else at the line of the task its location names (``tasks["7"]...``)."""
    source = _SOURCE.fullmatch(error.source)
    file = source.group("file") if source else error.source
    line = int(source.group("line")) if source and source.group("line") else 0
    task = _LOCATED_TASK.search(error.location)
    if not line and task is not None:
        task_id = json.loads(task.group(1))
        path = Path(file)
        text = path.read_text(encoding="utf-8") if path.is_file() else ""
        line = _json_task_lines(text.splitlines(), {task_id: None}).get(task_id, 0)
    message = f"the flow does not load: at {error.location}: {error.problem}. {error.fix}"
    return Finding(file, line or 1, "error", one_line(message))


def one_line(message: str) -> str:
    """``message`` on one line, for a finding: its lines joined up to the first indented
    one (an excerpt with a caret, which the finding's line number replaces)."""
    kept: list[str] = []
    for line in message.strip().splitlines():
        if line.startswith((" ", "\t")):
            break
        kept.append(line.strip())
    return " ".join(part for part in kept if part).rstrip(":")


def check_flows(
    flows: Mapping[str, Flow],
    users: Sequence[User] | None,
    sent_inputs: Collection[str] = (),
) -> list[Finding]:
    """Every finding for every flow, in file and line order.

    ``users`` None skips the custom-attribute check; ``sent_inputs`` are the form values
    scenarios send themselves (flow inputs, filled-in fields), which a condition may read.
    """
    settable = _Settable.of(flows, users, sent_inputs)
    findings: list[Finding] = []
    for flow in flows.values():
        text = _FlowText.of(flow)
        findings += _unreachable(flow, text)
        for task in flow.tasks.values():
            findings += _task_findings(flow, task, flows, settable, text)
    return sorted(findings)


def _task_findings(
    flow: Flow, task: Task, flows: Mapping[str, Flow], settable: _Settable, text: _FlowText
) -> Iterator[Finding]:
    where = f'{_task_name(task)} of flow "{flow.id}"'
    if task.type == "automated" and task.action not in REGISTRY.specs:
        action = task.action or ""
        yield text.finding(
            task,
            action,
            "error",
            f'{where} runs the action "{action}", which the engine does not emulate. '
            f"{did_you_mean(action, REGISTRY.specs)}`flowspec actions` lists the "
            f"{len(REGISTRY.specs)} it does",
        )
    if task.type == "flow" and task.sub_flow_id not in flows:
        sub = task.sub_flow_id or ""
        yield text.finding(
            task,
            sub,
            "error",
            f'{where} runs the flow "{sub}", which the world does not have. '
            f"{did_you_mean(sub, flows)}Add it to the flows folder or correct the id",
        )
    for button in task.screen.interactions if task.screen else ():
        if not task.targets(button.id):
            yield text.finding(
                task,
                button.label,
                "warning",
                f'button "{button.label}" ({button.id}) on {where} leads nowhere: no rule '
                f'has interaction "{button.id}", so clicking it fails. Connect it to a task '
                "or remove it from the screen",
            )
    if task.type == "condition" and not any(branch.is_else for branch in task.branches):
        yield text.finding(
            task,
            "",
            "warning",
            f"{where} has no {ELSE} branch: a run where no branch holds stops there with an "
            "error. Add `- else: <task>` (connect the condition's else in Descope)",
        )
    keys = dict.fromkeys(c.key for branch in task.branches for c in branch.conditions)
    for key in keys:
        problem = settable.problem(key)
        if problem:
            yield text.finding(
                task, key, "warning", f'{where} tests "{key}", which nothing sets: {problem}'
            )


def _unreachable(flow: Flow, text: _FlowText) -> Iterator[Finding]:
    reached: set[str] = set()
    pending = [flow.start_task]
    while pending:
        task_id = pending.pop()
        if task_id in reached or task_id not in flow.tasks:
            continue
        reached.add(task_id)
        pending += [rule.task_id for rule in flow.tasks[task_id].rules]
    for task in flow.tasks.values():
        if task.id not in reached and task.type != "start":
            yield text.finding(
                task,
                "",
                "warning",
                f'{_task_name(task)} of flow "{flow.id}" is unreachable: no rule or branch '
                f'leads to it from the start task "{flow.start_task}". Connect it or delete it',
            )


def _task_name(task: Task) -> str:
    shown = f'"{task.name}"' if task.name == task.id else f'"{task.name}" ({task.id})'
    return f"task {shown}"


@dataclass(frozen=True)
class _Settable:
    """What can set the dynamic values a condition reads, as far as lint can tell."""

    inputs: frozenset[str]
    attributes: frozenset[str] | None

    @classmethod
    def of(
        cls, flows: Mapping[str, Flow], users: Sequence[User] | None, sent: Collection[str]
    ) -> _Settable:
        tasks = [task for flow in flows.values() for task in flow.tasks.values()]
        inputs = {i.name for task in tasks for i in (task.screen.inputs if task.screen else ())}
        if users is None:
            return cls(frozenset({*inputs, *sent}), None)
        attributes = {name for user in users for name in user.custom_attributes}
        attributes.update(name for task in tasks for name in _written_attributes(task))
        return cls(frozenset({*inputs, *sent}), frozenset(attributes))

    def problem(self, key: str) -> str:
        """Why nothing sets ``key``, or "" when something may."""
        root, *rest = key.split(".")
        if root not in DYNAMIC_ROOTS:
            return (
                f'the local engine sets nothing under "{root}", so it is always missing there. '
                + (did_you_mean(root, DYNAMIC_ROOTS) or "")
                + f"Known roots: {', '.join(sorted(DYNAMIC_ROOTS))}"
            )
        if root == "form" and rest and rest[0] not in self.inputs:
            return (
                f'no screen of any flow has the input "{rest[0]}" and no scenario sends it. '
                + did_you_mean(rest[0], self.inputs)
                + "Add the input to a screen, or send it with a flow input"
            ).rstrip()
        custom = root in ("user", "unauthUser") and rest[:1] == [_CUSTOM_ATTRIBUTES]
        if custom and self.attributes is not None and len(rest) > 1:
            name = rest[1]
            if name not in self.attributes:
                return (
                    f'no user in users.yaml has the custom attribute "{name}" and no task '
                    f"writes it. {did_you_mean(name, self.attributes)}Give a user "
                    f"customAttributes: {{{name}: ...}} in users.yaml"
                )
        return ""


def _written_attributes(task: Task) -> Iterator[str]:
    """The custom attributes an update-user-properties task writes."""
    if task.action != _PROFILE_ACTION:
        return
    definitions = task.arguments.get(_PROFILE_DEFINITIONS)
    for definition in definitions if isinstance(definitions, list) else ():
        key = definition.get("key") if isinstance(definition, Mapping) else None
        head, _, name = str(key or "").partition(".")
        if head == _CUSTOM_ATTRIBUTES and name:
            yield name.split(".")[0]


@dataclass(frozen=True)
class _FlowText:
    """A flow file's lines, and where each task's block starts and ends in them."""

    file: str
    lines: tuple[str, ...]
    starts: Mapping[str, int]

    @classmethod
    def of(cls, flow: Flow) -> _FlowText:
        path = Path(flow.source)
        if path.is_dir():
            path = path / _CONTENTS
        try:
            lines = tuple(path.read_text(encoding="utf-8").splitlines())
        except (OSError, UnicodeDecodeError):
            lines = ()
        json_text = path.suffix.lower() == ".json"
        finder = _json_task_lines if json_text else _yaml_task_lines
        return cls(str(path), lines, finder(lines, flow.tasks))

    def finding(self, task: Task, needle: str, level: Level, message: str) -> Finding:
        """A finding on the line of ``task`` that shows ``needle``, else the task's line."""
        start = self.starts.get(task.id)
        if start is None:
            return Finding(self.file, 1, level, message)
        later = [line for line in self.starts.values() if line > start]
        end = min(later) if later else len(self.lines) + 1
        for number in range(start, end):
            if needle and needle in self.lines[number - 1]:
                return Finding(self.file, number, level, message)
        return Finding(self.file, start, level, message)


def _yaml_task_lines(lines: Sequence[str], tasks: Mapping[str, Any]) -> dict[str, int]:
    """The line of each task's key: the keys indented as the first one under ``tasks:``."""
    found: dict[str, int] = {}
    indent: str | None = None
    inside = False
    for number, line in enumerate(lines, start=1):
        key = _YAML_KEY.match(line)
        if key is None:
            continue
        name = next(key.group(g) for g in ("dq", "sq", "plain") if key.group(g) is not None)
        if not key.group("indent") and inside and indent:
            break
        if not key.group("indent"):
            inside = name == "tasks"
            continue
        if inside and indent is None:
            indent = key.group("indent")
        if inside and key.group("indent") == indent and name in tasks:
            found.setdefault(name, number)
    return found


def _json_task_lines(lines: Sequence[str], tasks: Mapping[str, Any]) -> dict[str, int]:
    """The line of each task's ``"<id>": {`` after the first ``"tasks"``."""
    found: dict[str, int] = {}
    first = next((n for n, line in enumerate(lines, start=1) if '"tasks"' in line), None)
    if first is None:
        return found
    keys = {task_id: re.compile(re.escape(json.dumps(task_id)) + r"\s*:\s*\{") for task_id in tasks}
    for number in range(first, len(lines) + 1):
        for task_id, key in keys.items():
            if task_id not in found and key.search(lines[number - 1]):
                found[task_id] = number
    return found
