"""flowspec's behave runner: behave's context, layers and masking warnings unchanged, with
where a value was set noted without reading source files; each step text's definition
found once; and what lives through the run frozen while the features run."""

from __future__ import annotations

import gc
import linecache
import subprocess
import sys
import threading
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from behave import runner as behave_runner
from behave.configuration import Configuration
from behave.matchers import MatchWithError, ParseMatcher
from behave.model import Step
from behave.runner import Context as BehaveContext
from behave.runner import ModelRunner
from behave.step_registry import StepRegistry

from flowspec.bdd import hooks
from flowspec.bdd.runner import Context, Runner, StepDefinitions
from flowspec.bdd.scenario import load_world
from flowspec.bdd.types import register_parameter_types
from flowspec.identity import keys

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


class Kinds:
    """A step registry of behave's own kind, filled by the test, not by step modules."""

    def __init__(self) -> None:
        self.registry = StepRegistry()
        self.definitions = StepDefinitions(self.registry)

    def step(self, keyword: str, text: str) -> Step:
        return Step("x.feature", 1, keyword.title(), keyword, text)


def test_a_step_text_seen_again_finds_its_definition_with_fresh_arguments() -> None:
    """A type the project registers converts each step's text anew, as behave does."""
    kinds = Kinds()
    kinds.registry.steps["given"].append(
        ParseMatcher(
            lambda c, user: None, 'a JWT for "{user:Name}"', custom_types={"Name": name_type}
        )
    )
    first = kinds.definitions.find_match(kinds.step("given", 'a JWT for "ann"'))
    again = kinds.definitions.find_match(kinds.step("given", 'a JWT for "ann"'))
    other = kinds.definitions.find_match(kinds.step("given", 'a JWT for "bob"'))
    assert (first.func, first.location) == (again.func, again.location)
    assert (first.func, first.location) == (other.func, other.location)
    assert [a.value for a in again.arguments] == [["ann"]]
    assert again.arguments is not first.arguments
    assert again.arguments[0].value is not first.arguments[0].value
    assert [a.value for a in other.arguments] == [["bob"]]


def name_type(text: str) -> list[str]:
    """A project's own type, whose value a step could change: each step needs its own."""
    return [text]


name_type.pattern = r"\w+"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "pattern",
    ['"{path}" equals {expected}', '"{path:Text}" equals {expected:Literal}'],
    ids=["untyped", "flowspec's types"],
)
def test_a_step_text_of_plain_or_flowspec_parameters_seen_again_reuses_its_match(
    pattern: str,
) -> None:
    """Such parameters are the matched text as it is: the same text, the same arguments."""
    register_parameter_types()
    kinds = Kinds()
    kinds.registry.add_step_definition("then", pattern, lambda c, path, expected: None)
    first = kinds.definitions.find_match(kinds.step("then", '"$.a" equals "x"'))
    again = kinds.definitions.find_match(kinds.step("then", '"$.a" equals "x"'))
    other = kinds.definitions.find_match(kinds.step("then", '"$.b" equals 2'))
    assert again is first
    assert [(a.name, a.value) for a in again.arguments] == [
        ("path", "$.a"),
        ("expected", '"x"'),
    ]
    assert [(a.name, a.value) for a in other.arguments] == [("path", "$.b"), ("expected", "2")]


def test_the_first_definition_that_matches_is_found_as_behave_finds_it() -> None:
    """Its own kind's definitions first, in order, then the generic ``step`` ones."""
    kinds = Kinds()
    kinds.registry.add_step_definition("then", '"{path}" equals {value}', lambda c, **a: None)
    kinds.registry.add_step_definition("then", 'the flow is "{status}"', lambda c, **a: None)
    kinds.registry.add_step_definition("step", "anything {goes}", lambda c, **a: None)
    for _ in range(2):
        for text in ('"$.a" equals 1', 'the flow is "completed"', "anything at all"):
            step = kinds.step("then", text)
            assert kinds.definitions.find_match(step) == kinds.registry.find_match(step)


def test_an_undefined_step_stays_undefined() -> None:
    kinds = Kinds()
    kinds.registry.add_step_definition("when", "I click", lambda c: None)
    assert kinds.definitions.find_match(kinds.step("when", "I run")) is None
    assert kinds.definitions.find_match(kinds.step("when", "I run")) is None


