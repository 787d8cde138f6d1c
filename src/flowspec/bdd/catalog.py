"""The step catalog: every step a feature can use, with an example line and what it does.

It is read from the step modules themselves (their patterns and docstrings), so the
catalog cannot drift from the code; ``docs/steps.md`` is its markdown form.
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from behave.runner_util import load_step_modules
from behave.step_registry import registry

Format = Literal["text", "markdown", "json"]
KEYWORDS = ("given", "when", "then")


@dataclass(frozen=True)
class CatalogEntry:
    keyword: str
    pattern: str
    description: str
    example: str
    location: str


def load_catalog(steps_dir: Path) -> list[CatalogEntry]:
    """The steps defined under ``steps_dir``, in Given, When, Then order."""
    registry.clear()
    load_step_modules([str(steps_dir)])
    entries = []
    for keyword in KEYWORDS:
        for matcher in registry.steps[keyword]:
            description, example = _read_docstring(matcher.func.__doc__ or "")
            entries.append(
                CatalogEntry(
                    keyword=keyword.capitalize(),
                    pattern=str(matcher.pattern),
                    description=description,
                    example=example,
                    location=f"{Path(matcher.location.filename).name}:{matcher.location.line}",
                )
            )
    return entries


def search(entries: list[CatalogEntry], text: str) -> list[CatalogEntry]:
    """Entries whose pattern, description or example mention ``text`` (any case)."""
    wanted = text.lower()
    return [e for e in entries if wanted in f"{e.pattern} {e.description} {e.example}".lower()]


def render(entries: list[CatalogEntry], form: Format) -> str:
    if form == "json":
        return json.dumps([asdict(e) for e in entries], indent=2) + "\n"
    if form == "markdown":
        return _markdown(entries)
    return "".join(
        e.example.replace("\n", "\n      ") + f"\n    {e.description}\n\n" for e in entries
    )


def _markdown(entries: list[CatalogEntry]) -> str:
    lines = [
        "# Step catalog",
        "",
        "Every step a feature can use, generated from `steps/` by",
        "`flowspec steps --format markdown > docs/steps.md`; a test fails when it is stale.",
        "Quoted parts are yours to fill in; a JSON literal is `true`, `false`, `null`, a",
        'number, `"a string"`, `[...]` or `{...}`.',
    ]
    for keyword in KEYWORDS:
        lines += ["", f"## {keyword.capitalize()}", ""]
        for entry in (e for e in entries if e.keyword.lower() == keyword):
            first, *more = entry.example.splitlines()
            lines += [f"- `{first}`  ", f"  {entry.description}"]
            if more:
                lines += ["", "  ```gherkin", *(f"      {line}" for line in more), "  ```"]
    return "\n".join(lines) + "\n"


def _read_docstring(doc: str) -> tuple[str, str]:
    """The first paragraph as one line, and the ``Example:`` with its table or doc string.

    The example is the text after ``Example:`` plus the lines indented under it.
    """
    text = textwrap.dedent(doc).strip("\n")
    paragraphs = [p.strip() for p in textwrap.dedent(doc).strip().split("\n\n")]
    description = " ".join(paragraphs[0].split()) if paragraphs else ""
    lines = textwrap.dedent("\n".join(text.splitlines()[1:])).splitlines()
    example: list[str] = []
    for line in lines:
        if line.startswith("Example:"):
            example = [line.removeprefix("Example:").strip()]
        elif example and line.startswith(" "):
            example.append(line.strip())
        elif example:
            break
    return description, "\n".join(example)
