"""``flowspec run``: behave in one or more worker processes, one progress view, one report.

Each worker runs behave over the feature files of its share of the suite (see
``selection``; the share itself is handed over as ``-D share=<file>``), writes its results
into a folder of its own and tells its progress through the ``flowspec.progress``
formatter, one JSON line per event, on its stdout: a pipe to this process. This process
reads those lines in batches (every few hundredths of a second, so that it does not wake
once a scenario on the cores the workers need), draws the progress, then merges the
workers' ``run.json`` into the one report set in ``reports/``.

A worker started as a new interpreter spends about a quarter of a second (on two cores)
on Python, behave, the step library, the engine, the world and its signing keys before
its first feature, much of it work this process has just done for its own checks: a
fixed cost that more workers cannot share out, large beside a suite of a few seconds.
So where ``fork`` is safe (``FORK``, and no other thread runs here), this process
imports all of that and loads the world once, then forks the workers, each of which runs
behave's ``main`` in-process with the arguments ``python -m behave`` would get. Elsewhere
each worker is ``python -m behave``.
"""

from __future__ import annotations

import contextlib
import importlib
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
import traceback
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, NoReturn, Protocol

from flowspec.bdd.catalog import LIBRARY, forget_steps
from flowspec.bdd.reporting import MANAGEMENT_KEY_VARIABLE
from flowspec.bdd.scenario import load_world
from flowspec.bdd.selection import Share
from flowspec.errors import ReportError, did_you_mean
from flowspec.redaction import redact_text
from flowspec.reporting import run_file
from flowspec.reporting.merge import merge
from flowspec.reporting.model import RunReport
from flowspec.reporting.writers import FORK
from flowspec.reporting.writers import write_reports as write_report_set

FAILING = ("failed", "error", "undefined")
INTERRUPTED = 130  # what shells report for a program stopped by Ctrl-C
_TAG = re.compile(r"@([^\s,()~]+)")
# How long a worker's lines gather before this process reads them (see _read_lines), and
# the most read at once.
_GATHER = 0.03
_CHUNK = 1 << 16
# What the project files flowspec init writes name: environment.py's hooks, [tool.behave]'s
# runner, and the step library steps/ imports.
_WARM = ("behave.__main__", "flowspec.bdd.hooks", "flowspec.bdd.runner", LIBRARY)


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
    # The test world's folder, resolved: forked workers get it already loaded.
    world: Path | None = None
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
        arguments = [
            _behave_arguments(plan, share, folder, view.interactive)
            for share, folder in zip(shares, folders, strict=True)
        ]
        # A thread holding a lock at a fork would leave it held in the child for good.
        if FORK and threading.active_count() == 1:
            _prepare_fork(plan)
            workers = _fork_all(arguments, folders)
        else:
            workers = [_spawn(a, folder) for a, folder in zip(arguments, folders, strict=True)]
        parts: dict[int, RunReport | None] = {}

        def collect(worker: int) -> None:
            # Read as soon as the worker ends, on a core it leaves idle while others run.
            parts[worker] = _part(folders[worker], workers[worker][0].wait())

        interrupted = _follow(workers, view, collect)
        codes = [process.wait() for process, _ in workers]
        view.finish()
        if interrupted:
            ran = [run_file.read(f / "run.json") for f in folders if (f / "run.json").is_file()]
            if not _reports_written(merge(ran), plan.reports, out):
                return 2
            out.write(f"interrupted: {view.tally.summary()}; the reports hold what ran\n")
            return INTERRUPTED
        problems = [
            _stopped(j + 1, folder, code, view.said.get(j, []))
            for j, (folder, code) in enumerate(zip(folders, codes, strict=True))
            if parts[j] is None
        ]
        if problems:
            for problem in problems:
                out.write(problem + "\n")
            return 2
        report = merge(part for _, part in sorted(parts.items()) if part is not None)
    if not _reports_written(report, plan.reports, out):
        return 2
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


class Worker(Protocol):
    """A running worker: the part of ``subprocess.Popen`` a run uses, which a forked
    worker provides too."""

    def poll(self) -> int | None: ...

    def send_signal(self, sig: int) -> None: ...

    def wait(self) -> int: ...


def _follow(
    workers: Sequence[tuple[Worker, IO[bytes]]], view: Progress, ended: Callable[[int], None]
) -> bool:
    """Show the workers' events until they all end, calling ``ended`` with each worker's
    number as its output ends; True when the run was interrupted.

    A first Ctrl-C (or SIGTERM) asks each worker, once, to stop after the scenario it is
    in, as behave does on Ctrl-C: it then writes the results it has. A second one stops
    them at once. Workers sit in sessions of their own, so a terminal's Ctrl-C reaches
    them only through this process, exactly once.
    """
    events: queue.Queue[tuple[int, list[str] | None]] = queue.Queue()
    readers = [
        threading.Thread(target=_read_lines, args=(stream, j, events), daemon=True)
        for j, (_, stream) in enumerate(workers)
    ]
    for reader in readers:
        reader.start()
    open_streams = len(workers)
    interrupted = False
    # Only the main thread may set a signal handler; elsewhere SIGTERM keeps its own.
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _raise_interrupt) if main else None
    try:
        while open_streams:
            try:
                worker, lines = events.get()
                if lines is None:
                    open_streams -= 1
                    ended(worker)
                    continue
                for line in lines:
                    view.event(worker, line)
                view.flush()
            except KeyboardInterrupt:
                for process, _ in workers:
                    if process.poll() is None:
                        process.send_signal(signal.SIGKILL if interrupted else signal.SIGINT)
                interrupted = True
        # Each has told its end: once they are gone, the reports may be written side by
        # side (flowspec.reporting.writers forks only while no other thread runs).
        for reader in readers:
            reader.join()
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


