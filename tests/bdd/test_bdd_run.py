"""`flowspec run` on a copy of the project: progress, exit codes, workers (forked where that
is safe, new interpreters elsewhere), shards, merging."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from flowspec.bdd import parallel
from flowspec.cli import main
from flowspec.identity import keys
from flowspec.reporting import run_file
from flowspec.reporting.model import RunReport

# The `flowspec` and `behave` fixtures of tests/conftest.py.
Command = Callable[..., subprocess.CompletedProcess[str]]

ROOT = Path(__file__).resolve().parents[2]
Outcome = tuple[str, str, int, str, tuple[str, ...], tuple[tuple[str, str | None], ...]]


def outcomes(report: RunReport) -> list[Outcome]:
    """Each scenario's identity, status, step statuses and flow path, in report order."""
    return [
        (
            feature.file,
            scenario.name,
            scenario.line,
            scenario.status,
            tuple(step.status for step in scenario.steps),
            tuple((step.id, step.outcome) for step in scenario.flow_path),
        )
        for feature in report.features
        for scenario in feature.scenarios
    ]


def break_step_up(project: Path) -> None:
    """Make two scenarios of step_up.feature expect a failed flow; their flows complete."""
    feature = project / "features" / "step_up.feature"
    text = feature.read_text(encoding="utf-8")
    feature.write_text(text.replace("Then the flow completes", "Then the flow fails"))


def test_a_passing_suite_exits_0_with_a_line_per_scenario_and_all_reports(
    project: Path, flowspec: Command
) -> None:
    """Outside a terminal each scenario gets a plain counted line; reports are written."""
    result = flowspec(project, "run")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    total = len(outcomes(run_file.read(project / "reports" / "run.json")))
    assert lines[0].startswith(f"[ 1/{total}] passed    features/")
    assert f"{total} scenarios: {total} passed" in result.stdout
    for name in ("cucumber.json", "index.html", "junit.xml", "run.json"):
        assert (project / "reports" / name).is_file(), name


def test_a_failing_scenario_exits_1_showing_the_step_and_the_message(
    project: Path, flowspec: Command
) -> None:
    """A failure is printed with its location, the failing step and the flow's path."""
    break_step_up(project)
    result = flowspec(project, "run", "features/step_up.feature")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "failed    features/step_up.feature:6  a user with an authenticator app" in result.stdout
    assert "    Then the flow fails (line 13)" in result.stdout
    assert 'expected the flow to be failed, but flow "step-up" is completed' in result.stdout
    assert "2 failed, 2 passed" in result.stdout


def test_usage_and_world_errors_exit_2_before_anything_runs(
    project: Path, flowspec: Command
) -> None:
    """A broken world, a feature that does not parse, an unknown backend, a missing path,
    a bad shard, a feature file over the size limit and a folder without features each
    exit 2, saying what is wrong."""
    (project / "scenarios" / "users.yaml").write_text("users: [{loginIds: 3}]\n")
    broken = flowspec(project, "run")
    assert broken.returncode == 2
    assert broken.stderr.startswith("flowspec run: scenarios/users.yaml: users[0]:")
    assert not (project / "reports").exists()
    (project / "scenarios" / "users.yaml").write_text(
        (ROOT / "scenarios" / "users.yaml").read_text(encoding="utf-8")
    )
    (project / "features" / "broken.feature").write_text(
        "Feature: x\n  Scenario: y\n    Given no JWT\n  this line is no step\n"
    )
    huge = "Feature: huge\n" + "  Scenario: s\n    Given no JWT\n" * 40_000
    (project / "big").mkdir()
    (project / "big" / "huge.feature").write_text(huge)
    for args, says in (
        ((), 'ParserError: Failed to parse "'),
        (("--backend", "staging"), "unknown backend 'staging'"),
        (("features/nope.feature",), "no feature file or folder features/nope.feature"),
        (("--shard", "3/2"), "--shard 3/2: K must be from 1 to N"),
        (("big",), "big/huge.feature is 1,240,014 bytes, over the 1,000,000 bytes"),
        (("scenarios",), "no feature file in scenarios: write one, or start with flowspec new"),
    ):
        result = flowspec(project, "run", *args)
        said = result.stdout + result.stderr
        assert (result.returncode, says in said) == (2, True), said


