"""Benchmark: ``flowspec run --workers 2`` against one worker, on a suite of 2,000 scenarios.

The suite is the project's own features copied until it holds at least ``--scenarios``
scenarios, in a temporary copy of the project: CPU-bound work (RSA signatures, flows,
JSONPath checks) with no waiting on a network. Baseline, measured in the same run:
``flowspec run`` with one worker on the same suite. The two alternate ``--repeat`` times
and the medians are compared. Each run's merged ``reports/run.json`` must equal the
single worker's scenario for scenario (status, steps and flow path), or the benchmark
says so. Target (issue 7): at least 1.7x faster with two workers on two cores. Other
work on the machine hurts two workers most, so the load average before and after is
printed with the figures, and every run's time besides the medians.

    python bench/parallel.py [--scenarios 2000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flowspec.reporting import run_file

ROOT = Path(__file__).resolve().parents[1]
TARGET = 1.7


def make_suite(folder: Path, wanted: int) -> None:
    """A copy of the project whose features are repeated up to ``wanted`` scenarios."""
    for name in ("steps", "scenarios"):
        shutil.copytree(ROOT / name, folder / name)
    for name in ("pyproject.toml", "environment.py"):
        shutil.copy(ROOT / name, folder / name)
    (folder / "features").mkdir()
    copy_features(folder, 0)
    for copy in range(1, -(-wanted // scenarios(folder))):
        copy_features(folder, copy)


def copy_features(folder: Path, copy: int) -> None:
    for feature in (ROOT / "features").glob("*.feature"):
        shutil.copy(feature, folder / "features" / f"{feature.stem}_{copy:03}.feature")


def scenarios(folder: Path) -> int:
    """Scenarios in the suite so far, as a run's report lists them."""
    subprocess.run(
        [sys.executable, "-m", "flowspec.cli", "run"],
        cwd=folder,
        capture_output=True,
        check=False,
    )
    report = run_file.read(folder / "reports" / "run.json")
    return sum(len(feature.scenarios) for feature in report.features)


def flowspec_run(folder: Path, workers: int) -> tuple[float, list[Any]]:
    """Wall time of ``flowspec run --workers N`` and the scenarios of its report."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "flowspec.cli", "run", "--workers", str(workers)],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    took = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"flowspec run --workers {workers} failed:\n{done.stdout[-2000:]}{done.stderr}")
    report = run_file.read(folder / "reports" / "run.json")
    outcomes = [
        (f.file, s.name, s.line, s.status, [t.status for t in s.steps], s.flow_path)
        for f in report.features
        for s in f.scenarios
    ]
    return took, outcomes


@dataclass(frozen=True)
class SpeedUp:
    """Median wall times of one and two workers on the same suite, and whether the merged
    reports of every run equal the single worker's, scenario for scenario."""

    scenarios: int
    times: dict[int, list[float]]
    same: bool

    @property
    def one(self) -> float:
        return statistics.median(self.times[1])

    @property
    def two(self) -> float:
        return statistics.median(self.times[2])

    @property
    def ratio(self) -> float:
        return self.one / self.two


def measure(wanted: int, repeat: int) -> SpeedUp:
    """Build a suite of at least ``wanted`` scenarios; time one and two workers on it,
    alternating, ``repeat`` times each. The first run, which counts the scenarios, writes
    the bytecode the timed ones read (see ``bench/suite.py``)."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        make_suite(folder, wanted)
        times: dict[int, list[float]] = {1: [], 2: []}
        reference: list[Any] | None = None
        same = True
        for _ in range(repeat):
            for workers in (1, 2):
                took, outcomes = flowspec_run(folder, workers)
                times[workers].append(took)
                reference = outcomes if reference is None else reference
                same = same and outcomes == reference
    return SpeedUp(scenarios=len(reference or []), times=times, same=same)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    before = os.getloadavg()
    result = measure(args.scenarios, args.repeat)
    after = os.getloadavg()
    print(f"scenarios:                  {result.scenarios}")
    runs = f"median of {args.repeat}: {_all(result.times[1])}"
    print(f"one worker (baseline):      {result.one:6.2f} s  ({runs})")
    print(f"two workers:                {result.two:6.2f} s  ({_all(result.times[2])})")
    verdict = "meets" if result.ratio >= TARGET else "MISSES"
    speed_up = f"{result.ratio:.2f}x  target at least {TARGET}x ... {verdict}"
    print(f"speed-up:                   {speed_up}")
    print(f"merged reports equal the single worker's, scenario for scenario: {result.same}")
    print(f"load average (1, 5, 15 min): before {_load(before)}, after {_load(after)}")


def _all(times: list[float]) -> str:
    return " ".join(f"{took:.2f}" for took in times)


def _load(load: tuple[float, float, float]) -> str:
    return ", ".join(f"{value:.2f}" for value in load)


if __name__ == "__main__":
    main()