def _behave_arguments(
    plan: RunPlan, share: Share | None, folder: Path, interactive: bool
) -> list[str]:
    """behave's command line for the worker that runs ``share`` into ``folder``; on a
    terminal, it tells when each scenario starts too."""
    arguments = [
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
        arguments += ["-D", f"share={folder / 'share.json'}"]
    if not interactive:
        arguments += ["-D", "progress=done"]
    if plan.dry_run:
        arguments.append("--dry-run")
    return arguments


def _spawn(arguments: list[str], folder: Path) -> tuple[Worker, IO[bytes]]:
    """A worker as a new interpreter: ``python -m behave``."""
    reader, writer = os.pipe()
    # stderr goes to a file: a pipe nobody reads until the end could fill and stall it.
    with (folder / "stderr.txt").open("wb") as errors:
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", "behave", *arguments],
                stdout=writer,
                stderr=errors,
                env={**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": "utf-8"},
                start_new_session=True,
            )
        finally:
            os.close(writer)
    return process, _lines(reader)


def _prepare_fork(plan: RunPlan) -> None:
    """Do here, once, what each worker would otherwise do before its first scenario:
    import behave, flowspec's hooks and step library with all they import, and load the
    world (a cache hit when ``flowspec run`` has already checked it). A worker then finds
    the world in ``flowspec.bdd.scenario``'s per-process cache."""
    for module in _WARM:
        importlib.import_module(module)
    if plan.world is not None:
        load_world(plan.world)


def _fork_all(
    arguments: Sequence[list[str]], folders: Sequence[Path]
) -> list[tuple[Worker, IO[bytes]]]:
    """Fork one worker per command line."""
    workers: list[tuple[Worker, IO[bytes]]] = []
    for args, folder in zip(arguments, folders, strict=True):
        reader, writer = os.pipe()
        errors = os.open(folder / "stderr.txt", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        # What is buffered would be written again by the child.
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            _be_worker(args, writer, errors, [reader, *(s.fileno() for _, s in workers)])
        os.close(writer)
        os.close(errors)
        workers.append((Forked(pid), _lines(reader)))
    return workers


def _be_worker(arguments: list[str], stdout: int, stderr: int, unused: list[int]) -> NoReturn:
    """In a forked child: run behave as ``python -m behave`` would, in a session of its own,
    writing to ``stdout`` and ``stderr``; exit with behave's status, never returning into
    the parent's code (its ``finally`` blocks, its temporary folder's clean-up)."""
    code = 1
    try:
        os.setsid()
        for fd in unused:
            os.close(fd)
        os.dup2(stdout, 1)
        os.dup2(stderr, 2)
        os.close(stdout)
        os.close(stderr)
        sys.stdout, sys.stderr = _writer(1), _writer(2)
        # The parent asks a worker to stop after its scenario with SIGINT, as Ctrl-C would.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        # The library was imported here only to be warm. behave clears its parameter
        # types when it starts, and a project's steps/ need not import the library at all:
        # loading steps/ must register exactly what it would in a new interpreter.
        forget_steps()
        from behave.__main__ import main

        code = main(arguments)
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    except KeyboardInterrupt:
        code = INTERRUPTED
    except BaseException:
        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        os._exit(code)


@dataclass
class Forked:
    """A worker forked from this process, as a ``Worker``."""

    pid: int
    returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, sig)

    def wait(self) -> int:
        if self.returncode is None:
            self.returncode = os.waitstatus_to_exitcode(os.waitpid(self.pid, 0)[1])
        return self.returncode


def _writer(fd: int) -> IO[str]:
    """A forked worker's stdout or stderr: UTF-8, as the parent reads it, and each line
    written as it ends, as ``PYTHONUNBUFFERED`` makes a spawned worker's."""
    return open(fd, "w", encoding="utf-8", buffering=1, closefd=False)


def _lines(reader: int) -> IO[bytes]:
    """A worker's stdout, unbuffered: a read takes whatever has arrived."""
    return open(reader, "rb", buffering=0)


def _read_lines(
    stream: IO[bytes], worker: int, events: queue.Queue[tuple[int, list[str] | None]]
) -> None:
    """Pass on the worker's lines (UTF-8, as both kinds of worker write) in batches: after
    each read, wait ``_GATHER`` seconds for more to arrive. A worker writes a line per
    scenario as it ends, which would otherwise wake this process once a scenario, on the
    cores the workers need; the view lags by that wait at most."""
    rest = b""
    with stream:
        while chunk := stream.read(_CHUNK):
            *whole, rest = (rest + chunk).split(b"\n")
            if whole:
                events.put((worker, [line.decode("utf-8", "replace") + "\n" for line in whole]))
            time.sleep(_GATHER)
    if rest:
        events.put((worker, [rest.decode("utf-8", "replace")]))
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
    write_report_set(report, folder, [os.environ.get(MANAGEMENT_KEY_VARIABLE)])


def _reports_written(report: RunReport, folder: Path, out: IO[str]) -> bool:
    """Write the reports; False, having said why, when one of them could not be."""
    try:
        write_reports(report, folder)
    except ReportError as error:
        out.write(f"flowspec run: {error}\n")
        return False
    return True


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

    def flush(self) -> None:
        """Show what the last batch of events wrote."""
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
