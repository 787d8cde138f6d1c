"""What a check's path observes in the flow context, and where each difference sits.

A path that selects one node (``$.user.roles``) observes its value. A path that can
select several (a wildcard, filter, slice, union or descendant search) observes the list
of what it selected, in document order; an empty list when nothing is selected but the
path exists up to its selecting step (``$.user.roles[*]`` of no roles), since only a
mistyped path should fail as "nothing there". A path that selects nothing observes
``MISSING``.

Differences found in what was observed are named by the canonical path of the node they
sit at, replayed onto the document only once a check has failed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flowspec.expect.match import MISSING, Difference, Mismatch
from flowspec.expect.paths import (
    Location,
    Selection,
    join_path,
    missing_reason,
    render_path,
    select,
    selects_many,
)
from flowspec.expect.report import Finding

__all__ = ["Observed", "observe"]


@dataclass(frozen=True)
class Observed:
    """The value a path observes, and how to name what differs in it."""

    document: Any
    selection: Selection
    value: Any
    listed: bool

    @property
    def label(self) -> str:
        """The path as written, rooted."""
        return self.selection.label

    def findings(self, differences: Iterable[Difference]) -> list[Finding]:
        """Name each difference by its path in the document and anchor its excerpt."""
        return [self.finding(found) for found in differences]

    def finding(self, found: Difference) -> Finding:
        """Name one difference; see ``findings``."""
        location = self._location(found.steps)
        if location is None:
            path = join_path(self.label, found.steps)
            anchor = self.selection.anchor()
        else:
            path = render_path(location)
            anchor = location[:-1]
        return Finding(Mismatch(path, found.expected, found.actual, found.reason), anchor)

    def nothing_there(self, expected: Any) -> Finding:
        """The finding for a path that selects nothing, with did-you-mean suggestions."""
        reason = missing_reason(self.document, self.selection.expression)
        mismatch = Mismatch(self.label, expected, MISSING, reason)
        return Finding(mismatch, self.selection.anchor())

    def _location(self, steps: Location) -> Location | None:
        locations = self.selection.locations()
        if not self.listed:
            base = locations[0] if locations else None
            return None if base is None else (*base, *steps)
        if not steps:
            return None
        index = steps[0]
        assert isinstance(index, int)
        base = locations[index]
        return None if base is None else (*base, *steps[1:])


def observe(document: Any, expression: str, *, one_as_value: bool = False) -> Observed:
    """What ``expression`` observes in ``document`` (see the module docstring).

    With ``one_as_value``, a path that can select several nodes but selected exactly one
    observes that node's value, and one that selected none observes ``MISSING``, as a
    product owner reading a filter expects.
    """
    selection = select(document, expression)
    values = selection.values
    if not selects_many(expression) and len(values) <= 1:
        value = values[0] if values else MISSING
        return Observed(document, selection, value, listed=False)
    if one_as_value and len(values) <= 1:
        return Observed(document, selection, values[0] if values else MISSING, listed=False)
    if values or selection.reaches_parent():
        return Observed(document, selection, values, listed=True)
    return Observed(document, selection, MISSING, listed=False)