def test_a_type_conversion_that_fails_on_a_later_step_is_behaves_error() -> None:
    """A converter that fails on a text it converted before gives behave's own answer,
    a match that carries the error, rather than escaping from the lookup."""
    calls: list[str] = []

    def once(text: str) -> str:
        calls.append(text)
        if len(calls) > 1:
            raise ValueError("converted once only")
        return text

    once.pattern = r"\w+"  # type: ignore[attr-defined]
    kinds = Kinds()
    kinds.registry.steps["given"].append(
        ParseMatcher(lambda c, name: None, "a {name:Once}", custom_types={"Once": once})
    )
    assert kinds.definitions.find_match(kinds.step("given", "a thing")).arguments[0].value == (
        "thing"
    )
    again = kinds.definitions.find_match(kinds.step("given", "a thing"))
    assert isinstance(again, MatchWithError)


class Cyclic:
    """An object in a reference cycle: only the garbage collector can free it."""

    def __init__(self) -> None:
        self.me = self


def test_between_features_garbage_is_collected_and_what_survives_is_frozen() -> None:
    kept: list[object] = []
    garbage: list[weakref.ref[Cyclic]] = []
    frozen: list[int] = []
    try:
        runner = Runner(Configuration(command_args=[], load_config=False))
        for feature in runner.frozen_after_each(["first", "second", "third"]):
            frozen.append(gc.get_freeze_count())
            assert all(ref() is None for ref in garbage), f"garbage of the feature before {feature}"
            kept.append([Cyclic() for _ in range(50)])
            garbage.append(weakref.ref(Cyclic()))
        assert frozen[0] < frozen[1] < frozen[2]
        assert all(ref() is None for ref in garbage)
    finally:
        gc.unfreeze()


