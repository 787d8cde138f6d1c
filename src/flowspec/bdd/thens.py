"""Thens: where the run went, where it stopped, and what its flow context holds."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flowspec.bdd.narrative import describe, path_line
from flowspec.bdd.scenario import scenario
from flowspec.errors import ExpectationFailed, UnknownNameError
from flowspec.expect import (
    check_absent,
    check_exists,
    check_match,
    check_not_match,
    parse_expected,
)


def status_is(context: Any, status: str) -> None:
    doc = scenario(context).view()
    if doc["flow"]["status"] != status:
        raise ExpectationFailed(f"expected the flow to be {status}, but {describe(doc)}")


def waits_on_screen(context: Any, screen: str) -> None:
    """The run waits on the screen whose task name, task id or screen id is ``screen``."""
    doc = scenario(context).view()
    shown = doc.get("screen") or {}
    names = {str(shown.get(key, "")).lower() for key in ("name", "taskId", "id")}
    if doc["flow"]["status"] != "waiting" or screen.lower() not in names:
        raise ExpectationFailed(
            f'expected the flow to wait on screen "{screen}", but {describe(doc)}'
        )


def went_through(context: Any, task: str, expected: bool = True) -> None:
    doc = scenario(context).view()
    visited = any(_is_task(entry, task) for entry in doc["flow"]["path"])
    if visited != expected:
        verb = "go through" if expected else "not go through"
        raise ExpectationFailed(f'expected the flow to {verb} "{task}", but {describe(doc)}')


def path_is(context: Any, tasks: Iterable[str]) -> None:
    """The tasks visited, by name, in order (the start task left out)."""
    doc = scenario(context).view()
    wanted = list(tasks)
    actual = [entry["name"] for entry in doc["flow"]["path"] if entry["type"] != "start"]
    if [w.lower() for w in wanted] != [a.lower() for a in actual]:
        raise ExpectationFailed(
            f"expected the path {' -> '.join(wanted)}\n"
            f"  but got   {path_line(doc)}\n{describe(doc)}"
        )


def passes_check(context: Any, check: str, expected: bool = True) -> None:
    """A task named "<check> check" took its non-ELSE branch (condition) or succeeded (action)."""
    doc = scenario(context).view()
    entries = [e for e in doc["flow"]["path"] if _is_check(e, check)]
    if not entries:
        names = [str(e["name"]) for e in doc["flow"]["path"]]
        raise UnknownNameError(
            "check", f"{check} check", names, f"on the path of this run ({path_line(doc)})"
        )
    entry = entries[-1]
    passed = entry.get("outcome") not in ("ELSE", None) and (
        entry["type"] == "condition" or entry.get("outcome") == "success"
    )
    if passed != expected:
        verb = "pass" if expected else "fail"
        taken = entry.get("branch") or entry.get("outcome")
        raise ExpectationFailed(
            f'expected the flow to {verb} "{entry["name"]}", but it took "{taken}"\n{describe(doc)}'
        )


def path_equals(context: Any, path: str, expected: str) -> None:
    check_match(scenario(context).view(), path, parse_expected(expected))


def path_not_equals(context: Any, path: str, expected: str) -> None:
    check_not_match(scenario(context).view(), path, parse_expected(expected))


def path_contains(context: Any, path: str, expected: str) -> None:
    check_match(scenario(context).view(), path, parse_expected(expected), mode="contains")


def path_exists(context: Any, path: str) -> None:
    check_exists(scenario(context).view(), path)


def path_absent(context: Any, path: str) -> None:
    check_absent(scenario(context).view(), path)


def is_user_id_of(context: Any, path: str, who: str) -> None:
    """The value at ``path`` is the user id of a person the scenario named (a role or login id)."""
    state = scenario(context)
    person = state.people.get(who)
    if person is None:
        raise UnknownNameError(
            "person", who, state.people, "named by a Given step of this scenario"
        )
    check_match(scenario(context).view(), path, person.user_id)


def jwt_judged(context: Any, accepted: bool, code: str | None = None) -> None:
    doc = scenario(context).view()
    session: Mapping[str, Any] = doc.get("session") or {}
    ok = session.get("status") == ("accepted" if accepted else "rejected")
    if ok and code is not None:
        ok = session.get("code") == code
    if not ok:
        wanted = "accepted" if accepted else f'rejected as "{code}"'
        raise ExpectationFailed(
            f"expected the JWT to be {wanted}, but the session is {session.get('status')}"
            f" ({session.get('code')}: {session.get('reason')})"
        )


def _is_task(entry: Mapping[str, Any], task: str) -> bool:
    return task.lower() in (str(entry["name"]).lower(), str(entry["id"]).lower())


def _is_check(entry: Mapping[str, Any], check: str) -> bool:
    wanted = _plain(check)
    return _plain(str(entry["name"])) in (wanted, f"{wanted} check")


def _plain(name: str) -> str:
    """Task names compare without quotes, a trailing question mark or case."""
    return name.strip().strip('"').strip().rstrip("?").lower()
