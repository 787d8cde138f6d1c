"""Report files are replaced whole: a reader sees the old file or the new one, never a torn one."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from flowspec.reporting.files import write_atomically


def test_a_report_replaces_the_previous_one_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    """The new text replaces the old, in a folder made on demand, with nothing left beside."""
    target = tmp_path / "reports" / "junit.xml"
    write_atomically(target, "old")
    write_atomically(target, "new")
    assert target.read_text(encoding="utf-8") == "new"
    assert [p.name for p in target.parent.iterdir()] == ["junit.xml"]


def test_a_write_that_fails_midway_keeps_the_previous_report(tmp_path: Path) -> None:
    """A text that cannot be encoded fails the write; the old report stays, whole."""
    target = tmp_path / "cucumber.json"
    write_atomically(target, "[]")
    with pytest.raises(UnicodeEncodeError):
        write_atomically(target, "[" + "x" * 100_000 + "\ud800]")
    assert target.read_text(encoding="utf-8") == "[]"
    assert [p.name for p in tmp_path.iterdir()] == ["cucumber.json"]


def test_a_report_is_readable_as_the_umask_allows(tmp_path: Path) -> None:
    """Reports are not private files: with umask 022 they are 0644, like any file written."""
    previous = os.umask(0o022)
    try:
        write_atomically(tmp_path / "index.html", "<html></html>")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "index.html").stat().st_mode) == 0o644


def test_a_report_written_in_pieces_is_their_text_in_order(tmp_path: Path) -> None:
    target = tmp_path / "run.json"
    write_atomically(target, iter(['{"features": ', "[1, ", "2]", "}\n"]))
    assert target.read_text(encoding="utf-8") == '{"features": [1, 2]}\n'


def test_pieces_that_fail_midway_keep_the_previous_report(tmp_path: Path) -> None:
    """A report made piece by piece that raises after some were written leaves the old
    report whole, and no temporary file."""
    target = tmp_path / "run.json"
    write_atomically(target, "[]")

    def pieces() -> Iterator[str]:
        yield "[" + "x" * 100_000
        raise RuntimeError("the model could not be rendered")

    with pytest.raises(RuntimeError, match="could not be rendered"):
        write_atomically(target, pieces())
    assert target.read_text(encoding="utf-8") == "[]"
    assert [p.name for p in tmp_path.iterdir()] == ["run.json"]
