"""The formatter a ``flowspec run`` worker reports through: one JSON line per event.

``{"event": "total", "count": N}`` before any scenario runs (how many this process will
run), ``{"event": "start", ...}`` when a scenario's first step is matched, and
``{"event": "done", ...}`` with its status, and for a failure the failing step and its
message (for an undefined step, the closest steps of the catalog), once behave moves past
it. A scenario the tags leave out is never reported. The parent process reads these
lines from every worker and draws the progress; it never parses behave's own output.
Only a terminal shows the scenario in progress, so elsewhere the parent asks for no start
events (``-D progress=done``): thousands of lines fewer to write and read while the
workers compete for the same cores.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from typing import Any

from behave.formatter.base import Formatter

from flowspec.bdd.catalog import CatalogEntry, closest, registered
from flowspec.bdd.reporting import MANAGEMENT_KEY_VARIABLE, scenario_status, status_of
from flowspec.bdd.selection import ORDER
from flowspec.redaction import redact_text


class Progress(Formatter):  # type: ignore[misc]  # behave ships no type hints
    name = "flowspec.progress"
    description = "one JSON line per scenario started and done, for flowspec run's workers"

    def __init__(self, stream_opener: Any, config: Any) -> None:
        super().__init__(stream_opener, config)
        self._scenario: Any = None
        self._started = False
        self._secrets = (os.environ.get(MANAGEMENT_KEY_VARIABLE),)
        self._starts = config.userdata.get("progress") != "done"
        # The registered steps, read once, when an undefined step first needs suggestions.
        self._entries: list[CatalogEntry] | None = None

    def total(self, count: int, tags: list[str]) -> None:
        stream = self.open()
        stream.write(json.dumps({"event": "total", "count": count, "tags": tags}) + "\n")
        stream.flush()

    def scenario(self, scenario: Any) -> None:
        self._finish()
        self._scenario = scenario

    def match(self, match: Any) -> None:
        if self._scenario is not None and not self._started:
            self._started = True
            if self._starts:
                self._emit("start", self._scenario)

    def eof(self) -> None:
        self._finish()

    def close(self) -> None:
        self._finish()
        super().close()

    def _finish(self) -> None:
        scenario, self._scenario = self._scenario, None
        started, self._started = self._started, False
        if scenario is None:
            return
        if not started and not hasattr(scenario, ORDER):
            return  # left out by the tags: it never reached a hook
        failing = next(
            (s for s in scenario.all_steps if status_of(s.status) not in ("passed", "skipped")),
            None,
        )
        extra: dict[str, Any] = {"status": scenario_status(scenario)}
        if failing is not None:
            extra["step"] = f"{failing.keyword} {failing.name}"
            extra["step_line"] = failing.location.line
            extra["error"] = redact_text(failing.error_message or "", self._secrets)
            if status_of(failing.status) == "undefined":
                extra["closest"] = closest(failing.step_type, failing.name, self._catalog())
        reason = getattr(scenario, "skip_reason", None)
        if reason:
            extra["reason"] = redact_text(str(reason), self._secrets)
        self._emit("done", scenario, extra)

    def _catalog(self) -> list[CatalogEntry]:
        if self._entries is None:
            self._entries = registered()
        return self._entries

    def _emit(self, event: str, scenario: Any, extra: dict[str, Any] | None = None) -> None:
        record = {
            "event": event,
            "file": str(scenario.location.filename),
            "line": scenario.location.line,
            "name": redact_text(scenario.name, self._secrets),
            "order": getattr(scenario, ORDER, None),
            **(extra or {}),
        }
        stream = self.open()
        stream.write(json.dumps(record) + "\n")
        stream.flush()


def announce_total(context: Any, total: int, features: Iterable[Any]) -> None:
    """Tell this run's progress formatter, if it has one, how many scenarios it will run
    and which tags the suite uses (so a mistyped --tags can be named). Only hooks know the
    suite before it runs; behave gives them its formatters through the private runner."""
    progress = [f for f in getattr(context._runner, "formatters", ()) if isinstance(f, Progress)]
    if not progress:
        return
    tags = sorted({str(t) for f in features for s in f.walk_scenarios() for t in s.effective_tags})
    for formatter in progress:
        formatter.total(total, tags)
