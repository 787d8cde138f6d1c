"""`flowspec new` writes, for a flow of the world, one scenario per path a run of the local
engine takes; the feature passes at once, and the paths no run takes are reported."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from flowspec.bdd.skeleton import build
from flowspec.engine.paths import flow_paths
from flowspec.engine.world import World

# The `flowspec` and `behave` fixtures of tests/conftest.py.
Command = Callable[..., subprocess.CompletedProcess[str]]

ROOT = Path(__file__).resolve().parents[2]
WORLD = World.load(ROOT / "scenarios")
# Above any flow's number of paths here, so every path is tried.
ALL_PATHS = "100"


@pytest.fixture
def fresh(project: Path) -> Path:
    """A copy of the project with no features: only what `flowspec new` writes."""
    shutil.rmtree(project / "features")
    (project / "features").mkdir()
    return project


def test_a_feature_for_every_flow_passes_at_once(
    fresh: Path, flowspec: Command, behave: Command
) -> None:
    """new for each flow of the world, then behave: every scenario written passes."""
    written = 0
    for flow_id in WORLD.flows:
        made = flowspec(fresh, "new", flow_id, "--max-paths", ALL_PATHS)
        assert made.returncode == 0, made.stderr
        text = (fresh / "features" / f"{flow_id}.feature").read_text()
        written += text.count("\n  Scenario: ")
    ran = behave(fresh)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    suites = list(ET.parse(fresh / "reports" / "junit.xml").getroot().iter("testsuite"))
    assert sum(int(s.get("tests") or 0) for s in suites) == written
    assert {(s.get("failures"), s.get("errors")) for s in suites} == {("0", "0")}


@pytest.mark.parametrize("flow_id", sorted(WORLD.flows))
def test_one_scenario_per_distinct_path_a_run_takes(flow_id: str) -> None:
    """Every path of the graph is either a scenario or reported, each scenario's run takes
    a different path, and the feature holds one scenario per such path."""
    skeleton = build(WORLD, flow_id, max_paths=int(ALL_PATHS))
    candidates = list(flow_paths(flow_id, WORLD.flows))
    taken = [s.path for s in skeleton.scenarios]
    assert len(set(taken)) == len(taken)
    assert sorted(map(candidates.index, [*taken, *skeleton.unreproduced])) == list(
        range(len(candidates))
    )
    assert not skeleton.more
    assert skeleton.gherkin().count("\n  Scenario: ") == len(taken)
    names = [s.name for s in skeleton.scenarios]
    assert len(set(names)) == len(names)


def test_step_up_has_the_authenticator_app_and_the_anonymous_paths() -> None:
    """step-up yields the signed-in user's TOTP path and the anonymous visitor's."""
    scenarios = build(WORLD, "step-up").scenarios
    totp = [s for s in scenarios if "Verify TOTP" in {v.task for v in s.path.visits}]
    assert totp
    lines = [line.text for line in totp[0].lines]
    assert lines[0].startswith('a JWT for "')
    assert 'I fill in "code" with the code from my authenticator app' in lines
    assert "the flow completes" in lines
    anonymous = [s for s in scenarios if s.name.startswith("anonymous")]
    lines = [line.text for line in anonymous[0].lines]
    assert lines[:2] == ["no JWT", 'I run the "step-up" flow']
    assert 'the flow waits on the "Sign in first" screen' in lines


def test_paths_no_run_takes_are_listed_on_stderr_not_written(
    fresh: Path, flowspec: Command
) -> None:
    """step-up's enrollment sub-flow cannot find an authenticator app already enrolled
    there (Second factor? sent the user on without one): that path is reported."""
    made = flowspec(fresh, "new", "step-up")
    assert made.returncode == 0, made.stderr
    assert "no run takes:" in made.stderr
    assert "Already enrolled? [Has an authenticator app]" in made.stderr
    written = (fresh / "features" / "step-up.feature").read_text()
    assert 'equals "Has an authenticator app"' not in written
    assert 'equals "Has a passkey"' in written


def test_the_cap_limits_the_scenarios_and_says_so(fresh: Path, flowspec: Command) -> None:
    """--max-paths 3 writes three scenarios and says more paths were not tried."""
    made = flowspec(fresh, "new", "sign-up-or-in", "--max-paths", "3")
    assert made.returncode == 0, made.stderr
    text = (fresh / "features" / "sign-up-or-in.feature").read_text()
    assert text.count("\n  Scenario: ") == 3
    assert "--max-paths" in made.stderr


def test_new_never_overwrites_without_force(fresh: Path, flowspec: Command) -> None:
    """An existing output file is kept (exit 2) unless --force is given."""
    output = fresh / "features" / "mine.feature"
    output.write_text("Feature: mine\n")
    refused = flowspec(fresh, "new", "profile-update", "--output", str(output))
    assert refused.returncode == 2
    assert "--force" in refused.stderr
    assert output.read_text() == "Feature: mine\n"
    forced = flowspec(fresh, "new", "profile-update", "--output", str(output), "--force")
    assert forced.returncode == 0, forced.stderr
    assert output.read_text().startswith("Feature: Profile update")


def test_an_unknown_flow_is_refused_with_a_suggestion(fresh: Path, flowspec: Command) -> None:
    """A typo in the flow id exits 2 naming the closest flow."""
    refused = flowspec(fresh, "new", "step-upp")
    assert refused.returncode == 2
    assert "Did you mean 'step-up'" in refused.stderr
    assert list((fresh / "features").iterdir()) == []
