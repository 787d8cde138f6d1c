"""``flowspec run``: behave in one or more worker processes, one progress view, one report.

Each worker is ``python -m behave`` over the feature files of its share of the suite (see
``selection``; the share itself is handed over as ``-D share=<file>``). It loads the world
and keys once, writes its results into a folder of its own and tells its progress through
the ``flowspec.progress`` formatter, one JSON line per event. This process reads those
lines as they come, draws the progress, then merges the workers' ``run.json`` into the
one report set in ``reports/``.
"""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from flowspec.bdd.reporting import MANAGEMENT_KEY_VARIABLE, WRITERS
from flowspec.bdd.selection import Share
from flowspec.errors import ReportError, did_you_mean
from flowspec.redaction import redact_text
from flowspec.reporting import run_file
from flowspec.reporting.merge import merge
from flowspec.reporting.model import RunReport

FAILING = ("failed", "error", "undefined")
INTERRUPTED = 130  # what shells report for a program stopped by Ctrl-C
_TAG = re.compile(r"@([^\s,()~]+)")


@dataclass(frozen=True)
class RunPlan:
    """What ``flowspec run`` was asked for: behave's options (tags, userdata), and either
    one share of the suite per worker or, for paths with line numbers, those paths for a
    single worker that runs them as behave would."""

    options: tuple[str, ...]
    shares: tuple[Share, ...] = ()
    paths: tuple[str, ...] = ()
    reports: Path = Path("reports")
    dry_run: bool = False
    # The --tags expressions, to name a tag the suite lacks; only a run of the whole
    # suite can tell, as a shard sees only its own files.
    tags: tuple[str, ...] = ()

    @property
    def workers(self) -> int:
        return max(len(self.shares), 1)


@dataclass
class Tally:
    """What the workers said so far."""

    workers: int
    totals: dict[int, int] = field(default_factory=dict)
    suite_tags: set[str] = field(default_factory=set)
    statuses: Counter[str] = field(default_factory=Counter)

    @property
    def done(self) -> int:
        return sum(self.statuses.values())

    @property
    def total(self) -> int | None:
        """How many scenarios the run has, once every worker has said how many it runs."""
        return sum(self.totals.values()) if len(self.totals) == self.workers else None

    def summary(self) -> str:
        counts = ", ".join(f"{n} {status}" for status, n in sorted(self.statuses.items()))
        return f"{self.done} scenarios: {counts or 'none ran'}"


def run(plan: RunPlan, out: IO[str]) -> int:
    """Run the plan; 0 when every scenario passed or was skipped, 1 when one failed, 2 when
    a worker stopped without reporting (a world error, a crash), with its words; 130 when
    interrupted (Ctrl-C, or SIGTERM from a CI runner), after writing what ran."""
    started = time.perf_counter()
    view = Progress(out, Tally(plan.workers), interactive=out.isatty())
    with tempfile.TemporaryDirectory(prefix="flowspec-workers-") as scratch:
        folders = [Path(scratch) / f"worker-{j}" for j in range(1, plan.workers + 1)]
        for folder in folders:
            folder.mkdir()
        shares: Sequence[Share | None] = plan.shares or [None]
        processes = [
            _spawn(plan, share, folder) for share, folder in zip(shares, folders, strict=True)
        ]
        interrupted = _follow(processes, view)
        codes = [p.wait() for p in processes]
        view.finish()
        if interrupted:
            ran = [run_file.read(f / "run.json") for f in folders if (f / "run.json").is_file()]
            write_reports(merge(ran), plan.reports)
            out.write(f"interrupted: {view.tally.summary()}; the reports hold what ran\n")
            return INTERRUPTED
        parts = [_part(folder, code) for folder, code in zip(folders, codes, strict=True)]
        problems = [
            _stopped(j, folder, code, view.said.get(j - 1, []))
            for j, (folder, code, part) in enumerate(zip(folders, codes, parts, strict=True), 1)
            if part is None
        ]
        if problems:
            for problem in problems:
                out.write(problem + "\n")
            return 2
        report = merge(part for part in parts if part is not None)
    write_reports(report, plan.reports)
    out.write(f"{view.tally.summary()} in {time.perf_counter() - started:.1f} s\n")
    # Workers tell the tags they saw before running; a dry run tells none.
    told = view.tally.total is not None
    unknown = unknown_tags(plan.tags, view.tally.suite_tags) if told else []
    for tag in unknown:
        candidates = [f"@{name}" for name in sorted(view.tally.suite_tags)]
        hint = did_you_mean(f"@{tag}", candidates).strip()
        out.write(f"no scenario is tagged @{tag}. {hint}".rstrip() + "\n")
    if unknown and view.tally.done == 0:
        return 2
    out.write(f"reports: {plan.reports}/index.html, junit.xml, cucumber.json, run.json\n")
    failed = any(s.status in FAILING for feature in report.features for s in feature.scenarios)
    return 1 if failed else 0


