"""The compatibility corpus: every real export loads, runs its main path, and every
action it names has an emulation."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from flowspec.engine.actions import REGISTRY
from flowspec.engine.loader import load_flow

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CORPUS = ROOT.parent / "shared" / "descope-exports"
EXPORTS = sorted(CORPUS.glob("*.json"))

pytestmark = pytest.mark.skipif(
    not EXPORTS, reason=f"the compatibility corpus is not at {CORPUS}; put shared/ beside the repo"
)


@pytest.mark.parametrize("export", EXPORTS, ids=lambda p: p.stem)
def test_every_corpus_flow_loads_and_each_action_has_an_emulation(export: Path) -> None:
    """Each export loads unedited and names only actions the engine emulates."""
    flow = load_flow(export)
    assert flow.id == json.loads(export.read_text())["flowId"]
    actions = {t.action for t in flow.tasks.values() if t.type == "automated"}
    assert actions
    assert sorted(a for a in actions if a not in REGISTRY.specs) == []


def test_each_corpus_flow_runs_its_main_path_to_a_session(tmp_path: Path) -> None:
    """behave runs one feature per corpus flow, on the exports as they are, and all pass."""
    for folder in ("steps",):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    for name in ("pyproject.toml", "environment.py"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(HERE / "features", tmp_path / "features")
    shutil.copytree(HERE / "scenarios", tmp_path / "scenarios")
    (tmp_path / "scenarios" / "flows").mkdir()
    for export in EXPORTS:
        shutil.copy(export, tmp_path / "scenarios" / "flows" / export.name)
    result = subprocess.run(
        [sys.executable, "-m", "behave", "--no-color"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    scenarios = sum(p.read_text().count("Scenario:") for p in (HERE / "features").glob("*.feature"))
    assert f"{scenarios} scenarios passed, 0 failed" in result.stdout


def test_every_corpus_flow_has_a_scenario() -> None:
    """Each export's flow id is run by at least one compatibility scenario."""
    text = "".join(p.read_text() for p in (HERE / "features").glob("*.feature"))
    run = set(re.findall(r'I run the "([^"]+)" flow', text))
    assert {json.loads(e.read_text())["flowId"] for e in EXPORTS} <= run
