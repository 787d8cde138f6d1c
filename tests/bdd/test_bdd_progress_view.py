"""flowspec run's progress view, fed the events workers send: live on a terminal, plain
lines in CI, failures in full either way; and how those events are read."""

from __future__ import annotations

import io
import json
import os
import queue
import threading
import time
from typing import Any

from flowspec.bdd import parallel
from flowspec.bdd.parallel import Progress, Tally

CLEAR = "\r\033[K"


def event(**fields: Any) -> str:
    return json.dumps(fields) + "\n"


def done(name: str, status: str = "passed", **fields: Any) -> str:
    return event(
        event="done", file="features/a.feature", line=3, name=name, status=status, **fields
    )


def view(interactive: bool, workers: int = 1) -> tuple[Progress, io.StringIO]:
    out = io.StringIO()
    return Progress(out, Tally(workers), interactive=interactive), out


def test_in_ci_each_scenario_gets_one_counted_line() -> None:
    """Without a terminal: a plain line per finished scenario, counted against the total."""
    progress, out = view(interactive=False)
    progress.event(0, event(event="total", count=2, tags=["local"]))
    progress.event(0, event(event="start", file="features/a.feature", line=3, name="one"))
    progress.event(0, done("one"))
    progress.event(0, done("two", "skipped"))
    assert out.getvalue().splitlines() == [
        "[1/2] passed    features/a.feature:3  one",
        "[2/2] skipped   features/a.feature:3  two",
    ]
    assert CLEAR not in out.getvalue()


def test_on_a_terminal_one_status_line_is_rewritten_and_failures_stay() -> None:
    """On a terminal the count and current scenario are rewritten in place; a failure is
    printed in full on lines of its own, with the closest steps for an undefined one."""
    progress, out = view(interactive=True)
    progress.event(0, event(event="total", count=2, tags=[]))
    progress.event(0, event(event="start", file="features/a.feature", line=3, name="one"))
    assert out.getvalue() == f"{CLEAR}[0/2] 0 passed, 0 failed  features/a.feature:3  one"
    progress.event(
        0,
        done(
            "one",
            "undefined",
            step="Then the flow complete",
            step_line=9,
            error="",
            closest=["Then the flow completes", "Then the flow fails"],
        ),
    )
    progress.event(0, done("two"))
    progress.finish()
    shown = out.getvalue()
    assert (
        f"{CLEAR}[1/2] undefined features/a.feature:3  one\n"
        "    Then the flow complete (line 9)\n"
        "      did you mean: Then the flow completes | Then the flow fails\n"
    ) in shown
    assert shown.endswith(f"{CLEAR}[2/2] 1 passed, 1 failed  features/a.feature:3  two{CLEAR}")


def test_the_total_shows_once_every_worker_has_told_its_own() -> None:
    """With two workers the count has no total until both have said how many they run."""
    progress, out = view(interactive=False, workers=2)
    progress.event(0, event(event="total", count=3, tags=[]))
    progress.event(0, done("one"))
    progress.event(1, event(event="total", count=2, tags=[]))
    progress.event(1, done("two"))
    assert out.getvalue().splitlines()[0].startswith("[1] passed")
    assert out.getvalue().splitlines()[1].startswith("[2/5] passed")


def test_lines_that_are_not_events_are_kept_for_a_worker_that_stops() -> None:
    """behave's own words (a parse error) are not shown mid-run but kept, the last 40."""
    progress, out = view(interactive=False)
    for n in range(45):
        progress.event(0, f"line {n}\n")
    progress.event(0, "123\n")
    assert out.getvalue() == ""
    assert progress.said[0][0] == "line 6\n"
    assert progress.said[0][-1] == "123\n"


def test_a_workers_lines_arrive_whole_in_batches_then_its_end() -> None:
    """The parent reads what a worker wrote in batches, not a wake-up per line: lines are
    passed on whole (a UTF-8 character split between two writes included, and a last
    line without its newline), in order, and then the worker's end."""
    reader, writer = os.pipe()
    events: queue.Queue[tuple[int, list[str] | None]] = queue.Queue()
    stream = parallel._lines(reader)
    thread = threading.Thread(target=parallel._read_lines, args=(stream, 3, events))
    lines = [done(f"scenario {n}") for n in range(200)]
    said = "a step printed: café\n".encode()
    middle_of_e = said.index("é".encode()) + 1
    with os.fdopen(writer, "wb") as pipe:
        pipe.write("".join(lines).encode())
        pipe.flush()
        thread.start()
        pipe.write(said[:middle_of_e])
        pipe.flush()
        time.sleep(parallel._GATHER * 2)
        pipe.write(said[middle_of_e:] + b"last words")
    thread.join()
    batches = []
    while not events.empty():
        batches.append(events.get())
    assert [worker for worker, _ in batches] == [3] * len(batches)
    assert batches[-1] == (3, None)
    received = [line for _, batch in batches[:-1] for line in batch or []]
    assert received == [*lines, "a step printed: café\n", "last words"]
    assert len(batches) <= 4
