"""How a failed check tells what it found: every mismatch, one line each, then one excerpt.

A CI log should say everything that is wrong in one run, yet stay readable: at most
``SHOWN`` mismatch lines (then ``... and N more``), and a single excerpt of the context,
around the deepest node that holds every mismatch. Nothing is rendered while checks pass:
a check builds its findings, and only a failure turns them into text.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flowspec.expect.excerpt import excerpt_at, redact
from flowspec.expect.match import Mismatch
from flowspec.expect.paths import Location, common_prefix

__all__ = ["SHOWN", "Finding", "describe", "describe_groups"]

SHOWN = 20


@dataclass(frozen=True)
class Finding:
    """A mismatch, and the node of the context a message should show around it."""

    mismatch: Mismatch
    anchor: Location


def describe(document: Any, findings: Sequence[Finding], head: str = "") -> str:
    """The message for the findings of one check.

    One finding reads as its own line (``$.user.name: expected "Bob", got "Ada"``);
    several are listed under ``head``. The excerpt follows, indented.
    """
    if len(findings) == 1:
        lines = [str(findings[0].mismatch)]
    else:
        lines = [head, *_indented(_lines(findings, SHOWN), 1)]
    return _with_excerpt(document, findings, lines)


def describe_groups(
    document: Any, head: str, groups: Sequence[tuple[str, Sequence[Finding]]]
) -> str:
    """The message for several checks at once: ``head``, then each group's title with its
    mismatch lines under it, ``SHOWN`` lines in all, then one excerpt for every group."""
    lines = [head]
    budget = SHOWN
    for title, findings in groups:
        lines.append(f"  {title}")
        if budget <= 0:
            lines.append(f"    ... and {len(findings)} more")
            continue
        lines.extend(_indented(_lines(findings, budget), 2))
        budget -= len(findings)
    return _with_excerpt(document, [found for _, group in groups for found in group], lines)


def _lines(findings: Sequence[Finding], limit: int) -> list[str]:
    lines = [str(found.mismatch) for found in findings[:limit]]
    if len(findings) > limit:
        lines.append(f"... and {len(findings) - limit} more")
    return lines


def _indented(lines: list[str], depth: int) -> list[str]:
    return [f"{'  ' * depth}{line}" for line in lines]


def _with_excerpt(document: Any, findings: Sequence[Finding], lines: list[str]) -> str:
    shown = common_prefix([found.anchor for found in findings])
    context = textwrap.indent(excerpt_at(document, shown), "  ")
    return redact("\n".join([*lines, context]))
