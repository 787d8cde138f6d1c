"""Which scenarios this behave process runs: all of them, one shard, or one worker's part.

Before any scenario runs, every process walks the whole suite in behave's order and
numbers the scenarios the tag expression lets run (outline rows included), so every
process with the same features and tags numbers alike. Scenario ``i`` belongs to shard
``i % N`` of ``--shard K/N`` (``-D shard=K/N``), and within a shard to worker
``(i // N) % M`` of ``-D worker=J/M``: a deterministic round robin, balanced by count,
that needs no list passed between processes. The scenarios of other parts are taken out
of their features, and the reports carry each scenario's number so the parts merge back
in order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flowspec.errors import SettingsError

ORDER = "flowspec_order"
_PART = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


@dataclass(frozen=True)
class Part:
    """Part ``index`` (1-based) of ``count`` equal parts."""

    index: int
    count: int

    def owns(self, number: int) -> bool:
        return number % self.count == self.index - 1


WHOLE = Part(1, 1)


def parse_part(text: str, what: str = "--shard") -> Part:
    """``"2/4"`` as the second of four parts; a clear error for anything else."""
    found = _PART.match(text)
    if found is None:
        raise SettingsError(f"{what} takes K/N, e.g. 2/4 for the second of four; got {text!r}")
    index, count = int(found[1]), int(found[2])
    if count < 1 or not 1 <= index <= count:
        raise SettingsError(f"{what} {text}: K must be from 1 to N, and N at least 1")
    return Part(index, count)


@dataclass
class Walk:
    """This process's shard and worker part, and how many scenarios it has met so far."""

    shard: Part = WHOLE
    worker: Part = WHOLE
    met: int = 0

    def take(self) -> tuple[int, bool]:
        """The next scenario's number in the suite, and whether this process runs it."""
        number = self.met
        self.met += 1
        mine = self.shard.owns(number) and self.worker.owns(number // self.shard.count)
        return number, mine


def select_scenarios(config: Any, features: Iterable[Any]) -> int:
    """Number every scenario of ``features`` that the tags let run, before any runs, and
    take those another part runs (``-D shard=``, ``-D worker=``) out of their features:
    behave never sees them, so they cost nothing (a skipped scenario still costs behave a
    third of a run) and no report lists them. Returns how many scenarios this process runs.
    """
    walk = Walk(
        shard=parse_part(str(config.userdata.get("shard", "1/1"))),
        worker=parse_part(str(config.userdata.get("worker", "1/1")), "a worker part"),
    )
    runs = 0
    for feature in features:
        elsewhere: set[int] = set()
        for scenario in feature.walk_scenarios():
            if not scenario.should_run_with_tags(config.tag_expression):
                continue
            number, mine = walk.take()
            setattr(scenario, ORDER, number)
            if mine:
                runs += 1
            else:
                elsewhere.add(id(scenario))
        if elsewhere:
            _prune(feature, elsewhere)
    return runs


def _prune(container: Any, elsewhere: set[int]) -> None:
    """Drop the scenarios ``elsewhere`` names (by id) from a feature or rule, emptied
    outlines and rules with them. behave keeps a container's items in two lists, and an
    outline's rows in ``_scenarios``, which it rebuilds only when an Examples table
    changes."""
    kept = []
    for item in container.run_items:
        if hasattr(item, "run_items"):  # a Rule
            _prune(item, elsewhere)
            if item.run_items:
                kept.append(item)
        elif hasattr(item, "examples"):  # a Scenario Outline
            item._scenarios = [row for row in item.scenarios if id(row) not in elsewhere]
            if item._scenarios:
                kept.append(item)
        elif id(item) not in elsewhere:
            kept.append(item)
    container.run_items[:] = kept
    still = {id(item) for item in kept}
    container.scenarios[:] = [item for item in container.scenarios if id(item) in still]