def _follow(processes: Sequence[subprocess.Popen[str]], view: Progress) -> bool:
    """Show the workers' events until they all end; True when the run was interrupted.

    A first Ctrl-C (or SIGTERM) asks each worker, once, to stop after the scenario it is
    in, as behave does on Ctrl-C: it then writes the results it has. A second one stops
    them at once. Workers sit in sessions of their own, so a terminal's Ctrl-C reaches
    them only through this process, exactly once.
    """
    events: queue.Queue[tuple[int, str | None]] = queue.Queue()
    for j, process in enumerate(processes):
        threading.Thread(target=_read_lines, args=(process.stdout, j, events), daemon=True).start()
    open_streams = len(processes)
    interrupted = False
    # Only the main thread may set a signal handler; elsewhere SIGTERM keeps its own.
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _raise_interrupt) if main else None
    try:
        while open_streams:
            try:
                worker, line = events.get()
                if line is None:
                    open_streams -= 1
                else:
                    view.event(worker, line)
            except KeyboardInterrupt:
                for process in processes:
                    if process.poll() is None:
                        process.send_signal(signal.SIGKILL if interrupted else signal.SIGINT)
                interrupted = True
    finally:
        if main:
            signal.signal(signal.SIGTERM, previous)
    return interrupted


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def unknown_tags(expressions: Iterable[str], known: set[str]) -> list[str]:
    """The tags the ``--tags`` expressions name that no scenario of the suite carries."""
    named = [name for text in expressions for name in _TAG.findall(text)]
    return [name for name in dict.fromkeys(named) if name not in known]


def _part(folder: Path, code: int) -> RunReport | None:
    """A worker's report, or None when it stopped short: it crashed, or it exited failing
    (behave's 1) with no failing scenario to show for it, as after a world error."""
    if code not in (0, 1) or not (folder / "run.json").is_file():
        return None
    report = run_file.read(folder / "run.json")
    failed = any(s.status in FAILING for f in report.features for s in f.scenarios)
    return None if code == 1 and not failed else report


def _spawn(plan: RunPlan, share: Share | None, folder: Path) -> subprocess.Popen[str]:
    command = [
        sys.executable,
        "-m",
        "behave",
        *(share.files if share else plan.paths),
        *plan.options,
        "--no-color",
        "--no-summary",
        "--format",
        # By its import path: a project's [tool.behave.formatters] need not list it.
        "flowspec.bdd.progress:Progress",
        "--outfile",
        "-",
        "-D",
        f"reports={folder}",
        "-D",
        "report_files=run.json",
    ]
    if share is not None:
        (folder / "share.json").write_text(share.dumps(), encoding="utf-8")
        command += ["-D", f"share={folder / 'share.json'}"]
    if plan.dry_run:
        command.append("--dry-run")
    # stderr goes to a file: a pipe nobody reads until the end could fill and stall it.
    with (folder / "stderr.txt").open("w", encoding="utf-8") as errors:
        return subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            start_new_session=True,
        )


def _read_lines(
    stream: IO[str] | None, worker: int, events: queue.Queue[tuple[int, str | None]]
) -> None:
    if stream is not None:
        for line in stream:
            events.put((worker, line))
    events.put((worker, None))