def test_a_ctrl_c_between_two_features_stops_the_run_as_behave_would(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """behave catches Ctrl-C only inside a feature; one that lands in the collection after
    a feature aborts the run, so the next features are skipped and the reports written,
    instead of escaping from the run with nothing written."""

    def interrupted(*_: object) -> int:
        raise KeyboardInterrupt

    runner = Runner(Configuration(command_args=[], load_config=False))
    runner.context = BehaveContext(runner)
    monkeypatch.setattr(gc, "collect", interrupted)
    try:
        seen = list(runner.frozen_after_each(["first", "second", "third"]))
    finally:
        gc.unfreeze()
    assert seen == ["first", "second", "third"]
    assert runner.aborted


def a_project_of_one_step(folder: Path) -> Path:
    (folder / "steps").mkdir(parents=True)
    (folder / "features").mkdir()
    (folder / "steps" / "steps.py").write_text(
        'from behave import given\n\n\n@given("nothing")\ndef nothing(context):\n    pass\n',
        encoding="utf-8",
    )
    (folder / "features" / "one.feature").write_text(
        "Feature: one\n  Scenario: one\n    Given nothing\n", encoding="utf-8"
    )
    return folder


@pytest.mark.parametrize("world_read", [False, True])
def test_a_run_makes_the_worlds_key_ahead_unless_a_world_was_read(
    world_read: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, project: Path
) -> None:
    """Before behave loads the steps and parses the features, a process that has read no
    world yet starts making the signing key the world will want, on another thread; a
    forked worker, which has its parent's world, does not."""
    made: list[str] = []
    real = keys._new_private_key

    def spy() -> Any:
        made.append(threading.current_thread().name)
        return real()

    monkeypatch.setattr(keys, "_new_private_key", spy)
    monkeypatch.setattr(keys, "_spare", keys._SpareKey())
    monkeypatch.setattr(keys, "usable_cores", lambda: 2)
    load_world.cache_clear()
    if world_read:
        load_world((project / "scenarios").resolve())
        made.clear()
    monkeypatch.chdir(a_project_of_one_step(tmp_path / "one"))
    arguments = ["--format", "plain", "--outfile", "console.txt", "features"]
    runner = Runner(Configuration(command_args=arguments, load_config=False))
    assert runner.run() is False
    keys._spare.take()
    assert made[:1] == ([threading.current_thread().name] if world_read else ["flowspec-key"])


def test_flowspecs_own_hooks_run_outside_behaves_capture_and_a_projects_inside_it() -> None:
    """flowspec's per-feature and per-scenario hooks write nothing, so behave sets up no
    capture around them; a project's hook that calls them is captured as any hook is."""

    def projects_own(context: Any, scenario: Any) -> None:
        hooks.after_scenario(context, scenario)

    runner = ModelRunner(Configuration(command_args=[], load_config=False))
    runner.hooks = {
        "before_feature": hooks.before_feature,
        "before_scenario": hooks.before_scenario,
        "after_scenario": projects_own,
        "before_all": hooks.before_all,
    }
    assert not runner.should_capture_hook("before_feature")
    assert not runner.should_capture_hook("before_scenario")
    assert runner.should_capture_hook("after_scenario")
    assert runner.should_capture_hook("before_all")


def test_no_full_collection_runs_while_behave_parses_and_all_run_while_features_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The suite parsed is frozen before it runs, so full collections walking it while it
    grows are held off until then: the young generations are collected as ever, and the
    run itself and what follows it collect as before."""
    seen: dict[str, tuple[int, int, int]] = {}
    real_parse = behave_runner.parse_features

    def parse(*args: Any, **kwargs: Any) -> Any:
        seen["parsing"] = gc.get_threshold()
        return real_parse(*args, **kwargs)

    monkeypatch.setattr(behave_runner, "parse_features", parse)
    project = a_project_of_one_step(tmp_path / "one")
    (project / "steps" / "steps.py").write_text(
        "import gc\n\nfrom behave import given\n\n\n"
        '@given("the thresholds are noted")\ndef noted(context):\n'
        '    context.config.userdata["seen"] = gc.get_threshold()\n',
        encoding="utf-8",
    )
    (project / "features" / "one.feature").write_text(
        "Feature: one\n  Scenario: one\n    Given the thresholds are noted\n", encoding="utf-8"
    )
    monkeypatch.chdir(project)
    before = gc.get_threshold()
    arguments = ["--format", "plain", "--outfile", "console.txt", "features"]
    runner = Runner(Configuration(command_args=arguments, load_config=False))

    assert runner.run() is False

    assert seen["parsing"][:2] == before[:2]
    assert seen["parsing"][2] > 1_000_000
    assert runner.config.userdata["seen"] == before
    assert gc.get_threshold() == before


def test_a_report_that_cannot_be_written_fails_a_bare_behave_run_in_one_line(
    flowspec: Command, behave: Command, tmp_path: Path
) -> None:
    """A folder where index.html goes: behave still closes every formatter and prints its
    summary, the run fails, and what went wrong is one line naming the file, with no
    traceback; the other reports are written."""
    assert flowspec(tmp_path, "init", "new").returncode == 0
    project = tmp_path / "new"
    (project / "reports" / "index.html").mkdir(parents=True)

    run = behave(project)

    assert run.returncode == 1
    assert "Traceback" not in run.stdout + run.stderr
    assert run.stderr.splitlines()[-1].startswith("flowspec: could not write reports/index.html")
    assert "scenarios passed, 0 failed" in run.stdout
    assert (project / "reports" / "junit.xml").is_file()


FROZEN_AT_EXIT = """\
import atexit
import gc

from behave import given

# Registered before the run's own handler, so it runs after it (atexit is last in,
# first out): it sees what the process is left with as it exits.
atexit.register(lambda: print("frozen at exit:", gc.get_freeze_count() > 0))


@given("a step that does nothing")
def nothing_at_all(context):
    pass
"""


def test_a_run_leaves_the_process_to_exit_with_everything_frozen(
    behave: Command, tmp_path: Path
) -> None:
    """The run unfreezes what it froze as it ends, and everything is frozen again as the
    process exits, so Python's last collections walk none of it."""
    project = a_project_of_one_step(tmp_path / "one")
    (project / "steps" / "steps.py").write_text(FROZEN_AT_EXIT, encoding="utf-8")
    (project / "features" / "one.feature").write_text(
        "Feature: one\n  Scenario: one\n    Given a step that does nothing\n", encoding="utf-8"
    )
    arguments = ("-r", "flowspec.bdd.runner:Runner", "-f", "plain", "--no-capture")
    ours = behave(project, *arguments)
    theirs = behave(project, "-r", "behave.runner:Runner", "-f", "plain", "--no-capture")
    assert ours.returncode == theirs.returncode == 0, ours.stdout + ours.stderr
    assert "frozen at exit: True" in ours.stdout
    assert "frozen at exit: False" in theirs.stdout
