"""The step catalog documents every step, and each example really runs that step."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from behave.step_registry import registry

from flowspec.bdd.catalog import load_catalog, render, search

ROOT = Path(__file__).resolve().parents[2]
ENTRIES = load_catalog(ROOT / "steps")
KEYWORD = re.compile(r"^(Given|When|Then|And|But) ")


def test_docs_steps_md_is_the_current_catalog() -> None:
    """docs/steps.md equals what `flowspec steps --format markdown` prints now."""
    result = subprocess.run(
        [sys.executable, "-m", "flowspec.cli", "steps", "--format", "markdown"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert (ROOT / "docs" / "steps.md").read_text() == result.stdout, (
        "docs/steps.md is stale: run `flowspec steps --format markdown > docs/steps.md`"
    )


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.pattern)
def test_every_step_has_a_description_and_an_example_it_matches_first(entry) -> None:
    """Each example line is matched by its own step before any other step of its keyword."""
    assert entry.description
    line = entry.example.splitlines()[0]
    assert KEYWORD.match(line), f"example must start with a Gherkin keyword: {line!r}"
    text = KEYWORD.sub("", line)
    first = next(m for m in registry.steps[entry.keyword.lower()] if m.match(text))
    assert first.pattern == entry.pattern


def test_search_finds_steps_by_any_word_of_them() -> None:
    """A search word in a pattern or description selects just those steps."""
    found = search(ENTRIES, "passkey")
    assert found
    assert all("passkey" in f"{e.pattern} {e.description} {e.example}".lower() for e in found)
    assert len(found) < len(ENTRIES)


def test_the_text_catalog_lists_each_example_with_its_description() -> None:
    """The terminal form shows every example followed by its description."""
    text = render(ENTRIES, "text")
    for entry in ENTRIES:
        assert entry.example.splitlines()[0] in text
        assert entry.description in text
