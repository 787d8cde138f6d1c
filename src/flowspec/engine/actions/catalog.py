"""The action catalog: every emulated action with its contract, for people to read.

Generated from the registry, so it cannot drift from the code; ``docs/actions.md`` is
its markdown form.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Literal

from flowspec.engine.actions.registry import REGISTRY, ActionSpec

Format = Literal["text", "markdown", "json"]


def render(form: Format, specs: Iterable[ActionSpec] | None = None) -> str:
    chosen = sorted(specs if specs is not None else REGISTRY.specs.values(), key=lambda s: s.name)
    if form == "json":
        return json.dumps([_record(spec) for spec in chosen], indent=2) + "\n"
    if form == "markdown":
        return _markdown(chosen)
    return "".join(
        f"{spec.name}{'  (pauses)' if spec.pauses else ''}\n    {_summary(spec)}\n"
        f"    outcomes: {', '.join(spec.outcomes)}\n\n"
        for spec in chosen
    )


def _record(spec: ActionSpec) -> dict[str, object]:
    return {
        "name": spec.name,
        "summary": _summary(spec),
        "reads": list(spec.reads),
        "writes": list(spec.writes),
        "outcomes": list(spec.outcomes),
        "pauses": spec.pauses,
    }


def _markdown(specs: list[ActionSpec]) -> str:
    lines = [
        "# Action catalog",
        "",
        "Every Descope action the local engine emulates, generated from the registry by",
        "`flowspec actions --format markdown > docs/actions.md`; a test fails when it is",
        "stale. An action not listed here stops a run with an error naming its task.",
        "",
        "| action | what it does | reads | writes | outcomes | pauses |",
        "|---|---|---|---|---|---|",
    ]
    for spec in specs:
        cells = [
            f"`{spec.name}`",
            _summary(spec),
            _codes(spec.reads),
            _codes(spec.writes),
            _codes(spec.outcomes),
            "yes" if spec.pauses else "",
        ]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines) + "\n"


def _summary(spec: ActionSpec) -> str:
    doc = (spec.run.__doc__ or "").strip().split("\n\n")[0]
    return " ".join(doc.split())


def _codes(names: Iterable[str]) -> str:
    return ", ".join(f"`{name}`" for name in names)
