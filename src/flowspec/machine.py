"""What the machine offers this process. Like ``errors``, it imports nothing of flowspec's,
so every layer may ask."""

from __future__ import annotations

import os


def usable_cores() -> int:
    """The cores this process may run on: those its CPU affinity allows (a container or CI
    runner may allow fewer than the machine has), else the machine's count."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1
