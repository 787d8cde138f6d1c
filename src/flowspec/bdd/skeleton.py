"""A feature skeleton for a flow of the test world: what ``flowspec new <flowId>`` writes.

Each path through the flow's graph (:func:`flowspec.engine.paths.flow_paths`) becomes a
scenario only when a run of the local engine really takes it. The run starts anonymous,
then with each user's JWT (and on a device with passkeys, or with a risk score above each
threshold, when a condition asks about them); at each stop it clicks the button the path
takes, filling the screen's required inputs with plausible values (users' login ids, the
code sent to them, the code from the authenticator app), or answers the passkey prompt,
the magic link or the OAuth redirect the run waits for. Every line is rehearsed through
the step library as behave will run it (:mod:`flowspec.bdd.rehearsal`), so a scenario
written is one that passed, and a Then line that does not hold is not written. Paths no
run takes are reported, not written.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from flowspec.bdd.catalog import register_library
from flowspec.bdd.rehearsal import Keyword, Rehearsal
from flowspec.engine.model import ELSE, SUCCESS, AtomicCondition, Flow, Task
from flowspec.engine.paths import FlowPath, Visit, branch_label, flow_paths
from flowspec.engine.users import User
from flowspec.engine.world import World
from flowspec.errors import FlowspecError

DEFAULT_MAX_PATHS = 20
# Paths tried, per scenario wanted, before the rest are left untried: a flow whose paths
# few runs take would otherwise be searched at length.
TRIES_PER_PATH = 5
# Combinations of input values tried on one screen.
MAX_FILLS = 24
# A login id no user of the world has, for a sign-up.
NEWCOMER = "newcomer@example.test"
NEW_PHONE = "+15555550100"
PASSWORD = "Correct-Horse-9"
PERSON_NAME = "Alex Example"
PLAIN_VALUE = "example"
PASSKEY_CONDITION = "deviceInfo.webAuthnSupport"
RISK_CONDITION = "riskInfo.riskScore"
RISK_STEP = 0.1
# The steps that read or set the local runner's outside world (the outbox, providers,
# the risk engine): a scenario using one is tagged @local.
LOCAL_PHRASES = (" sent to ", " provider returns ", "the risk score is ")


@dataclass(frozen=True)
class Line:
    """One step of a scenario."""

    keyword: Keyword
    text: str


@dataclass(frozen=True)
class Move:
    """What the person does at one stop of the run: ``whens``, after the outside world
    was told what to answer (``givens``, written with the scenario's Givens)."""

    label: str
    whens: tuple[str, ...]
    givens: tuple[str, ...] = ()


@dataclass(frozen=True)
class Setup:
    """Who starts the run, whether their device supports passkeys, and the risk score
    the risk engine gives them (unset: 0)."""

    user: User | None
    passkeys: bool = False
    risk: float | None = None

    @property
    def givens(self) -> tuple[str, ...]:
        givens = [f'a JWT for "{self.user.login_ids[0]}"' if self.user else "no JWT"]
        if self.passkeys:
            givens.append("the device supports passkeys")
        if self.risk is not None:
            givens.append(f"the risk score is {self.risk:g}")
        return tuple(givens)

    @property
    def label(self) -> str:
        label = self.user.login_ids[0] if self.user else "anonymous"
        if self.passkeys:
            label += " with passkeys"
        if self.risk is not None:
            label += f" at risk {self.risk:g}"
        return label


@dataclass(frozen=True)
class ScenarioSkeleton:
    name: str
    tags: tuple[str, ...]
    lines: tuple[Line, ...]
    path: FlowPath


@dataclass(frozen=True)
class Skeleton:
    """The scenarios for a flow, and the paths no run took."""

    flow: Flow
    scenarios: tuple[ScenarioSkeleton, ...]
    unreproduced: tuple[FlowPath, ...]
    more: bool
    """More paths were left untried: the cap (``max_paths``) was reached."""

    def gherkin(self) -> str:
        """The feature file."""
        out = [
            f"Feature: {self.flow.name}",
            f"  Written by `flowspec new {self.flow.id}`: one scenario for each path through",
            "  the flow that a run of the local engine takes, found by running it. Name each",
            "  scenario after what it means, and keep the checks that matter.",
        ]
        for scenario in self.scenarios:
            out.append("")
            if scenario.tags:
                out.append("  " + " ".join(f"@{tag}" for tag in scenario.tags))
            out.append(f"  Scenario: {scenario.name}")
            previous: Keyword | None = None
            for line in scenario.lines:
                word = "And" if line.keyword == previous else line.keyword
                out.append(f"    {word} {line.text}")
                previous = line.keyword
        return "\n".join(out) + "\n"


def build(world: World, flow_id: str, *, max_paths: int = DEFAULT_MAX_PATHS) -> Skeleton:
    """One scenario per path of ``flow_id`` a run reproduces, at most ``max_paths``."""
    flow = world.flow(flow_id)
    register_library()
    finder = _Finder(world, flow)
    scenarios: list[ScenarioSkeleton] = []
    unreproduced: list[FlowPath] = []
    more = False
    for tried, path in enumerate(flow_paths(flow.id, world.flows)):
        if len(scenarios) >= max_paths or tried >= max_paths * TRIES_PER_PATH:
            more = True
            break
        written = finder.scenario(path)
        if written is None:
            unreproduced.append(path)
        else:
            scenarios.append(written)
    return Skeleton(flow, tuple(_unique_names(scenarios)), tuple(unreproduced), more)


class _Finder:
    """Finds, for a path, who starts the run and what they do so the run takes it."""

    def __init__(self, world: World, flow: Flow) -> None:
        self._world = world
        self._flow = flow
        tests = list(_conditions(flow, world.flows))
        passkeys = any(t.key.startswith(PASSKEY_CONDITION) for t in tests)
        devices = [False, True] if passkeys else [False]
        risks = [None, *_risk_scores(tests)]
        people: list[User | None] = [None, *world.users]
        self._setups = [
            Setup(user, device, risk) for risk in risks for device in devices for user in people
        ]

    def scenario(self, path: FlowPath) -> ScenarioSkeleton | None:
        for setup in self._setups:
            moves = self._moves(path, setup, ())
            if moves is not None:
                written = self._write(path, setup, moves)
                if written is not None:
                    return written
        return None

    def _moves(
        self, path: FlowPath, setup: Setup, done: tuple[Move, ...]
    ) -> tuple[Move, ...] | None:
        """The moves, after ``done``, that make the run take ``path``; None if none do."""
        try:
            rehearsal = self._rehearse(setup, done)
        except (FlowspecError, AssertionError):
            return None
        ran = rehearsal.visits()
        if not _follows(ran, path.visits):
            return None
        status = rehearsal.doc["flow"]["status"]
        if ran == path.visits and status == path.ending:
            return done
        if status != "waiting" or len(ran) == len(path.visits) or len(done) >= len(path.visits):
            return None
        for move in self._choices(rehearsal, setup, path.visits[len(ran) - 1].outcome):
            found = self._moves(path, setup, (*done, move))
            if found is not None:
                return found
        return None

    def _rehearse(self, setup: Setup, moves: tuple[Move, ...]) -> Rehearsal:
        rehearsal = Rehearsal(self._world)
        for given in _givens(setup, moves):
            rehearsal.run("Given", given)
        rehearsal.run("When", self._run_line)
        for move in moves:
            for when in move.whens:
                rehearsal.run("When", when)
        return rehearsal

    @property
    def _run_line(self) -> str:
        return f'I run the "{self._flow.id}" flow'

    def _choices(self, rehearsal: Rehearsal, setup: Setup, taken: str | None) -> Iterator[Move]:
        """What the person may do at this stop so the run takes ``taken``: click that
        button, or (on no screen, or a screen the path leaves without a button) answer
        what the run waits for."""
        doc = rehearsal.doc
        action = str(doc["flow"].get("action"))
        if action != "screen" or taken is None:
            yield from self._answers(rehearsal, action, str(doc.get("provider") or ""))
            return
        task = self._task(rehearsal.visits()[-1])
        button = task.interaction(taken)
        if button is None or task.screen is None:
            return
        name = _button_name(doc["screen"]["interactions"], button.id, button.label)
        if name is None:
            return
        click = f'I click "{name}"'
        if not button.validates:
            yield Move(f'"{name}"', (click,))
            return
        required = [field.name for field in task.screen.inputs if field.required]
        options = [self._fills(rehearsal, setup.user, field) for field in required]
        for fills in itertools.islice(itertools.product(*options), MAX_FILLS):
            yield Move(f'"{name}"', (*fills, click))

    def _answers(self, rehearsal: Rehearsal, action: str, provider: str) -> Iterator[Move]:
        if action in ("webauthnCreate", "webauthnGet"):
            yield Move("passkey", ("I answer the passkey prompt",))
        elif action == "redirect" and _quotable(provider):
            for email in self._emails(None):
                given = f'the {provider} provider returns "{email}"'
                yield Move(
                    f"{provider} as {email}", ("the OAuth provider sends me back",), (given,)
                )
        elif action == "screen":
            for address in rehearsal.sent_to("magic-link"):
                yield Move("magic link", (f'I click the magic link sent to "{address}"',))
            for address in rehearsal.sent_to("password-reset"):
                yield Move("reset link", (f'I click the password reset link sent to "{address}"',))

    def _fills(self, rehearsal: Rehearsal, starter: User | None, name: str) -> list[str]:
        """Ways to fill the input ``name``, the likeliest first."""
        lowered = name.lower()
        if "code" in lowered or "otp" in lowered:
            sent = [
                f'I fill in "{name}" with the code sent to "{to}"'
                for to in rehearsal.sent_to("otp")
            ]
            return [*sent, f'I fill in "{name}" with the code from my authenticator app']
        if "phone" in lowered:
            values = [*(u.phone for u in self._people(starter) if u.phone), NEW_PHONE]
        elif "email" in lowered or "login" in lowered or "externalid" in lowered:
            values = self._emails(starter)
        elif "password" in lowered:
            values = [*(u.password for u in self._people(starter) if u.password), PASSWORD]
        elif "name" in lowered:
            values = [PERSON_NAME]
        else:
            values = [PLAIN_VALUE]
        return [f'I fill in "{name}" with "{v}"' for v in dict.fromkeys(values) if _quotable(v)]

    def _emails(self, starter: User | None) -> list[str]:
        """The users' emails (else login ids), then one nobody has."""
        return [*(u.email or u.login_ids[0] for u in self._people(starter)), NEWCOMER]

    def _people(self, starter: User | None) -> list[User]:
        """The world's users, the one who started the run last (acting on someone else is
        the likelier path)."""
        others = [u for u in self._world.users if u != starter]
        return others + ([starter] if starter else [])

    def _task(self, visit: Visit) -> Task:
        return self._world.flows[visit.flow].tasks[visit.task]

    def _write(
        self, path: FlowPath, setup: Setup, moves: tuple[Move, ...]
    ) -> ScenarioSkeleton | None:
        """The scenario, rehearsed once more from the start with its Then lines."""
        rehearsal = Rehearsal(self._world)
        lines: list[Line] = []
        # The scenario's name: the branches and errors of each stretch of the run, and
        # what the person did at each stop.
        parts: list[str] = []
        try:
            for given in _givens(setup, moves):
                rehearsal.run("Given", given)
                lines.append(Line("Given", given))
            whens, seen = [self._run_line], 0
            for stop in [*moves, None]:
                for when in whens:
                    rehearsal.run("When", when)
                    lines.append(Line("When", when))
                stretch = rehearsal.doc["flow"]["path"][seen:]
                lines.extend(self._thens(rehearsal, stretch))
                parts += self._turns(stretch)
                parts += [stop.label] if stop else []
                whens, seen = list(stop.whens) if stop else [], seen + len(stretch)
        except (FlowspecError, AssertionError):
            return None
        if rehearsal.visits() != path.visits:
            return None
        if path.ending == "waiting":
            parts.append(f"waits on {self._task(path.visits[-1]).name}")
        local = any(phrase in line.text for line in lines for phrase in LOCAL_PHRASES)
        return ScenarioSkeleton(
            name=f"{setup.label}: {', '.join(parts)}",
            tags=("local",) if local else (),
            lines=tuple(lines),
            path=path,
        )

    def _thens(self, rehearsal: Rehearsal, stretch: list[dict[str, Any]]) -> list[Line]:
        """What holds after a stop: the checks the run passed or failed on the stretch
        since the last stop, and where it is now. Only lines that hold are kept."""
        doc = rehearsal.doc
        wanted = []
        for entry in stretch:
            wanted += self._checks(self._entry_task(entry), entry)
        status = doc["flow"]["status"]
        if status == "waiting" and doc.get("screen"):
            if _quotable(doc["screen"]["name"]):
                wanted.append(f'the flow waits on the "{doc["screen"]["name"]}" screen')
        elif status == "waiting":
            wanted.append(f'"$.flow.action" equals "{doc["flow"]["action"]}"')
        elif status == "completed":
            wanted.append("the flow completes")
            claims = doc.get("authInfo", {}).get("sessionJwt", {})
            if self._world.find_user(str(claims.get("sub"))) is not None:
                wanted.append(f'"$.authInfo.sessionJwt.sub" equals "{claims["sub"]}"')
            if claims.get("amr"):
                wanted.append(
                    f'"$.authInfo.sessionJwt.amr" contains only {json.dumps(claims["amr"])}'
                )
        else:
            wanted.append("the flow fails")
            code = (doc.get("error") or {}).get("code")
            if code:
                wanted.append(f'"$.error.code" equals "{code}"')
        return [Line("Then", text) for text in dict.fromkeys(wanted) if rehearsal.holds(text)]

    @staticmethod
    def _checks(task: Task, entry: Mapping[str, Any]) -> list[str]:
        outcome = entry.get("outcome")
        if not _quotable(task.name):
            return []
        if task.type == "condition" and isinstance(outcome, str):
            checks = [
                f'the flow {"fails" if outcome == ELSE else "passes"} the "{task.name}" check'
            ]
            named = [b for b in task.branches if not b.is_else]
            branch = str(entry.get("branch"))
            if outcome != ELSE and len(named) > 1 and "'" not in task.name and _quotable(branch):
                path = f"$.flow.path[?(@.name == '{task.name}')].branch"
                checks.append(f'"{path}" equals "{branch}"')
            return checks
        if task.type == "automated" and isinstance(outcome, str) and _is_error(outcome):
            return [f'the flow fails the "{task.name}" check']
        return []

    def _turns(self, stretch: list[dict[str, Any]]) -> list[str]:
        """The branches the stretch took and the errors it went on from, as names."""
        turns = []
        for entry in stretch:
            task, outcome = self._entry_task(entry), entry.get("outcome")
            if task.type == "condition" and isinstance(outcome, str):
                turns.append(branch_label(task, outcome))
            elif task.type == "automated" and isinstance(outcome, str) and _is_error(outcome):
                turns.append(f"{task.name}: {outcome}")
        return turns

    def _entry_task(self, entry: Mapping[str, Any]) -> Task:
        return self._task(Visit(str(entry["flow"]), str(entry["id"]), None))


def _follows(ran: tuple[Visit, ...], planned: tuple[Visit, ...]) -> bool:
    """Whether the run so far is on the planned path (its last task still to take its
    outcome)."""
    if not ran or len(ran) > len(planned):
        return False
    last, expected = ran[-1], planned[len(ran) - 1]
    return ran[:-1] == planned[: len(ran) - 1] and (last.flow, last.task) == (
        expected.flow,
        expected.task,
    )


def _givens(setup: Setup, moves: tuple[Move, ...]) -> list[str]:
    return list(dict.fromkeys([*setup.givens, *(g for move in moves for g in move.givens)]))


def _is_error(outcome: str) -> bool:
    return outcome != SUCCESS and not outcome.endswith(f".{SUCCESS}")


def _button_name(interactions: list[dict[str, str]], button_id: str, label: str) -> str | None:
    """How a step names the button: its label when that finds it, else its id."""
    for name in (label, button_id):
        if not _quotable(name):
            continue
        found = next((i for i in interactions if i["id"] == name), None) or next(
            (i for i in interactions if i["label"].strip().lower() == name.strip().lower()), None
        )
        if found is not None and found["id"] == button_id:
            return name
    return None


def _conditions(
    flow: Flow, flows: Mapping[str, Flow], seen: frozenset[str] = frozenset()
) -> Iterator[AtomicCondition]:
    """The tests of the flow's conditions, and of the flows it runs."""
    for task in flow.tasks.values():
        yield from (test for branch in task.branches for test in branch.conditions)
        sub = flows.get(task.sub_flow_id or "")
        if sub is not None and sub.id not in seen | {flow.id}:
            yield from _conditions(sub, flows, seen | {flow.id})


def _risk_scores(tests: list[AtomicCondition]) -> list[float]:
    """A score above each threshold the conditions compare the risk score with (a run
    without a score set is scored 0, below them all)."""
    thresholds = {
        float(t.predicate)
        for t in tests
        if t.key.startswith(RISK_CONDITION)
        and isinstance(t.predicate, int | float)
        and not isinstance(t.predicate, bool)
    }
    return sorted({min(1.0, round(threshold + RISK_STEP, 2)) for threshold in thresholds})


def _quotable(text: str) -> bool:
    """Whether ``text`` can stand between the quotes of a step."""
    return bool(text.strip()) and '"' not in text and "\n" not in text


def _unique_names(scenarios: list[ScenarioSkeleton]) -> Iterator[ScenarioSkeleton]:
    counts: dict[str, int] = {}
    for scenario in scenarios:
        counts[scenario.name] = counts.get(scenario.name, 0) + 1
        n = counts[scenario.name]
        if n == 1:
            yield scenario
        else:
            yield ScenarioSkeleton(
                f"{scenario.name} ({n})", scenario.tags, scenario.lines, scenario.path
            )
