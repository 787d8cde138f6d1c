"""A new flowspec project: ``flowspec init`` writes the starter files into a folder.

It never overwrites a file unless forced, and never edits a ``pyproject.toml`` that is
already there: a project's own settings are its own. When that file lacks behave's
settings, the caller is given them to add by hand.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from flowspec.bdd.starter_files import BEHAVE_SETTINGS, FILES, PYPROJECT

PYPROJECT_NAME = "pyproject.toml"


@dataclass(frozen=True)
class Plan:
    """What ``flowspec init`` would do in ``root``, or why it must not."""

    root: Path
    files: dict[str, str]
    """The files to write, by their path under ``root``."""
    refusals: tuple[str, ...]
    """Reasons not to write anything; empty when the plan may go ahead."""
    settings_to_add: str | None
    """behave's settings, for a ``pyproject.toml`` that exists and lacks them."""
    kept_pyproject: bool
    """An existing ``pyproject.toml`` with behave's settings is kept as it is."""


def plan(root: Path, *, force: bool = False) -> Plan:
    """The starter files for ``root`` and what stands in their way."""
    if root.exists() and not root.is_dir():
        return Plan(root, {}, (f"{root} is a file, not a folder",), None, False)
    files = dict(FILES)
    refusals: list[str] = []
    settings_to_add = None
    kept = False
    pyproject = root / PYPROJECT_NAME
    if not pyproject.exists():
        files[PYPROJECT_NAME] = PYPROJECT
    else:
        has_settings, problem = _behave_settings_in(pyproject)
        if problem:
            refusals.append(problem)
        elif not has_settings:
            settings_to_add = BEHAVE_SETTINGS
        elif force:
            kept = True
        else:
            refusals.append(
                f"{pyproject} already has [tool.behave]; flowspec init never edits "
                "pyproject.toml (--force keeps it as it is and writes the other files)"
            )
    existing = sorted(name for name in files if (root / name).exists())
    if existing and not force:
        refusals.append(
            f"these files exist in {root}: {', '.join(existing)}; nothing was written "
            "(--force overwrites them)"
        )
    return Plan(root, files, tuple(refusals), settings_to_add, kept)


def write(planned: Plan) -> list[Path]:
    """Write the plan's files (only when it has no refusals); the paths written."""
    if planned.refusals:
        raise ValueError("a plan with refusals is not to be written")
    written = []
    for name, text in planned.files.items():
        path = planned.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def _behave_settings_in(pyproject: Path) -> tuple[bool, str | None]:
    """Whether ``pyproject`` has a ``[tool.behave]`` table, or why that cannot be read."""
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        return False, f"{pyproject} cannot be read as TOML ({error}); fix it, then run again"
    tool = data.get("tool")
    return isinstance(tool, dict) and "behave" in tool, None
