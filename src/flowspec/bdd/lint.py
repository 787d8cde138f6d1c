"""Lint for features: steps no step matches, and names the test world does not hold.

:func:`lint_project` parses every feature with behave's own parser (Examples from files
filled in as a run fills them, Scenario Outlines expanded to their rows), matches each
step against the steps folder's steps (or flowspec's step library), and reports:

- an undefined step, with the three catalog steps closest to it;
- a flow, user, screen or button a matched step names that the world lacks, with
  did-you-mean. Which argument names what is :data:`NAMED`, by the parameter's name in
  the step patterns (``I run the "{flow:Text}" flow``). Screens and buttons are looked
  for in the flows the scenario runs and the flows those run; in every flow when the
  scenario runs none.

It adds the flow findings of :mod:`flowspec.engine.lint`; the form values the linted
scenarios send (a ``name`` argument, a ``name`` column of a click's table) count as
set, so only the features given are taken into account for ``form.*`` keys.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

from behave.parser import ParserError, parse_file
from behave.step_registry import registry

from flowspec.bdd.catalog import CatalogEntry, closest, load_catalog
from flowspec.bdd.examples import load_examples
from flowspec.bdd.feature_files import feature_files
from flowspec.engine.lint import Finding, LintedWorld, check_flows, load_for_lint, one_line
from flowspec.engine.model import Flow
from flowspec.errors import UnknownNameError, WorldError

__all__ = ["NAMED", "SENT_INPUT", "LintReport", "lint_project"]

Kind = Literal["flow", "user", "screen", "button"]

# What a step argument names, by its parameter's name in the step patterns. A test lists
# the steps behind each one, so renaming a parameter fails it instead of skipping a check.
NAMED: Final[Mapping[str, Kind]] = {
    "flow": "flow",
    "user": "user",
    "screen": "screen",
    "button": "button",
}
# The argument (and table column) that holds a form value a scenario sends.
SENT_INPUT: Final = "name"
SUGGESTIONS: Final = 3


@dataclass(frozen=True)
class LintReport:
    """The findings, in file and line order, and how much was checked."""

    findings: tuple[Finding, ...]
    flows: int
    features: int

    @property
    def errors(self) -> int:
        return sum(1 for finding in self.findings if finding.level == "error")

    @property
    def warnings(self) -> int:
        return len(self.findings) - self.errors

    def summary(self) -> str:
        checked = f"{_count(self.flows, 'flow')} and {_count(self.features, 'feature file')}"
        if not self.findings:
            return f"no problems in {checked}"
        found = f"{_count(self.errors, 'error')}, {_count(self.warnings, 'warning')}"
        return f"{found} in {checked}"


def lint_project(paths: Sequence[Path], scenarios: Path, steps_dir: Path | None) -> LintReport:
    """Lint the features under ``paths`` and every flow of the world at ``scenarios``, with
    the steps of ``steps_dir`` (None: flowspec's step library alone).

    ``@from:`` Examples paths start from the folder holding ``steps_dir``, as behave's
    do, or from the current folder. Raises :class:`~flowspec.errors.WorldError` when the
    world cannot be loaded at all.
    """
    linted = load_for_lint(scenarios)
    base = steps_dir.resolve().parent if steps_dir is not None else Path.cwd()
    # load_catalog also fills behave's step registry, which matches the steps below.
    checker = _Checker(tuple(load_catalog(steps_dir)), _Names(linted), base)
    findings = list(linted.findings)
    sent: set[str] = set()
    files = feature_files(paths)
    for path in files:
        findings += checker.feature(path, sent)
    findings += check_flows(linted.flows, linted.users, sent)
    flows = len(linted.flows) + len(linted.unloaded)
    return LintReport(tuple(sorted(dict.fromkeys(findings))), flows, len(files))


@dataclass(frozen=True)
class _Checker:
    """Checks feature files against the steps (``catalog``) and the world (``names``);
    ``base`` is the folder ``@from:`` Examples paths start from."""

    catalog: tuple[CatalogEntry, ...]
    names: _Names
    base: Path

    def feature(self, path: Path, sent: set[str]) -> list[Finding]:
        """The findings of one feature file; adds the form values it sends to ``sent``."""
        try:
            feature = parse_file(str(path))
        except ParserError as error:
            problem = one_line(str(error.args[0]))
            return [_error(path, error.line or 1, f"the feature does not parse: {problem}")]
        if feature is None:
            return []
        try:
            load_examples(feature, self.base)
        except WorldError as error:
            return [_error(path, feature.line, one_line(str(error)))]
        findings: list[Finding] = []
        for scenario in feature.walk_scenarios():
            findings += self._scenario(path, scenario, sent)
        return findings

    def _scenario(self, path: Path, scenario: Any, sent: set[str]) -> Iterator[Finding]:
        matched: list[tuple[Any, dict[str, str]]] = []
        for step in scenario.all_steps:
            match = registry.find_match(step)
            if match is None:
                yield _error(path, step.line, self._undefined(step))
                continue
            arguments = {a.name: str(a.value) for a in match.arguments or () if a.name}
            matched.append((step, arguments))
            sent.update(_sent(step, arguments))
        scope = self.names.scope([args["flow"] for _, args in matched if "flow" in args])
        for step, arguments in matched:
            for parameter, kind in NAMED.items():
                value = arguments.get(parameter)
                problem = None if value is None else self.names.problem(kind, value, scope)
                if problem:
                    yield _error(path, step.line, problem)

    def _undefined(self, step: Any) -> str:
        written = f"{step.keyword.strip()} {step.name}"
        shown = " | ".join(closest(step.step_type, step.name, self.catalog, SUGGESTIONS))
        return f"undefined step '{written}'; closest: {shown}"


def _sent(step: Any, arguments: Mapping[str, str]) -> Iterator[str]:
    """The form values a step sends: its ``name`` argument, its table's ``name`` column."""
    if SENT_INPUT in arguments:
        yield arguments[SENT_INPUT]
    if step.table is not None and SENT_INPUT in step.table.headings:
        yield from (str(row[SENT_INPUT]) for row in step.table)


def _error(path: Path, line: int, message: str) -> Finding:
    return Finding(str(path), line, "error", message)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


@dataclass(frozen=True)
class _Names:
    """What the test world holds, for the names a step gives."""

    linted: LintedWorld

    def scope(self, run: Sequence[str]) -> tuple[Flow, ...] | None:
        """The flows a scenario's screens can come from: those it runs, with the flows
        they run; every flow when it runs none; None when it runs none that loaded."""
        flows = self.linted.flows
        if not run:
            return tuple(flows.values())
        found: dict[str, Flow] = {}
        pending = [flow_id for flow_id in run if flow_id in flows]
        while pending:
            flow = flows.get(pending.pop(0))
            if flow is None or flow.id in found:
                continue
            found[flow.id] = flow
            pending += [t.sub_flow_id for t in flow.tasks.values() if t.sub_flow_id]
        return tuple(found.values()) or None

    def problem(self, kind: Kind, name: str, scope: Sequence[Flow] | None) -> str:
        """Why ``name`` is not a ``kind`` of the world, or "" when it is (or cannot tell)."""
        if kind == "flow":
            return self._flow(name)
        if kind == "user":
            return self._user(name)
        if scope is None:
            return ""
        if kind == "screen":
            return _screen(name, scope)
        return _button(name, scope)

    def _flow(self, name: str) -> str:
        if name in self.linted.flows or name in self.linted.unloaded:
            return ""
        where = f"in {self.linted.root / 'flows'}"
        return str(UnknownNameError("flow", name, self.linted.flows, where))

    def _user(self, name: str) -> str:
        """Users go by login id or user id, as the world finds them."""
        world = self.linted.world
        if world is None or world.find_user(name) is not None:
            return ""
        known = [ident for user in world.users for ident in (*user.login_ids, user.user_id)]
        return str(UnknownNameError("user", name, known, f"in {world.root / 'users.yaml'}"))


def _screen(name: str, scope: Sequence[Flow]) -> str:
    """Screens go by task name, task id or screen id, in any case, as the Then step reads."""
    screens = [t for flow in scope for t in flow.tasks.values() if t.screen is not None]
    known = {
        text.lower() for t in screens for text in (t.name, t.id, t.screen.id if t.screen else "")
    }
    if name.lower() in known:
        return ""
    where = f"in {_flows(scope)}"
    return str(UnknownNameError("screen", name, [t.name for t in screens], where))


def _button(name: str, scope: Sequence[Flow]) -> str:
    """Buttons go by id, or by label in any case, as the click step reads."""
    buttons = [
        button
        for flow in scope
        for task in flow.tasks.values()
        for button in (task.screen.interactions if task.screen else ())
    ]
    wanted = name.strip().lower()
    if any(b.id == name or b.label.strip().lower() == wanted for b in buttons):
        return ""
    where = f"on the screens of {_flows(scope)}"
    return str(UnknownNameError("button", name, [b.label for b in buttons], where))


def _flows(scope: Sequence[Flow]) -> str:
    ids = ", ".join(f'"{flow.id}"' for flow in scope)
    return f"flow {ids}" if len(scope) == 1 else f"flows {ids}"
