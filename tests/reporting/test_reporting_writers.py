"""A run's reports are written side by side where a core is free, and read as if written
one after another: the same files, and every failure raised in the process that asked."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

import pytest

from flowspec.errors import ReportError
from flowspec.reporting import writers
from flowspec.reporting.model import (
    FeatureReport,
    FlowGraph,
    FlowNode,
    FlowStep,
    RunReport,
    ScenarioReport,
    Status,
    StepReport,
)
from flowspec.reporting.writers import WRITERS, may_fork, write_reports, write_side_by_side

TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJVMmJvYiJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ"


def member_steps_up(n: int) -> ScenarioReport:
    """Member ``n`` steps up; the third one fails, on a token that must not be shown."""
    status: Status = "failed" if n == 2 else "passed"
    error = f"the token {TOKEN} was refused" if n == 2 else None
    check = StepReport("Then", "the flow completes", 4 + n, status, 0.004, error, "steps.py:3")
    path = (FlowStep("1", "Start", "next", "step-up"),)
    return ScenarioReport(f"member {n}", 3 + n, status, 0.01, (), (check,), "step-up", path)


REPORT = RunReport(
    (
        FeatureReport(
            "Step-up",
            "features/step_up.feature",
            1,
            scenarios=(member_steps_up(0), member_steps_up(1), member_steps_up(2)),
        ),
    ),
    (FlowGraph("step-up", "Step-up", "1", nodes=(FlowNode("1", "Start", "start"),)),),
)
needs_fork = pytest.mark.skipif(
    not may_fork(), reason="side by side needs fork (Linux), one thread and two cores"
)


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.is_file())


def one_after_another(folder: Path) -> dict[str, bytes]:
    for name, write in WRITERS.items():
        write(REPORT, folder / name, ["K9secret"])
    return {name: (folder / name).read_bytes() for name in WRITERS}


@needs_fork
def test_the_reports_written_side_by_side_are_those_written_one_after_another(
    tmp_path: Path,
) -> None:
    expected = one_after_another(tmp_path / "serial")
    write_reports(REPORT, tmp_path / "reports", ["K9secret"])
    assert {name: (tmp_path / "reports" / name).read_bytes() for name in WRITERS} == expected
    assert TOKEN.encode() not in b"".join(expected.values())
    assert files_in(tmp_path / "reports") == sorted(WRITERS)


def test_one_after_another_a_failing_file_stops_none_of_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file the system will not let be written is named, and so is what still holds."""
    monkeypatch.setattr(writers, "may_fork", lambda: False)
    (tmp_path / "junit.xml").mkdir()
    with pytest.raises(ReportError) as refused:
        write_reports(REPORT, tmp_path)
    assert str(refused.value) == (
        f"could not write {tmp_path / 'junit.xml'} (Is a directory); the previous "
        f"{tmp_path / 'junit.xml'}, if any, is as it was, and the reports that could be "
        "written were"
    )
    assert files_in(tmp_path) == ["cucumber.json", "index.html", "run.json"]


@pytest.mark.parametrize("side_by_side", [False, pytest.param(True, marks=needs_fork)])
def test_two_files_that_fail_still_leave_the_two_that_can_be_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, side_by_side: bool
) -> None:
    """One failing file in each process, or both in one: the first is named, and the
    two files that can be written are."""
    monkeypatch.setattr(writers, "may_fork", lambda: side_by_side)
    (tmp_path / "junit.xml").mkdir()
    (tmp_path / "index.html").mkdir()
    with pytest.raises(ReportError, match=r"could not write .*(junit\.xml|index\.html)"):
        write_reports(REPORT, tmp_path)
    assert files_in(tmp_path) == ["cucumber.json", "run.json"]


def test_only_the_reports_named_are_written(tmp_path: Path) -> None:
    write_reports(REPORT, tmp_path, names=["run.json"])
    assert files_in(tmp_path) == ["run.json"]


@needs_fork
def test_a_write_that_fails_in_the_child_is_raised_here_and_the_others_are_written(
    tmp_path: Path,
) -> None:
    """cucumber.json (the first write, so the child's) cannot replace a folder of its
    name: the caller gets the error naming it, and the other three files, the child's
    next one among them, are written."""
    (tmp_path / "cucumber.json").mkdir()
    with pytest.raises(ReportError, match=r"could not write .*cucumber\.json \(Is a directory\)"):
        write_reports(REPORT, tmp_path)
    assert files_in(tmp_path) == ["index.html", "junit.xml", "run.json"]


@needs_fork
def test_a_child_killed_while_writing_is_reported_with_the_files_it_held(tmp_path: Path) -> None:
    written: list[str] = []

    def killed() -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    with pytest.raises(ReportError, match=r"writing index\.html was killed by signal 9"):
        write_side_by_side([("index.html", killed), ("run.json", lambda: written.append("run"))])
    assert written == ["run"]


class UnpicklableError(Exception):
    def __init__(self, lock: object) -> None:
        super().__init__("the writer held a lock")
        self.lock = lock

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("cannot pickle a lock")


@needs_fork
def test_an_error_that_cannot_cross_back_is_reported_in_words() -> None:
    def fails() -> None:
        raise UnpicklableError(threading.Lock())

    with pytest.raises(ReportError, match="UnpicklableError: the writer held a lock"):
        write_side_by_side([("junit.xml", fails), ("run.json", lambda: None)])


def test_with_another_thread_running_the_files_are_written_here_one_after_another() -> None:
    """A lock held by another thread at a fork would stay held in the child: no fork."""
    release = threading.Event()
    worker = threading.Thread(target=release.wait)
    worker.start()
    try:
        assert not may_fork()
        pids: list[int] = []
        write_side_by_side([(name, lambda: pids.append(os.getpid())) for name in WRITERS])
        assert pids == [os.getpid()] * len(WRITERS)
    finally:
        release.set()
        worker.join()


@needs_fork
def test_side_by_side_the_first_half_is_written_by_another_process() -> None:
    """Every other write goes to the child, so both halves take about as long."""
    read, write = os.pipe()

    def tell_pid() -> None:
        os.write(write, str(os.getpid()).encode())

    here: list[int] = []
    write_side_by_side([("cucumber.json", tell_pid), ("junit.xml", lambda: here.append(1))])
    os.close(write)
    child = int(os.read(read, 64))
    os.close(read)
    assert child != os.getpid()
    assert here == [1]


def test_on_one_core_nothing_is_forked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(writers, "usable_cores", lambda: 1)
    assert not may_fork()
