"""Benchmark: flowspec against behave itself, in one table of ratios (issue 8).

    python bench/suite.py [--quick] [--repeat 3]

Every row compares flowspec with a baseline measured in the same run: these machines are
shared and noisy, so the ratios are the figures; absolute times are there for context.
Each pair is measured ``--repeat`` times, the two sides alternating, and the medians are
compared. ``--quick`` runs every row at small sizes, once: a smoke run whose figures mean
little.

The suite is generated in a temporary folder: a project made by ``flowspec init`` whose
test world is replaced by four users and one flow of ten tasks in the YAML shorthand
(three conditions, loadUser, two property updates, a screen, one more update, an audit
event, and the End that issues a session). Each scenario gives a user's JWT, runs the flow,
clicks through its screen and checks three values of the flow context by JSONPath: six
steps. Feature files hold 100 scenarios each.

The rows:

- suite overhead: 2,000 scenarios run by behave with flowspec, against behave running the
  very same feature files with a step module of no-op steps (the same lines and
  parameters, so the same number of steps, each doing nothing) and no hooks. Target: at
  most 1.5x.
- behave's runner: the no-op suite of the overhead row again, on flowspec's runner (which
  every flowspec project names in its behave settings, so the flowspec side of every row
  runs on it) against behave's own. No target: it shows how much of the overhead row's
  gap flowspec's runner wins back from behave itself, so that the row can be read
  honestly (see flowspec.bdd.runner).
- scaling: 10,000 scenarios against 1,000, each less the run of an empty suite of the same
  project (interpreter, imports, test world, signing key), a fixed cost that would
  otherwise flatter the ratio. The empty and the 1,000-scenario suites run three times at
  each of their turns (``SHORT_RUNS``), as their difference is the divisor and one run's
  noise is large beside it (making the signing key alone takes 10 to 50 ms); the medians
  are compared. Target: at most 10.5x. The same ratio for behave with
  no-op steps is shown beside it, as behave's own time per scenario grows with the suite
  too. And the peak memory of the 10,000-scenario run (the behave process's RSS
  high-water mark, from ``os.wait4``; the largest over the repeats), beside behave's own
  with no-op steps: under 300 MB.
- remote: the 2,000 scenarios again with ``-D backend=remote`` against ``flowspec serve``
  of the same world in a process of its own, against the local run of the overhead row
  (target at most 3x); then bench/remote.py's own figures: one scenario at the runner
  level, ``RemoteRunner`` and serve in-process against ``LocalRunner`` (target at most
  3x), and serve's throughput in start+next pairs a second from 8 client threads (target
  at least 500).
- cold start: ``flowspec steps`` against ``python -c "import behave"``, the wall time of
  each as a new process, median of 7 (3 with ``--quick``). Target: at most 2x.
- parallel: bench/parallel.py's measure, ``flowspec run --workers 2`` against one worker on
  2,000 scenarios of the project's own features. Target: at least 1.7x faster.

How behave runs: as a subprocess, ``python -m behave`` in the suite's folder, on both
sides alike, with behave's plain formatter into a file (the same console on both sides)
and no colour. A process per run rather than ``behave.__main__.main`` in this one, because
then each side starts alike (imports, behave's step registry and flowspec's per-process
caches start empty, and are counted, on both), the peak memory of a run is that process's
own, and it is how CI and the workers of ``flowspec run`` run behave. The flowspec side
also writes its reports (``cucumber.json``, ``junit.xml``, ``index.html``, ``run.json``),
as every run of a flowspec project does: they are part of what flowspec adds;
bench/reports.py measures that part alone. Every process the benchmark starts may write
bytecode (it drops ``PYTHONDONTWRITEBYTECODE``), and a first untimed run on each side
writes it: behave's own comes compiled in site-packages, as an installed flowspec does,
while a checkout's would otherwise be compiled from source on every run.
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import parallel
import remote

FEATURE_SIZE = 100
SHORT_RUNS = 3
USERS = 4
FLOW = """\
flow: bench
start: Signed in?
tasks:
  Signed in?:
    condition:
      - branch: Signed in
        when:
          - user.loggedIn: is-true
        then: Member?
      - else: End
  Member?:
    condition:
      - branch: Member
        when:
          - jwtClaims.roles: {contains: member}
        then: By email?
      - else: End
  By email?:
    condition:
      - branch: By email
        when:
          - jwtClaims.amr: {contains: email}
        then: Load user
      - else: End
  Load user:
    action: loadUser
    next: Set plan
  Set plan:
    action: update-user-properties
    arguments:
      userPropertiesDefinitions:
        - {key: customAttributes.plan, type: string, value: pro}
    next: Set region
  Set region:
    action: update-user-properties
    arguments:
      userPropertiesDefinitions:
        - {key: customAttributes.region, type: string, value: eu}
    next: Confirm
  Confirm:
    screen: confirm
    buttons:
      Confirm: Set seen
  Set seen:
    action: update-user-properties
    arguments:
      userPropertiesDefinitions:
        - {key: customAttributes.seen, type: string, value: "yes"}
    next: Audit
  Audit:
    action: generate-audit-event
    next: End
  End:
    action: logged-in
