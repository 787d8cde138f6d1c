"""What a scenario's run came to, recorded per backend so two backends can be compared.

``-D record=<file>`` makes every scenario append one JSON line: where it is, how behave
judged it, and the outcome of its last run (status, the screens shown, the error code,
the issued session's claims without the ones that differ by the second). Comparing the
lines of a local and a remote run shows where the local engine would mislead a team
about their real project.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from flowspec.bdd.scenario import ATTRIBUTE

# Claims that differ between any two runs: times, and who signed the token.
VOLATILE_CLAIMS = frozenset({"iat", "exp", "nbf", "iss", "jti"})


def record(context: Any, scenario: Any) -> None:
    """Append the scenario's outcome to the file ``-D record=`` names, if any."""
    target = context.config.userdata.get("record")
    if not target:
        return
    state = getattr(context, ATTRIBUTE, None)
    run = state.run if state is not None else None
    line = {
        "scenario": f"{scenario.location.filename}:{scenario.location.line}",
        "name": scenario.name,
        "status": scenario.status.name,
        "outcome": outcome(run.context) if run is not None else None,
    }
    with Path(target).open("a", encoding="utf-8") as out:
        out.write(json.dumps(line, sort_keys=True) + "\n")


def outcome(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The parts of a flow context two backends must agree on."""
    session = (doc.get("authInfo") or {}).get("sessionJwt") or {}
    error = doc.get("error") or {}
    return {
        "status": doc["flow"]["status"],
        "screens": [e["name"] for e in doc["flow"].get("path", []) if e.get("type") == "screen"],
        "error": error.get("code"),
        "claims": {k: v for k, v in session.items() if k not in VOLATILE_CLAIMS},
    }


def differences(
    left: Iterable[Mapping[str, Any]], right: Iterable[Mapping[str, Any]], names: tuple[str, str]
) -> list[str]:
    """One line per scenario whose outcome differs between the two recordings."""
    theirs = {line["scenario"]: line for line in right}
    found = []
    for mine in left:
        other = theirs.get(mine["scenario"])
        if other is None or "skipped" in (mine["status"], other["status"]):
            continue
        if mine["status"] != other["status"]:
            found.append(_line(mine, "behave says", mine["status"], other["status"], names))
        for key in ("status", "screens", "error", "claims"):
            a = (mine["outcome"] or {}).get(key)
            b = (other["outcome"] or {}).get(key)
            if a != b:
                found.append(_line(mine, _LABELS[key], a, b, names))
    return found


def read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


_LABELS = {
    "status": "the flow ends",
    "screens": "the screens shown differ",
    "error": "the error code differs",
    "claims": "the session's claims differ",
}


def _line(line: Mapping[str, Any], what: str, a: Any, b: Any, names: tuple[str, str]) -> str:
    return (
        f"{line['scenario']} ({line['name']}): {what}: "
        f"{names[0]} {json.dumps(a, sort_keys=True)}, {names[1]} {json.dumps(b, sort_keys=True)}"
    )
