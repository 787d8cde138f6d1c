"""A run told in one paragraph, for failure messages: where it went and where it stopped."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def path_line(doc: Mapping[str, Any]) -> str:
    """``Logged in? [Yes] -> Load user -> Verify TOTP`` from the context's ``flow.path``."""
    steps = []
    for entry in doc.get("flow", {}).get("path", []):
        if entry.get("type") == "start":
            continue
        name = str(entry.get("name", entry.get("id")))
        if "branch" in entry:
            name += f" [{entry['branch']}]"
        elif entry.get("outcome") not in (None, "success"):
            name += f" [{entry['outcome']}]"
        steps.append(name)
    return " -> ".join(steps) or "(no task visited)"


def describe(doc: Mapping[str, Any]) -> str:
    """Status, the screen waited on, the error and the path of a run."""
    flow = doc.get("flow", {})
    status = flow.get("status", "unknown")
    where = f'flow "{flow.get("id")}" is {status}'
    screen = doc.get("screen")
    if status == "waiting" and screen:
        where += f' on screen "{screen.get("name")}" (task {screen.get("taskId")})'
    elif status == "waiting":
        where += f" for the client to answer {flow.get('action')}"
    error = doc.get("error")
    if error:
        where += f"; error {error.get('code')}: {error.get('description')}"
    return f"{where}\n  path: {path_line(doc)}"
