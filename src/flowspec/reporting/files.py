"""Writing a report file so a reader never sees half of it."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path


def write_atomically(path: Path, text: str | Iterable[str]) -> None:
    """Replace ``path`` with ``text`` in one step: a CI job that uploads reports while
    another run writes them gets the old file or the new one, never a torn one.

    ``text`` may come in pieces, written as they come: a large run's report then never
    stands whole in memory next to the model it was made from."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # The temporary file sits in the same folder: os.replace is atomic only within a
    # file system.
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            if isinstance(text, str):
                out.write(text)
            else:
                out.writelines(text)
        # mkstemp makes the file private; a report is for everyone the umask lets read it.
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _umask() -> int:
    # The only way to read the umask is to set it; set it straight back.
    current = os.umask(0o022)
    os.umask(current)
    return current
