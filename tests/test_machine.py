"""How many cores flowspec may use: those the process may run on, not the machine's."""

from __future__ import annotations

import os

import pytest

from flowspec.machine import usable_cores


def test_the_usable_cores_are_those_the_affinity_allows() -> None:
    if not hasattr(os, "sched_getaffinity"):
        pytest.skip("this platform has no CPU affinity; the machine's count is used")
    assert usable_cores() == len(os.sched_getaffinity(0))
    assert 1 <= usable_cores() <= (os.cpu_count() or 1)


def test_without_affinity_the_machine_count_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 3)
    assert usable_cores() == 3
