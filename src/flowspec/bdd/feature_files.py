"""The feature files a command reads, and how large one may be.

A feature file is Gherkin written by people; one of several megabytes is a generated or
corrupted file, and behave would read it whole into memory and parse it in every worker.
Such files are refused before anything parses them, naming the file and the limit.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from flowspec.errors import SettingsError

# The largest feature file read: about 20,000 lines of Gherkin.
MAX_FEATURE_BYTES = 1_000_000


def feature_files(paths: Iterable[Path]) -> list[Path]:
    """The ``.feature`` files among ``paths`` and under the folders among them."""
    files: list[Path] = []
    for path in paths:
        files += sorted(path.rglob("*.feature")) if path.is_dir() else [path]
    return list(dict.fromkeys(files))


def check_sizes(files: Iterable[Path], limit: int = MAX_FEATURE_BYTES) -> None:
    """Refuse the first file larger than ``limit`` bytes, before any parsing."""
    for file in files:
        size = file.stat().st_size
        if size > limit:
            raise SettingsError(
                f"{file} is {size:,} bytes, over the {limit:,} bytes a feature file may "
                "hold; split it into several features"
            )