"""
PROJECT_ID = "P2benchSuite"
PROJECT = f"projectId: {PROJECT_ID}\nroles:\n  member: {{permissions: []}}\n"
SCENARIO = """
  Scenario: a member confirms, {number}
    Given a JWT for "u{user}@bench.test"
    When I run the "bench" flow
    And I click "Confirm"
    Then "$.flow.status" equals "completed"
    And "$.authInfo.sessionJwt.sub" equals "U{user}"
    And "$.user.customAttributes.plan" equals "pro"
"""
# The baseline's steps: the same lines and parameters as the scenario's, doing nothing.
NO_OP_STEPS = '''"""No-op steps for the lines of the benchmark's scenarios: behave's own cost."""

from behave import given, then, when


@given('a JWT for "{login}"')
def jwt(context, login):
    pass


@when('I run the "{flow}" flow')
def run(context, flow):
    pass


@when('I click "{button}"')
def click(context, button):
    pass


@then('"{path}" equals {expected}')
def equals(context, path, expected):
    pass
'''
BEHAVE = (sys.executable, "-m", "behave", "--no-color", "--format", "plain")
FLOWSPEC_RUNNER = "flowspec.bdd.runner:Runner"


@dataclass(frozen=True)
class Sizes:
    """Scenarios per suite, repetitions and pairs of each row."""

    overhead: int
    small: int
    large: int
    remote_runs: int
    pairs: int
    cold_runs: int
    parallel: int


FULL = Sizes(2000, 1000, 10000, 300, 4000, 7, 2000)
QUICK = Sizes(100, 50, 500, 30, 200, 3, 100)


@dataclass(frozen=True)
class Row:
    """One line of the table: what was compared, both sides, and the verdict."""

    measure: str
    baseline: str
    flowspec: str
    ratio: str
    target: str
    meets: bool


@dataclass(frozen=True)
class Process:
    """A finished process: its wall time and its peak resident memory."""

    seconds: float
    peak_mb: float


def run_process(command: Sequence[str], cwd: Path, env: dict[str, str] | None = None) -> Process:
    """Run ``command`` to its end; stop the benchmark, with its last words, if it fails."""
    log = cwd / "bench-output.txt"
    with log.open("w", encoding="utf-8") as output:
        started = time.perf_counter()
        child = subprocess.Popen(command, cwd=cwd, env=env, stdout=output, stderr=output)
        # wait4 reaps this child and no other, with the resources it alone used.
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
    # Popen would otherwise think the reaped child still runs.
    child.returncode = code = os.waitstatus_to_exitcode(status)
    if code != 0:
        said = log.read_text(encoding="utf-8", errors="replace")[-3000:]
        sys.exit(f"{' '.join(command)} in {cwd} exited {code}; the figures would mislead:\n{said}")
    # Linux counts ru_maxrss in kilobytes, macOS in bytes.
    peak = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
    return Process(seconds, peak)


def write_features(folder: Path, count: int) -> None:
    """``count`` scenarios in files of ``FEATURE_SIZE``; none at all is one empty feature."""
    folder.mkdir(parents=True)
    if count == 0:
        (folder / "empty.feature").write_text("Feature: no scenarios\n", encoding="utf-8")
    for first in range(0, count, FEATURE_SIZE):
        numbers = range(first, min(first + FEATURE_SIZE, count))
        text = f"Feature: members confirm, part {first // FEATURE_SIZE}\n" + "".join(
            SCENARIO.format(number=n, user=n % USERS) for n in numbers
        )
        (folder / f"part_{first // FEATURE_SIZE:04}.feature").write_text(text, encoding="utf-8")


def flowspec_project(folder: Path, sizes: Sequence[int]) -> None:
    """A project as ``flowspec init`` makes it, with the benchmark's world and features."""
    subprocess.run(
        [sys.executable, "-m", "flowspec.cli", "init", str(folder)],
        check=True,
        capture_output=True,
    )
    shutil.rmtree(folder / "features")
    shutil.rmtree(folder / "scenarios" / "flows")
    scenarios = folder / "scenarios"
    (scenarios / "flows").mkdir()
    (scenarios / "flows" / "bench.yaml").write_text(FLOW, encoding="utf-8")
    (scenarios / "project.yaml").write_text(PROJECT, encoding="utf-8")
    users = "".join(
        f"  - {{userId: U{n}, loginIds: [u{n}@bench.test], roles: [member]}}\n"
        for n in range(USERS)
    )
    (scenarios / "users.yaml").write_text("users:\n" + users, encoding="utf-8")
    for size in sizes:
        write_features(folder / "features" / str(size), size)


