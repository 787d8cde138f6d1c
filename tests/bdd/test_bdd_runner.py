"""flowspec's behave runner: behave's context, layers and masking warnings unchanged, with
where a value was set noted without reading source files, and what lives through the run
frozen while the features run."""

from __future__ import annotations

import gc
import linecache
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from behave.configuration import Configuration
from behave.runner import Context as BehaveContext

from flowspec.bdd.runner import Context, Runner

Command = Callable[..., subprocess.CompletedProcess[str]]

ENVIRONMENT = """\
def before_all(context):
    context.scenario = "set by the project"
"""
STEPS = """\
import gc

from behave import given, then


@given("a value on the scenario's layer")
def set_value(context):
    context.chosen = "mine"


@then("the step sees it, run by {expected}")
def sees_it(context, expected):
    assert context.chosen == "mine"
    assert type(context).__module__ == expected, type(context).__module__
    assert (gc.get_freeze_count() > 0) == (expected == "flowspec.bdd.runner")
"""
FEATURE = """\
Feature: context values
  Scenario: a step sets and reads a value
    Given a value on the scenario's layer
    Then the step sees it, run by {module}
"""


def masking_project(folder: Path, context_module: str) -> Path:
    """A project whose before_all sets ``context.scenario``, which behave then masks
    in every scenario: the one warning behave gives with the place the value was set."""
    (folder / "steps").mkdir(parents=True)
    (folder / "features").mkdir()
    (folder / "environment.py").write_text(ENVIRONMENT, encoding="utf-8")
    (folder / "steps" / "steps.py").write_text(STEPS, encoding="utf-8")
    feature = FEATURE.format(module=context_module)
    (folder / "features" / "values.feature").write_text(feature, encoding="utf-8")
    return folder


def warnings_of(run: subprocess.CompletedProcess[str]) -> list[str]:
    marker = "ContextMaskWarning: "
    return [line.split(marker, 1)[1] for line in run.stderr.splitlines() if marker in line]


def test_masking_warnings_name_the_same_place_as_behaves_own_runner(
    tmp_path: Path, behave: Command
) -> None:
    theirs = masking_project(tmp_path / "behave", "behave.runner")
    ours = masking_project(tmp_path / "flowspec", "flowspec.bdd.runner")
    by_behave = behave(theirs, "-r", "behave.runner:Runner", "-f", "plain")
    by_flowspec = behave(ours, "-r", "flowspec.bdd.runner:Runner", "-f", "plain")
    assert by_behave.returncode == 0, by_behave.stdout + by_behave.stderr
    assert by_flowspec.returncode == 0, by_flowspec.stdout + by_flowspec.stderr
    expected = (
        "behave runner is masking context attribute 'scenario' originally set in "
        'context.scenario = "set by the project" (environment.py:2)'
    )
    assert warnings_of(by_behave) == [expected]
    assert warnings_of(by_flowspec) == [expected]
    assert "1 scenario passed" in by_flowspec.stdout


def test_the_project_and_a_new_one_run_on_flowspecs_runner(
    flowspec: Command, behave: Command, project: Path, tmp_path: Path
) -> None:
    """The project's behave settings, and those ``flowspec init`` writes, name this runner."""
    assert flowspec(tmp_path, "init", "new").returncode == 0
    for folder in (project, tmp_path / "new"):
        run = behave(folder, "--dry-run")
        assert run.returncode == 0, run.stdout + run.stderr
        assert "USING RUNNER: flowspec.bdd.runner:Runner" in run.stdout + run.stderr


@pytest.fixture
def context() -> Any:
    runner = Runner(Configuration(command_args=[], load_config=False))
    runner.context = BehaveContext(runner)
    return runner.context


def test_a_context_behave_makes_takes_flowspecs_behaviour(context: Any) -> None:
    assert type(context) is Context
    context.chosen = "value"
    assert context.chosen == "value"


def test_what_a_run_froze_is_unfrozen_when_it_ends() -> None:
    runner = Runner(Configuration(command_args=[], load_config=False))
    runner.run_model(features=[])
    assert gc.get_freeze_count() == 0


def test_setting_a_value_reads_no_source_file(
    context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    read: list[str] = []
    monkeypatch.setattr(linecache, "checkcache", lambda name=None: read.append(str(name)))
    monkeypatch.setattr(linecache, "getline", lambda name, *rest: read.append(name) or "")
    line = sys._getframe().f_lineno + 1
    context.chosen = "value"
    assert read == []
    noted = context._record["chosen"]
    assert (noted.filename, noted.lineno, noted.name) == (
        __file__,
        line,
        "test_setting_a_value_reads_no_source_file",
    )
