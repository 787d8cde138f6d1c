"""`flowspec init` starts a project whose example scenarios pass at once, and never
overwrites or edits what is already there unless told to."""

from __future__ import annotations

import subprocess
import tomllib
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

from flowspec.bdd.catalog import load_catalog
from flowspec.bdd.starter_files import BEHAVE_SETTINGS, ENVIRONMENT, FILES, STEPS

# The `flowspec` and `behave` fixtures of tests/conftest.py.
Command = Callable[..., subprocess.CompletedProcess[str]]

ROOT = Path(__file__).resolve().parents[2]


def test_a_new_project_runs_and_every_scenario_passes(tmp_path: Path, flowspec: Command) -> None:
    """init DIR, then `flowspec run` in DIR passes every example scenario."""
    made = flowspec(tmp_path, "init", "project")
    assert made.returncode == 0, made.stderr
    project = tmp_path / "project"
    for name in [*FILES, "pyproject.toml"]:
        assert (project / name).is_file(), name
    ran = flowspec(project, "run")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    [suite] = ET.parse(project / "reports" / "junit.xml").getroot().iter("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("3", "0", "0")


def test_init_without_a_folder_starts_the_project_here(tmp_path: Path, flowspec: Command) -> None:
    """With no DIR, the files go into the current folder."""
    assert flowspec(tmp_path, "init").returncode == 0
    assert (tmp_path / "features" / "example.feature").is_file()
    assert (tmp_path / ".gitignore").read_text() == "reports/*\n"


def test_init_refuses_to_overwrite_and_names_the_files(tmp_path: Path, flowspec: Command) -> None:
    """A second init writes nothing, exits 2 and names the files that exist."""
    assert flowspec(tmp_path, "init").returncode == 0
    users = tmp_path / "scenarios" / "users.yaml"
    users.write_text("users: []\n")
    again = flowspec(tmp_path, "init")
    assert again.returncode == 2
    assert "scenarios/users.yaml" in again.stderr
    assert "features/example.feature" in again.stderr
    assert "--force" in again.stderr
    assert users.read_text() == "users: []\n"


def test_init_force_overwrites_the_starter_files(tmp_path: Path, flowspec: Command) -> None:
    """--force writes the starter files again over changed ones."""
    assert flowspec(tmp_path, "init").returncode == 0
    users = tmp_path / "scenarios" / "users.yaml"
    users.write_text("users: []\n")
    assert flowspec(tmp_path, "init", "--force").returncode == 0
    assert users.read_text() == FILES["scenarios/users.yaml"]


def test_a_pyproject_without_behave_settings_is_left_alone_and_the_settings_shown(
    tmp_path: Path, flowspec: Command
) -> None:
    """An existing pyproject.toml is not edited; the [tool.behave] block to add is printed."""
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "mine"\n')
    made = flowspec(tmp_path, "init")
    assert made.returncode == 0, made.stderr
    assert pyproject.read_text() == '[project]\nname = "mine"\n'
    assert BEHAVE_SETTINGS in made.stdout
    assert (tmp_path / "features" / "example.feature").is_file()


def test_a_pyproject_with_behave_settings_makes_init_refuse(
    tmp_path: Path, flowspec: Command
) -> None:
    """A pyproject.toml that already configures behave stops init: nothing is written."""
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[tool.behave]\npaths = ["specs"]\n')
    refused = flowspec(tmp_path, "init")
    assert refused.returncode == 2
    assert "[tool.behave]" in refused.stderr
    assert not (tmp_path / "features").exists()


def test_the_starter_behave_settings_are_the_repositorys() -> None:
    """The [tool.behave] init writes equals this repository's, formatters included."""
    ours = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["behave"]
    assert tomllib.loads(BEHAVE_SETTINGS)["tool"]["behave"] == ours


def test_the_starter_glue_is_the_repositorys() -> None:
    """The step module and environment.py init writes are this repository's own."""
    assert (ROOT / "steps" / "flowspec_steps.py").read_text() == STEPS
    assert (ROOT / "environment.py").read_text() == ENVIRONMENT


def test_a_projects_steps_folder_lists_the_step_library() -> None:
    """The one-line step module registers exactly the library's steps."""
    library = [(e.keyword, e.pattern) for e in load_catalog()]
    project = [(e.keyword, e.pattern) for e in load_catalog(ROOT / "steps")]
    assert project == library
    assert len(library) > 50