def test_two_workers_give_the_report_one_process_gives(project: Path, flowspec: Command) -> None:
    """The merged report of two workers lists the same scenarios, statuses and paths, in
    the same order, as a single process."""
    break_step_up(project)
    assert flowspec(project, "run").returncode == 1
    single = outcomes(run_file.read(project / "reports" / "run.json"))
    result = flowspec(project, "run", "--workers", "2")
    assert result.returncode == 1, result.stdout + result.stderr
    assert outcomes(run_file.read(project / "reports" / "run.json")) == single


def test_shards_split_the_suite_and_merge_back_into_it(project: Path, flowspec: Command) -> None:
    """Three shards run disjoint, non-empty parts that together are the suite; report
    merge joins them into the single run's report."""
    assert flowspec(project, "run").returncode == 0
    single = outcomes(run_file.read(project / "reports" / "run.json"))
    parts = []
    for k in (1, 2, 3):
        folder = f"shard-{k}"
        result = flowspec(project, "run", "--shard", f"{k}/3", "-D", f"reports={folder}")
        assert result.returncode == 0, result.stdout + result.stderr
        parts.append(outcomes(run_file.read(project / folder / "run.json")))
    assert all(parts)
    assert sorted(o for part in parts for o in part) == sorted(single)
    merged = flowspec(project, "report", "merge", "shard-1", "shard-2", "shard-3")
    assert merged.returncode == 0, merged.stderr
    assert outcomes(run_file.read(project / "reports" / "run.json")) == single


def test_report_merge_names_a_folder_without_results(project: Path, flowspec: Command) -> None:
    """Merging a folder that holds no run.json exits 2 and says which folder."""
    (project / "empty").mkdir()
    result = flowspec(project, "report", "merge", "empty")
    assert result.returncode == 2
    assert "no run.json in empty" in result.stderr


def test_a_report_that_cannot_be_written_is_named_and_the_others_are_written(
    project: Path, flowspec: Command
) -> None:
    """A folder where index.html should go: the run exits 2 naming the file, without a
    traceback, and the three other reports hold the run; so does report merge."""
    (project / "reports" / "index.html").mkdir(parents=True)
    result = flowspec(project, "run", "features/step_up.feature")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "flowspec run: could not write reports/index.html (Is a directory)" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    for name in ("cucumber.json", "junit.xml", "run.json"):
        assert (project / "reports" / name).is_file(), name
    assert outcomes(run_file.read(project / "reports" / "run.json"))
    merged = flowspec(project, "report", "merge", "reports")
    assert merged.returncode == 2
    assert "flowspec report merge: could not write reports/index.html" in merged.stderr
    assert "Traceback" not in merged.stderr


def test_a_dry_run_finds_an_undefined_step_without_running_anything(
    project: Path, flowspec: Command
) -> None:
    """--dry-run exits 1 naming the undefined step and the closest steps; nothing runs."""
    feature = project / "features" / "step_up.feature"
    text = feature.read_text(encoding="utf-8")
    feature.write_text(text.replace("Then the flow completes", "Then the flow complete", 1))
    result = flowspec(project, "run", "--dry-run")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "undefined features/step_up.feature:6" in result.stdout
    assert "    Then the flow complete (line 13)" in result.stdout
    assert "did you mean: Then the flow completes |" in result.stdout
    [summary] = [line for line in result.stdout.splitlines() if " scenarios: " in line]
    assert "undefined" in summary
    assert "passed" not in summary


def test_a_mistyped_tag_is_named_with_the_closest_tags(project: Path, flowspec: Command) -> None:
    """A tag no scenario carries is named with did-you-mean; when nothing ran, exit 2."""
    typo = flowspec(project, "run", "--tags", "@locall")
    assert typo.returncode == 2, typo.stdout + typo.stderr
    assert "no scenario is tagged @locall. Did you mean '@local'?" in typo.stdout
    partly = flowspec(project, "run", "--tags", "@local or @wipp")
    assert partly.returncode == 0, partly.stdout + partly.stderr
    assert "no scenario is tagged @wipp." in partly.stdout
    assert "no scenario is tagged @local." not in partly.stdout


