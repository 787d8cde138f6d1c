"""Which scenarios each behave process of ``flowspec run`` runs: the suite shared out.

Before any process starts, ``flowspec run`` shares the suite's feature files out among
its parts (``--shard K/N`` of a CI matrix times ``--workers M``): each file goes whole to
one part, the largest first to the least loaded part (by size, a fair proxy for work),
so each process parses only its own files; a file larger than a part's fair share (the
suite's size over the number of parts) is parsed by every part, each running every P-th
of its scenarios, so one big feature, or fewer files than parts, leaves no part idle.
Sharing depends only on the files and the parts, so shards on different machines agree
without talking.

Every scenario gets an order, ``file's place in the suite * FILE_STRIDE + its place in
the file`` (counting only scenarios the tags let run), so the parts' reports merge back
into the order one process would give. A scenario another part runs is taken out of its
feature before anything runs: behave never sees it, and no report lists it.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from flowspec.errors import SettingsError

ORDER = "flowspec_order"
# How many scenarios one feature file may hold before two files' orders would overlap.
FILE_STRIDE = 1_000_000
_PART = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


@dataclass(frozen=True)
class Part:
    """Part ``index`` (1-based) of ``count`` equal parts."""

    index: int
    count: int


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


@dataclass(frozen=True)
class Share:
    """What one process runs: its feature files (in suite order), and among them the files
    every process parses, of which it runs the scenarios numbered ``part`` modulo
    ``parts``. ``places`` gives every file of the suite its place, by absolute path."""

    files: tuple[str, ...]
    places: Mapping[str, int]
    shared: tuple[str, ...]
    part: int
    parts: int

    def dumps(self) -> str:
        return json.dumps({**asdict(self), "places": dict(self.places)})

    @classmethod
    def read(cls, path: Path) -> Share:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            files=tuple(raw["files"]),
            places=raw["places"],
            shared=tuple(raw["shared"]),
            part=raw["part"],
            parts=raw["parts"],
        )


def share_out(files: Sequence[Path], shard: Part = WHOLE, workers: int = 1) -> list[Share]:
    """The shares of ``shard``'s workers; none when the suite has no feature file."""
    parts = shard.count * workers
    sizes = [file.stat().st_size for file in files]
    places = {_key(file): place for place, file in enumerate(files)}
    fair = sum(sizes) / parts if parts > 1 else float("inf")
    shared = [i for i, size in enumerate(sizes) if size > fair]
    loads = [sum(sizes[i] for i in shared) / parts] * parts
    owned: list[list[int]] = [[] for _ in range(parts)]
    for i in sorted(set(range(len(files))) - set(shared), key=lambda i: (-sizes[i], i)):
        least = min(range(parts), key=lambda p: (loads[p], p))
        owned[least].append(i)
        loads[least] += sizes[i]
    mine = range((shard.index - 1) * workers, shard.index * workers)
    shares = [
        Share(
            files=tuple(str(files[i]) for i in sorted(owned[p] + shared)),
            places=places,
            shared=tuple(_key(files[i]) for i in shared),
            part=p,
            parts=parts,
        )
        for p in mine
    ]
    return [share for share in shares if share.files]


def select_scenarios(config: Any, features: Iterable[Any], share: Share | None) -> int:
    """Give every scenario of ``features`` that the tags let run its order, and take out
    of the shared files the scenarios other parts run. Without a share (a bare behave
    run) every scenario is this process's, and files are placed in the order behave
    parsed them. Returns how many scenarios this process runs."""
    runs = 0
    for position, feature in enumerate(features):
        key = _key(Path(feature.filename))
        place = share.places.get(key, position) if share else position
        together = share is not None and key in share.shared
        elsewhere: set[int] = set()
        number = 0
        for scenario in feature.walk_scenarios():
            if not scenario.should_run_with_tags(config.tag_expression):
                continue
            setattr(scenario, ORDER, place * FILE_STRIDE + number)
            if together and share is not None and number % share.parts != share.part:
                elsewhere.add(id(scenario))
            else:
                runs += 1
            number += 1
        if elsewhere:
            _prune(feature, elsewhere)
    return runs


def _key(path: Path) -> str:
    return os.path.normpath(os.path.abspath(path))


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
