"""bench/suite.py, issue 8's one command, runs to its end and prints its whole table.

Only the table's shape is checked, never a figure: on a shared machine a time says little,
and no test may fail on one.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The start of each row's measure, in the order the table prints them.
ROWS = (
    "suite overhead:",
    "behave's runner:",
    "scaling:",
    "peak memory:",
    "remote suite:",
    "remote runner:",
    "serve throughput:",
    "cold start:",
    "parallel:",
)


def test_the_quick_benchmark_prints_every_row_with_a_verdict() -> None:
    """``python bench/suite.py --quick`` exits 0 and prints the machine, a header and one
    row per measure, in order, each ending in a verdict (whichever it is), or in
    "(context)" for a row with no target."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "suite.py"), "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    lines = done.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("machine: "))
    header, *rows = lines[start + 1 :]
    assert header.split() == ["measure", "baseline", "flowspec", "ratio", "target", "verdict"]
    assert len(rows) == len(ROWS), done.stdout
    for row, measure in zip(rows, ROWS, strict=True):
        assert row.startswith(measure), f"expected a row for {measure!r}, got {row!r}"
        assert row.split()[-1] in ("meets", "MISSES", "(context)"), row