def baseline_project(folder: Path, flowspec: Path, sizes: Sequence[int]) -> None:
    """behave alone: the flowspec project's feature files and a module of no-op steps."""
    (folder / "steps").mkdir(parents=True)
    (folder / "steps" / "no_op_steps.py").write_text(NO_OP_STEPS, encoding="utf-8")
    for size in sizes:
        shutil.copytree(flowspec / "features" / str(size), folder / "features" / str(size))


def behave(project: Path, size: int, *options: str, env: dict[str, str] | None = None) -> Process:
    """behave on the suite of ``size`` scenarios of ``project``, its console into a file."""
    command = [*BEHAVE, "--outfile", "console.txt", *options, f"features/{size}"]
    return run_process(command, project, env)


def ratio_row(measure: str, baseline: float, flowspec: float, unit: str, target: float) -> Row:
    ratio = flowspec / baseline
    return Row(
        measure,
        f"{baseline:.2f} {unit}",
        f"{flowspec:.2f} {unit}",
        f"{ratio:.2f}x",
        f"<= {target:g}x",
        ratio <= target,
    )


def context_row(measure: str, baseline: float, flowspec: float, unit: str) -> Row:
    """A row with no target: a figure that explains the others."""
    return Row(
        measure,
        f"{baseline:.2f} {unit}",
        f"{flowspec:.2f} {unit}",
        f"{flowspec / baseline:.2f}x",
        "",
        True,
    )


def alternate(
    repeat: int, *sides: Callable[[], Process], times: Sequence[int] = ()
) -> list[list[Process]]:
    """Each side run ``repeat`` times, the sides taking turns: a slow moment of a shared
    machine then falls on all of them alike. ``times`` runs a side that many times at
    each of its turns (1 for each side not given)."""
    counts = [*times, *[1] * (len(sides) - len(times))]
    results: list[list[Process]] = [[] for _ in sides]
    for _ in range(repeat):
        for index, side in enumerate(sides):
            results[index] += [side() for _ in range(counts[index])]
    return results


def median_seconds(processes: list[Process]) -> float:
    return statistics.median(process.seconds for process in processes)


def suite_rows(root: Path, sizes: Sizes, repeat: int) -> list[Row]:
    """Suite overhead, scaling and memory, and the suite through flowspec serve."""
    flowspec, baseline = root / "flowspec", root / "behave"
    flowspec_project(flowspec, [0, sizes.overhead, sizes.small, sizes.large])
    baseline_project(baseline, flowspec, [0, sizes.overhead, sizes.small, sizes.large])
    # Warm the disk cache and write the bytecode, on both sides, before any timing.
    behave(flowspec, 0)
    behave(baseline, 0)

    key = secrets.token_urlsafe(24)
    with remote.serve_process(flowspec / "scenarios", PROJECT_ID, management_key=key) as url:
        served = {
            **os.environ,
            "FLOWSPEC_BASE_URL": url,
            "FLOWSPEC_PROJECT_ID": PROJECT_ID,
            "FLOWSPEC_MANAGEMENT_KEY": key,
        }
        bare, bare_on_ours, local, through_serve = alternate(
            repeat,
            lambda: behave(baseline, sizes.overhead),
            lambda: behave(baseline, sizes.overhead, "--runner", FLOWSPEC_RUNNER),
            lambda: behave(flowspec, sizes.overhead),
            lambda: behave(flowspec, sizes.overhead, "-D", "backend=remote", env=served),
        )
    # The empty and the small suites run SHORT_RUNS times at each turn: their difference
    # is the scaling row's divisor, and one run's noise (making the signing key alone
    # takes 10 to 50 ms) is large beside it.
    empty, small, large, bare_empty, bare_small, bare_large = alternate(
        repeat,
        lambda: behave(flowspec, 0),
        lambda: behave(flowspec, sizes.small),
        lambda: behave(flowspec, sizes.large),
        lambda: behave(baseline, 0),
        lambda: behave(baseline, sizes.small),
        lambda: behave(baseline, sizes.large),
        times=(SHORT_RUNS, SHORT_RUNS, 1, SHORT_RUNS, SHORT_RUNS, 1),
    )
    start_up = median_seconds(empty)
    bare_start_up = median_seconds(bare_empty)
    bare_scaling = (median_seconds(bare_large) - bare_start_up) / (
        median_seconds(bare_small) - bare_start_up
    )
    peak = max(process.peak_mb for process in large)
    return [
        ratio_row(
            f"suite overhead: {sizes.overhead:,} scenarios, flowspec vs no-op steps",
            median_seconds(bare),
            median_seconds(local),
            "s",
            1.5,
        ),
        context_row(
            f"behave's runner: {sizes.overhead:,} scenarios of no-op steps, flowspec's vs behave's",
            median_seconds(bare),
            median_seconds(bare_on_ours),
            "s",
        ),
        ratio_row(
            f"scaling: {sizes.large:,} vs {sizes.small:,} scenarios, less start-up "
            f"(no-op steps: {bare_scaling:.2f}x)",
            median_seconds(small) - start_up,
            median_seconds(large) - start_up,
            "s",
            10.5,
        ),
        Row(
            f"peak memory: {sizes.large:,} scenarios, flowspec vs no-op steps",
            f"{max(process.peak_mb for process in bare_large):.0f} MB",
            f"{peak:.0f} MB",
            "",
            "< 300 MB",
            peak < 300,
        ),
        ratio_row(
            f"remote suite: {sizes.overhead:,} scenarios via flowspec serve vs local",
            median_seconds(local),
            median_seconds(through_serve),
            "s",
            remote.RATIO_TARGET,
        ),
    ]


