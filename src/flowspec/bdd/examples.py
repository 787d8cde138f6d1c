"""Examples read from a file: a Scenario Outline's rows kept in CSV or YAML under scenarios/.

Tag an ``Examples:`` block with ``@from:<path>`` (relative to the project folder, the one
holding ``steps/``); its header row, if written, picks and orders the columns::

    @from:scenarios/examples/sign-ins.csv
    Examples: every test user
      | login | name |

A CSV file has a header row; a YAML file is a list of mappings. Every cell becomes text,
as behave's own tables hold it.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from behave.model import Table

from flowspec.engine.bounds import read_yaml_file
from flowspec.errors import SettingsError

TAG = "from:"


def load_examples(feature: Any, base: Path) -> None:
    """Fill every ``@from:`` Examples table of ``feature`` from its file."""
    for outline in feature.iter_scenario_outlines():
        for examples in outline.examples:
            source = next((t[len(TAG) :] for t in examples.tags if t.startswith(TAG)), None)
            if source is not None:
                where = f"{examples.filename}:{examples.line}"
                written = list(examples.table.headings) if examples.table else []
                examples.table = _table(base / source, where, written, examples.line)


def _table(path: Path, where: str, written: Sequence[str], line: int) -> Table:
    rows = _rows(path, where)
    columns = list(rows[0])
    headings = list(written) or columns
    missing = [h for h in headings if h not in columns]
    if missing:
        raise SettingsError(
            f"{where}: the Examples name columns {missing} that {path} does not have; "
            f"its columns are {columns}"
        )
    for number, row in enumerate(rows, start=1):
        lacking = [h for h in headings if h not in row]
        if lacking:
            raise SettingsError(f"{path}: row {number} lacks {lacking}; give each row every column")
    cells = [[_text(row[h]) for h in headings] for row in rows]
    return Table(headings, rows=cells, line=line)


def _rows(path: Path, where: str) -> list[dict[str, Any]]:
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".yaml", ".yml"):
        raise SettingsError(f"{where}: examples come from a .csv or .yaml file, not {path.name}")
    try:
        if suffix == ".csv":
            rows: Any = list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))
        else:
            rows = read_yaml_file(path)
    except OSError as exc:
        raise SettingsError(
            f"{where}: cannot read the examples file {path}: {exc.strerror}"
        ) from None
    if not isinstance(rows, list) or not rows or not all(isinstance(r, dict) for r in rows):
        raise SettingsError(
            f"{path}: expected at least one row: a CSV header and rows, or a YAML list of "
            "mappings such as - {login: bob@acme.test, name: Bob}"
        )
    return rows


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
