"""The step catalog: every step a feature can use, with an example line and what it does.

It is read from the step modules themselves (their patterns and docstrings), so the
catalog cannot drift from the code; ``docs/steps.md`` is its markdown form.
"""

from __future__ import annotations

import importlib
import json
import re
import sys
import textwrap
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from difflib import SequenceMatcher
from pathlib import Path
from typing import Literal

from behave.runner_util import load_step_modules
from behave.step_registry import registry

Format = Literal["text", "markdown", "json"]
_QUOTED = re.compile(r'"[^"]*"')
_PLACEHOLDER = re.compile(r"\{(\w*)(?::[^}]*)?\}")
_UNTYPED = r"{\1}"
KEYWORDS = ("given", "when", "then")
LIBRARY = "flowspec.bdd.steps"


@dataclass(frozen=True)
class CatalogEntry:
    keyword: str
    pattern: str
    description: str
    example: str
    location: str


def load_catalog(steps_dir: Path | None = None) -> list[CatalogEntry]:
    """The steps of flowspec's step library, or those a project's ``steps_dir`` defines
    (its modules import the library and may add steps of their own), in Given, When,
    Then order."""
    if steps_dir is None:
        register_library()
    else:
        forget_steps()
        load_step_modules([str(steps_dir)])
    return registered()


def registered() -> list[CatalogEntry]:
    """The steps behave has registered in this process, in Given, When, Then order."""
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


def register_library() -> None:
    """Register exactly the step library's steps with behave, whatever was registered
    before."""
    forget_steps()
    importlib.import_module(LIBRARY)


def forget_steps() -> None:
    """Empty behave's registry, and forget the library's modules, so that importing them
    again (here, or from a project's step module) registers their steps again."""
    registry.clear()
    for name in [m for m in sys.modules if m == LIBRARY or m.startswith(f"{LIBRARY}.")]:
        del sys.modules[name]


def closest(
    step_type: str, text: str, entries: Sequence[CatalogEntry], limit: int = 3
) -> list[str]:
    """The ``limit`` catalog steps most like an undefined step, as patterns people read
    (``When I click "{button}"``), closest first."""
    wanted = _shape(f"{step_type} {text}")
    ranked = sorted(entries, key=lambda entry: -_likeness(wanted, entry))
    return [_shown(entry) for entry in ranked[:limit]]


def _shown(entry: CatalogEntry) -> str:
    """``When I click "{button}"``: the pattern with its parameter types left out."""
    return f"{entry.keyword} {_PLACEHOLDER.sub(_UNTYPED, entry.pattern)}"


def _shape(text: str) -> str:
    """A step line with what varies emptied: quoted text and placeholders, and case."""
    return _PLACEHOLDER.sub("{}", _QUOTED.sub('""', text)).lower()


def _likeness(wanted: str, entry: CatalogEntry) -> float:
    """How close a step is to a catalog entry: to its pattern or to its example line."""
    example = entry.example.splitlines()[0] if entry.example else ""
    example = f"{entry.keyword} {example.partition(' ')[2]}"
    return max(
        SequenceMatcher(None, wanted, _shape(text)).ratio()
        for text in (f"{entry.keyword} {entry.pattern}", example)
    )


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
        "Every step a feature can use, generated from flowspec's step library",
        "(`flowspec.bdd.steps`) by",
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
