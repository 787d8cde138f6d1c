"""Benchmark: writing every report for a run of about 5,000 scenarios, against that run.

The suite is the project's own features copied until it holds at least ``--scenarios``
scenarios (a realistic mix: JWTs, screens, codes, passkeys, outlines), in a temporary
copy of the project; one copy runs first to count its scenarios and warm up. behave runs
the suite in this process with flowspec's formatters; the time the formatter spends writing
``cucumber.json``, ``junit.xml``, ``index.html`` and ``run.json`` is measured inside that
same run (side by side, where the formatter writes half of the files in a helper
process); each file is then written alone, one after another, from the run's model, for
what each costs. Baseline: the whole run's wall time.
Target (issue 6): writing the reports takes under 20% of the run.

    python bench/reports.py [--scenarios 5000]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from behave.__main__ import main as behave_main

from flowspec.bdd import reporting
from flowspec.reporting import run_file
from flowspec.reporting.model import RunReport
from flowspec.reporting.writers import WRITERS

ROOT = Path(__file__).resolve().parents[1]
TARGET = 0.20


def project(folder: Path) -> None:
    """A copy of the project's steps, world, hooks and settings, with no features yet."""
    for name in ("steps", "scenarios"):
        shutil.copytree(ROOT / name, folder / name)
    for name in ("pyproject.toml", "environment.py"):
        shutil.copy(ROOT / name, folder / name)
    (folder / "features").mkdir()


def add_features(folder: Path, copy: int) -> None:
    """One more copy of every feature of the project (and the files their Examples read)."""
    for feature in (ROOT / "features").iterdir():
        target = folder / "features" / f"{feature.stem}_{copy:03}{feature.suffix}"
        if feature.is_dir():
            shutil.copytree(feature, folder / "features" / feature.name, dirs_exist_ok=True)
        else:
            shutil.copy(feature, target)


def behave_in(folder: Path) -> tuple[int, float]:
    """Run behave in ``folder`` in this process: its exit status and wall time."""
    previous = Path.cwd()
    os.chdir(folder)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            started = time.perf_counter()
            status = behave_main(["--no-color"])
            return status, time.perf_counter() - started
    finally:
        os.chdir(previous)


def scenarios_in(folder: Path) -> int:
    report = run_file.read(folder / "reports" / "run.json")
    return sum(len(feature.scenarios) for feature in report.features)


@contextlib.contextmanager
def timed_writing(spent: list[float]) -> Iterator[None]:
    """Time the formatter's writing of every report (side by side where it can be)."""
    original = reporting.write_reports

    def timed(*args: Any) -> None:
        started = time.perf_counter()
        original(*args)
        spent.append(time.perf_counter() - started)

    reporting.write_reports = timed
    try:
        yield
    finally:
        reporting.write_reports = original


def each_file(model: RunReport, folder: Path) -> dict[str, float]:
    """Seconds each writer takes alone, one after another, on the run's model."""
    spent: dict[str, float] = {}
    for name, write in WRITERS.items():
        started = time.perf_counter()
        write(model, folder / name, ())
        spent[name] = time.perf_counter() - started
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        project(folder)
        add_features(folder, 0)
        # One copy first: it counts the scenarios per copy and warms imports and caches.
        behave_in(folder)
        copies = -(-args.scenarios // scenarios_in(folder))
        for copy in range(1, copies):
            add_features(folder, copy)
        spent: list[float] = []
        with timed_writing(spent):
            status, run = behave_in(folder)
        total = scenarios_in(folder)
        model = run_file.read(folder / "reports" / "run.json")
        alone = each_file(model, folder / "alone")
        sizes = {name: (folder / "reports" / name).stat().st_size for name in WRITERS}
    if status != 0:
        sys.exit(f"the suite did not pass (behave exit {status}); the figures would mislead")
    writing = sum(spent)
    print(f"scenarios run:              {total}")
    print(f"run, all included:          {run:8.2f} s   (baseline)")
    print("each file alone, one after another, for reference:")
    for name, seconds in alone.items():
        print(f"  writing {name:<17} {seconds:8.3f} s   {sizes[name] / 1e6:6.1f} MB")
    ratio = writing / run
    verdict = "meets" if ratio < TARGET else "MISSES"
    print(f"writing all reports, in the run: {writing:6.3f} s = {ratio:.1%} of the run")
    print(f"target: under {TARGET:.0%} of the run ... {verdict}")


if __name__ == "__main__":
    main()
