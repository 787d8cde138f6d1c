"""The action catalog lists every emulated action with its contract, and docs/ keeps up."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from flowspec.engine.actions import REGISTRY
from flowspec.engine.actions.catalog import render

ROOT = Path(__file__).resolve().parents[2]


def test_docs_actions_md_is_the_current_catalog() -> None:
    """docs/actions.md equals what `flowspec actions --format markdown` prints now."""
    printed = subprocess.run(
        [sys.executable, "-m", "flowspec.cli", "actions", "--format", "markdown"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert (ROOT / "docs" / "actions.md").read_text() == printed, (
        "docs/actions.md is stale: run `flowspec actions --format markdown > docs/actions.md`"
    )


@pytest.mark.parametrize("name", sorted(REGISTRY.specs))
def test_every_action_says_what_it_does_and_can_succeed(name: str) -> None:
    """Each action has a one-line summary and success among its declared outcomes."""
    record = next(r for r in json.loads(render("json")) if r["name"] == name)
    assert record["summary"]
    assert record["outcomes"][0] == "success"
    assert len(set(record["outcomes"])) == len(record["outcomes"])


def test_the_text_catalog_marks_the_actions_that_pause() -> None:
    """Two-phase actions show "(pauses)" next to their name, the others do not."""
    text = render("text")
    assert "webauthn-sign-in-start  (pauses)" in text
    assert "logged-in  (pauses)" not in text