def grow_suite(project: Path, copies: int) -> None:
    """Repeat the project's features so a run lasts long enough to be interrupted."""
    for feature in list((project / "features").glob("*.feature")):
        text = feature.read_text(encoding="utf-8")
        for copy in range(copies):
            (project / "features" / f"{feature.stem}_{copy}.feature").write_text(text)


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_an_interrupted_run_still_writes_the_results_it_has(
    project: Path, stop: signal.Signals
) -> None:
    """Ctrl-C (or a CI runner's SIGTERM) mid-run: exit 130, every report written whole,
    holding the scenarios that ran and not those that never started."""
    grow_suite(project, 20)
    run = subprocess.Popen(
        [sys.executable, "-m", "flowspec.cli", "run", "--workers", "2"],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert run.stdout is not None
    lines = [run.stdout.readline() for _ in range(40)]
    assert all(" passed " in line for line in lines), lines
    run.send_signal(stop)
    rest, errors = run.communicate(timeout=120)
    assert run.returncode == 130, rest + errors
    assert "interrupted: " in rest
    reports = project / "reports"
    ran = outcomes(run_file.read(reports / "run.json"))
    assert 40 <= len(ran) < 21 * 59
    ElementTree.parse(reports / "junit.xml")
    assert len(json.loads((reports / "cucumber.json").read_text(encoding="utf-8"))) > 0
    assert (reports / "index.html").read_text(encoding="utf-8").rstrip().endswith("</html>")


def test_a_shard_without_the_tagged_scenarios_runs_none_and_passes(
    project: Path, flowspec: Command
) -> None:
    """A tag only another shard's files carry is no typo: that shard runs nothing and
    passes, and only the shard holding the tag runs the scenario."""
    feature = project / "features" / "profile_update.feature"
    text = feature.read_text(encoding="utf-8")
    feature.write_text(text.replace("  Scenario:", "  @only-here\n  Scenario:", 1))
    results = [
        flowspec(project, "run", "--shard", f"{k}/2", "--tags", "@only-here", "-D", f"reports=s{k}")
        for k in (1, 2)
    ]
    for result in results:
        assert result.returncode == 0, result.stdout + result.stderr
        assert "no scenario is tagged" not in result.stdout
    ran = [len(outcomes(run_file.read(project / f"s{k}" / "run.json"))) for k in (1, 2)]
    assert sorted(ran) == [0, 1]


def test_a_dry_run_with_tags_names_no_tag_as_unknown(project: Path, flowspec: Command) -> None:
    """A dry run calls no hook, so it learns no tags; it must not call a real tag a typo."""
    result = flowspec(project, "run", "--dry-run", "--tags", "@local")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no scenario is tagged" not in result.stdout


# A step module that breaks the world on disk when a worker loads steps/, which behave
# does before its before_all hook loads the world: only a worker that loads the world
# itself, rather than getting it from the parent, runs on the broken one. The file is
# replaced whole, so that no worker reads it half written by another.
BREAK_THE_WORLD = """
import os
from pathlib import Path

broken = Path(f"scenarios/users-{os.getpid()}.yaml")
broken.write_text("users: [{loginIds: 3}]\\n", encoding="utf-8")
os.replace(broken, "scenarios/users.yaml")
"""

forking = pytest.mark.skipif(not parallel.FORK, reason="workers are forked only where it is safe")


@forking
def test_forked_workers_run_on_the_world_the_parent_loaded(
    project: Path, flowspec: Command
) -> None:
    """Forked workers do not load the world again: the world breaking on disk after the
    parent loaded it, as each worker starts, changes nothing."""
    (project / "steps" / "zz_break_the_world.py").write_text(BREAK_THE_WORLD)
    result = flowspec(project, "run", "--workers", "2")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "loginIds: 3" in (project / "scenarios" / "users.yaml").read_text(encoding="utf-8")
    ran = outcomes(run_file.read(project / "reports" / "run.json"))
    assert ran
    assert {status for _, _, _, status, _, _ in ran} == {"passed"}


@forking
def test_workers_are_forked_from_a_run_whose_world_gives_its_own_key(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """flowspec run starts making a signing key before it reads the world. A world with a
    key of its own takes none; the key's thread, however slow, is done with before the
    workers are forked, so they still are: the world breaking as they start changes
    nothing (new interpreters would load the broken world and stop)."""
    pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    (project / "scenarios" / "signing-key.pem").write_bytes(pem)
    with (project / "scenarios" / "project.yaml").open("a", encoding="utf-8") as project_yaml:
        project_yaml.write("\nsigningKey: signing-key.pem\n")
    (project / "steps" / "zz_break_the_world.py").write_text(BREAK_THE_WORLD)
    real = keys._new_private_key

    def slow() -> Any:
        time.sleep(1.0)
        return real()

    monkeypatch.setattr(keys, "_new_private_key", slow)
    monkeypatch.setattr(keys, "_spare", keys._SpareKey())
    monkeypatch.setattr(keys, "usable_cores", lambda: 2)
    monkeypatch.chdir(project)
    assert main(["run", "--workers", "2"]) == 0
    ran = outcomes(run_file.read(project / "reports" / "run.json"))
    assert {status for *_, status, _, _ in ran} == {"passed"}


def spawned_run(project: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    """``flowspec run`` in this process with workers started as new interpreters."""
    monkeypatch.setattr(parallel, "FORK", False)
    monkeypatch.chdir(project)
    return main(["run", *args])


def test_new_interpreter_workers_load_the_world_themselves(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Where workers are not forked, each loads the world: broken as it starts, the worker
    stops, and the run exits 2 with the world's error."""
    (project / "steps" / "zz_break_the_world.py").write_text(BREAK_THE_WORLD)
    assert spawned_run(project, monkeypatch, "--workers", "2") == 2
    said = capsys.readouterr().out
    assert "flowspec run: worker 1 stopped before finishing:" in said
    assert "users.yaml" in said


def test_a_process_running_another_thread_starts_new_interpreters(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A fork copies only the thread that calls it, so a lock another thread holds would
    stay held in the worker for good: with a second thread running, workers are new
    interpreters (which load the world themselves) even where fork is safe."""
    (project / "steps" / "zz_break_the_world.py").write_text(BREAK_THE_WORLD)
    monkeypatch.chdir(project)
    release = threading.Event()
    waiting = threading.Thread(target=release.wait)
    waiting.start()
    try:
        assert main(["run", "--workers", "2"]) == 2
    finally:
        release.set()
        waiting.join()
    assert "users.yaml" in capsys.readouterr().out


def test_new_interpreter_workers_give_the_report_forked_workers_give(
    project: Path, flowspec: Command, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both ways of starting workers give the same merged report and exit status."""
    break_step_up(project)
    assert flowspec(project, "run", "--workers", "2").returncode == 1
    forked = outcomes(run_file.read(project / "reports" / "run.json"))
    assert spawned_run(project, monkeypatch, "--workers", "2") == 1
    assert outcomes(run_file.read(project / "reports" / "run.json")) == forked


DIE = """
import os

from behave import given


@given("the worker dies")
def _(context):
    os._exit(3)
"""


def test_a_worker_that_dies_is_named_with_its_exit_status(project: Path, flowspec: Command) -> None:
    """A worker that ends without reporting (here a step exits the process) makes the run
    exit 2, naming the worker and its exit status."""
    (project / "steps" / "zz_die.py").write_text(DIE)
    (project / "features" / "dies.feature").write_text(
        "Feature: dies\n  Scenario: the end\n    Given the worker dies\n"
    )
    result = flowspec(project, "run", "features/dies.feature")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "flowspec run: worker 1 stopped before finishing:" in result.stdout
    assert "exit status 3" in result.stdout


def progress_events(behave: Command, project: Path, *args: str) -> list[str]:
    """The events a worker's progress formatter writes for one feature."""
    result = behave(
        project,
        "features/step_up.feature",
        "--no-summary",
        "--format",
        "flowspec.bdd.progress:Progress",
        "--outfile",
        "-",
        *args,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    return [json.loads(line)["event"] for line in lines if line.startswith("{")]


def test_a_worker_tells_when_scenarios_start_only_when_asked(
    project: Path, behave: Command
) -> None:
    """Start events are for a terminal's live line: ``-D progress=done`` leaves them out."""
    everything = progress_events(behave, project)
    assert everything.count("start") == everything.count("done") > 0
    assert set(progress_events(behave, project, "-D", "progress=done")) == {"total", "done"}


def test_on_a_terminal_the_scenario_in_progress_is_shown_as_it_starts(project: Path) -> None:
    """On a terminal the live line names a scenario as soon as it starts, before any is
    done: the workers tell their start events there."""
    pty = pytest.importorskip("pty", reason="a terminal of our own needs POSIX's pty")
    controller, terminal = pty.openpty()
    run = subprocess.Popen(
        [sys.executable, "-m", "flowspec.cli", "run", "features/step_up.feature"],
        cwd=project,
        stdin=subprocess.DEVNULL,
        stdout=terminal,
        stderr=subprocess.PIPE,
    )
    os.close(terminal)
    shown = b""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the terminal closes when the run ends
            break
        if not chunk:
            break
        shown += chunk
    os.close(controller)
    assert run.wait(timeout=120) == 0
    assert b"[0/4] 0 passed, 0 failed  features/step_up.feature:6" in shown
