"""Every report of a run into one folder, the files written side by side where a core is free.

The four files are independent of each other, and a run (or a CI job) ends waiting for
the last of them. So where forking is safe (``FORK``: not on Windows, which has no fork,
nor on macOS, where a forked child may crash in the system libraries it inherits), no
other thread runs in this process (a lock one holds at the fork would stay held in the
child for good) and this process may use a second core, a child process forked here
writes half of the files while this one writes the rest. Each file is replaced in one
step either way (``write_atomically``), so a failing writer keeps the previous file.

A file that fails does not stop the others: every file that can be written is, and then
the first error is raised here, this process's own before the child's, which comes back
pickled (a ``ReportError`` saying what happened when it cannot be). A file the system
would not let be written (a folder in its place, a full disk) is a ``ReportError`` that
names it. Elsewhere, or for a single file, the files are written one after another.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from pathlib import Path
from typing import NoReturn

from flowspec.errors import ReportError
from flowspec.machine import usable_cores
from flowspec.redaction import redact_text
from flowspec.reporting import cucumber, html, junit, run_file
from flowspec.reporting.model import RunReport

# The files written into the reports folder, by what writes them.
WRITERS: dict[str, Callable[[RunReport, Path, Iterable[str | None]], None]] = {
    "cucumber.json": cucumber.write,
    "junit.xml": junit.write,
    "index.html": html.write,
    "run.json": run_file.write,
}
FORK = hasattr(os, "fork") and sys.platform != "darwin"

Write = tuple[str, Callable[[], None]]


def write_reports(
    report: RunReport,
    folder: Path,
    secrets: Iterable[str | None] = (),
    names: Iterable[str] | None = None,
) -> None:
    """Write the reports ``names`` (all of ``WRITERS`` by default) of ``report`` into
    ``folder``, with ``secrets`` and every JWT-shaped string redacted."""
    hidden = tuple(secrets)
    wanted = set(WRITERS if names is None else names)
    writes: list[Write] = [
        (str(folder / name), partial(write, report, folder / name, hidden))
        for name, write in WRITERS.items()
        if name in wanted
    ]
    write_side_by_side(writes)


def write_side_by_side(writes: Sequence[Write]) -> None:
    """Make every write (a file's name, and what writes it): where ``may_fork`` says so,
    every other one in a child process at the same time as the rest here."""
    if len(writes) < 2 or not may_fork():
        _raise_first(_write_each(writes))
        return
    theirs, mine = writes[0::2], writes[1::2]
    reader, writer = os.pipe()
    # What is buffered would otherwise be written again when the child flushes it; the
    # child leaves by os._exit, which flushes nothing, but a writer may print.
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        os.close(reader)
        _write_in_child(theirs, writer)
    os.close(writer)
    try:
        failure = _write_each(mine)
    finally:
        theirs_failed = _child_failure(pid, reader, [name for name, _ in theirs])
    _raise_first(failure or theirs_failed)


def may_fork() -> bool:
    """Whether forking a helper process is safe here and can help: ``FORK``, no other
    thread running, and more than one core this process may run on."""
    return FORK and threading.active_count() == 1 and usable_cores() > 1


def _write_each(writes: Sequence[Write]) -> Exception | None:
    """Make every write, even after one fails (each file is worth having); the first
    failure, if any, a file the system would not let be written told as a ``ReportError``
    that names it. Ctrl-C stops them at once."""
    first: Exception | None = None
    for name, write in writes:
        try:
            write()
        except OSError as error:
            first = first or ReportError(
                f"could not write {name} ({error.strerror or error}); the previous {name}, "
                "if any, is as it was, and the reports that could be written were"
            )
        except Exception as error:
            first = first or error
    return first


def _raise_first(failure: BaseException | None) -> None:
    if failure is not None:
        raise failure


def _write_in_child(writes: Sequence[Write], fd: int) -> NoReturn:
    """In the forked child: make ``writes``, send back what stopped them, and leave at once,
    never returning into the parent's code (its ``finally`` blocks, its ``atexit``)."""
    # A collection would touch, and so copy, every page the child shares with its parent.
    gc.disable()
    code = 0
    try:
        with os.fdopen(fd, "wb") as pipe:
            try:
                failure: BaseException | None = _write_each(writes)
            except BaseException as error:
                failure = error
            if failure is not None:
                code = 1
                pipe.write(_pickled(failure))
    finally:
        os._exit(code)


def _pickled(error: BaseException) -> bytes:
    try:
        return pickle.dumps(error)
    except Exception:  # an error whose arguments do not pickle: its words will do
        return pickle.dumps(ReportError(redact_text(f"{type(error).__name__}: {error}")))


def _child_failure(pid: int, reader: int, names: list[str]) -> BaseException | None:
    """What stopped the child writing ``names``, or None when it wrote them all."""
    with os.fdopen(reader, "rb") as pipe:
        said = pipe.read()
    code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    if said:
        with contextlib.suppress(Exception):
            failure = pickle.loads(said)
            if isinstance(failure, BaseException):
                return failure
    if said or code != 0:
        how = f"was killed by signal {-code}" if code < 0 else f"exited {code}"
        return ReportError(
            f"the process writing {', '.join(names)} {how} before it finished; the "
            "previous files, if any, are still there: run again to write them"
        )
    return None