def remote_rows(sizes: Sizes) -> list[Row]:
    """bench/remote.py's figures: one scenario at the runner level, and serve's throughput."""
    local, through_serve = remote.remote_vs_local(sizes.remote_runs)
    rate, local_rate = remote.serve_throughput(sizes.pairs, 8, 120.0)
    return [
        ratio_row(
            "remote runner: one scenario, RemoteRunner + serve vs LocalRunner",
            local * 1e3,
            through_serve * 1e3,
            "ms",
            remote.RATIO_TARGET,
        ),
        Row(
            "serve throughput: start+next pairs/s, 8 clients (one engine thread)",
            f"{local_rate:,.0f}/s",
            f"{rate:,.0f}/s",
            "",
            f">= {remote.PAIRS_TARGET:g}/s",
            rate >= remote.PAIRS_TARGET,
        ),
    ]


def cold_start_row(root: Path, runs: int) -> Row:
    """``flowspec steps`` and ``import behave``, each a new process, taking turns."""
    script = Path(sys.executable).parent / "flowspec"
    steps = [str(script)] if script.is_file() else [sys.executable, "-m", "flowspec.cli"]
    bare, flowspec = alternate(
        runs,
        lambda: run_process([sys.executable, "-c", "import behave"], root),
        lambda: run_process([*steps, "steps"], root),
    )
    return ratio_row(
        'cold start: flowspec steps vs python -c "import behave"',
        median_seconds(bare),
        median_seconds(flowspec),
        "s",
        2.0,
    )


def parallel_row(scenarios: int, repeat: int) -> Row:
    result = parallel.measure(scenarios, repeat)
    note = "" if result.same else " (merged reports DIFFER)"
    return Row(
        f"parallel: --workers 2 vs 1, {result.scenarios:,} scenarios{note}",
        f"{result.one:.2f} s",
        f"{result.two:.2f} s",
        f"{result.ratio:.2f}x faster",
        f">= {parallel.TARGET:g}x",
        result.ratio >= parallel.TARGET and result.same,
    )


def machine() -> str:
    model = platform.processor() or "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        names = [
            line.partition(":")[2].strip()
            for line in cpuinfo.read_text(encoding="utf-8").splitlines()
            if line.startswith("model name")
        ]
        model = names[0] if names else model
    return f"{os.cpu_count()} CPUs, {model}, Python {platform.python_version()}"


def print_table(rows: list[Row], repeat: int) -> None:
    header = Row("measure", "baseline", "flowspec", "ratio", "target", True)
    widths = [
        max(len(getattr(row, name)) for row in [header, *rows])
        for name in ("measure", "baseline", "flowspec", "ratio", "target")
    ]
    print(f"machine: {machine()}; median of {repeat}")
    for row in [header, *rows]:
        cells = [row.measure, row.baseline, row.flowspec, row.ratio, row.target]
        line = "  ".join(
            cell.ljust(width) if column == 0 else cell.rjust(width)
            for column, (cell, width) in enumerate(zip(cells, widths, strict=True))
        )
        verdict = "verdict" if row is header else ("meets" if row.meets else "MISSES")
        verdict = verdict if row.target else "(context)"
        print(f"{line}  {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    parser.add_argument("--repeat", type=int, help="runs of each side (default 3, quick 1)")
    args = parser.parse_args()
    sizes = QUICK if args.quick else FULL
    repeat = args.repeat or (1 if args.quick else 3)
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    with tempfile.TemporaryDirectory(prefix="flowspec-bench-") as temporary:
        root = Path(temporary)
        rows = suite_rows(root, sizes, repeat)
        rows += remote_rows(sizes)
        rows.append(cold_start_row(root, sizes.cold_runs))
    rows.append(parallel_row(sizes.parallel, repeat))
    print_table(rows, repeat)


if __name__ == "__main__":
    main()