def _stopped(worker: int, folder: Path, code: int, printed: list[str]) -> str:
    """What a worker that did not finish said, on stdout (behave prints a bad feature file
    or a hook's error there) and stderr, without behave's noise or any secret."""
    said = "".join(printed) + (folder / "stderr.txt").read_text(encoding="utf-8", errors="replace")
    if code == 0 and not (folder / "run.json").is_file():
        return (
            f"flowspec run: worker {worker} wrote no reports: add format = "
            '["flowspec.reports"] and outfiles = ["reports"] to [tool.behave] in '
            'pyproject.toml, with "flowspec.reports" = "flowspec.bdd.reporting:Reports" '
            "under [tool.behave.formatters] (flowspec init writes them)"
        )
    lines = [
        line
        for line in said.splitlines()
        if line.strip() and not line.startswith(("USING RUNNER", "ABORTED: By user"))
    ]
    secrets = [os.environ.get(MANAGEMENT_KEY_VARIABLE)]
    text = redact_text("\n".join(lines[-20:]), secrets) or f"(nothing; exit status {code})"
    return f"flowspec run: worker {worker} stopped before finishing:\n{text}"


def write_reports(report: RunReport, folder: Path) -> None:
    """Every report of ``report`` into ``folder``, secrets redacted."""
    secrets = [os.environ.get(MANAGEMENT_KEY_VARIABLE)]
    for name, write in WRITERS.items():
        write(report, folder / name, secrets)


class Progress:
    """The live view: a count and the current scenario rewritten in place on a terminal,
    one plain line per finished scenario elsewhere (CI logs); failures in full, always."""

    def __init__(self, out: IO[str], tally: Tally, interactive: bool) -> None:
        self.out = out
        self.tally = tally
        self.interactive = interactive
        self._status_shown = False
        # Each worker's lines that are not events, the last few: what it says if it stops.
        self.said: dict[int, list[str]] = {}

    def event(self, worker: int, line: str) -> None:
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            record = None
        if not isinstance(record, dict):
            # behave's own words or a print() in a step module: shown only if it stops.
            self.said.setdefault(worker, []).append(line)
            del self.said[worker][:-40]
            return
        if record.get("event") == "total":
            self.tally.totals[worker] = int(record.get("count", 0))
            self.tally.suite_tags.update(str(tag) for tag in record.get("tags", ()))
            return
        where = f"{record.get('file')}:{record.get('line')}"
        if record.get("event") == "start":
            if self.interactive:
                self._status(f"{where}  {record.get('name')}")
            return
        status = str(record.get("status"))
        self.tally.statuses[status] += 1
        if status in FAILING:
            self._line(self._failure(record, where))
        elif not self.interactive:
            self._line(f"{self._count()} {status:<9} {where}  {record.get('name')}")
        else:
            self._status(f"{where}  {record.get('name')}")

    def finish(self) -> None:
        if self._status_shown:
            self.out.write("\r\033[K")
            self._status_shown = False
        self.out.flush()

    def _count(self) -> str:
        total = self.tally.total
        if total is None:
            return f"[{self.tally.done}]"
        return f"[{self.tally.done:>{len(str(total))}}/{total}]"

    def _failure(self, record: dict[str, Any], where: str) -> str:
        lines = [f"{self._count()} {record.get('status'):<9} {where}  {record.get('name')}"]
        if record.get("step"):
            lines.append(f"    {record.get('step')} (line {record.get('step_line')})")
        lines += [f"      {text}" for text in str(record.get("error") or "").splitlines()]
        if record.get("closest"):
            lines.append("      did you mean: " + " | ".join(record["closest"]))
        return "\n".join(lines)

    def _status(self, text: str) -> None:
        passed = self.tally.statuses["passed"]
        failed = sum(self.tally.statuses[s] for s in FAILING)
        line = f"{self._count()} {passed} passed, {failed} failed  {text}"
        width = _terminal_width()
        self.out.write("\r\033[K" + line[: width - 1])
        self.out.flush()
        self._status_shown = True

    def _line(self, text: str) -> None:
        if self._status_shown:
            self.out.write("\r\033[K")
            self._status_shown = False
        self.out.write(text + "\n")
        self.out.flush()


def _terminal_width() -> int:
    try:
        return os.get_terminal_size().columns
    except OSError:
        return 100


def read_reports(folders: Sequence[Path]) -> RunReport:
    """The merged report of the ``run.json`` in each folder (``flowspec report merge``)."""
    missing = [folder for folder in folders if not (folder / "run.json").is_file()]
    if missing:
        raise ReportError(
            "no run.json in " + ", ".join(str(f) for f in missing) + ": give the reports "
            "folders that shard runs wrote (flowspec run --shard K/N writes reports/)"
        )
    return merge(run_file.read(folder / "run.json") for folder in folders)
