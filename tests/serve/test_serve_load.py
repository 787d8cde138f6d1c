"""``flowspec serve`` under load (issue 9, item 4), smaller than ``bench/serve_load.py``:
200 executions of a five-step flow from 16 clients, each client its own user, over real
loopback sockets. The load and its checks are the benchmark's own (:func:`drive`); this
test adds that the expired executions are dropped, counting the ``Execution`` objects
alive in the process rather than memory.
"""

from __future__ import annotations

import gc
import importlib.util
import sys
import time
from collections.abc import Callable, Collection
from pathlib import Path
from types import ModuleType
from typing import Any

from flowspec.engine.execution import Execution
from flowspec.engine.world import World

ROOT = Path(__file__).resolve().parents[2]
EXECUTIONS = 200
CLIENTS = 16
TTL = 60.0
# The store's timer sweeps at least every second; generous slack for a busy machine.
_DROPPED_WITHIN = 10.0


def _bench() -> ModuleType:
    """bench/serve_load.py, which is a script, not a package module."""
    name = "bench_serve_load"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / "serve_load.py")
        assert spec is not None
        assert spec.loader is not None
        # Registered before it runs: its dataclasses look their module up by name.
        sys.modules[name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules[name])
    return sys.modules[name]


class FakeClock:
    """The store's clock, moved by hand: nothing expires until the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def alive(execution_ids: Collection[str]) -> int:
    """How many of these executions still exist in this process (held, or not freed)."""
    return sum(
        isinstance(thing, Execution) and thing.state.execution_id in execution_ids
        for thing in gc.get_objects()
    )


def test_concurrent_executions_complete_as_their_own_users_and_are_dropped_on_expiry(
    tmp_path: Path, serve_world: Callable[..., Any]
) -> None:
    """Every execution completes with no error and with its own user's session, claims,
    name and path; all are held together at the end, and once the TTL passes the store's
    timer drops every one of them with no request sent, after which each answers E103205."""
    load = _bench()
    load.write_world(tmp_path / "world", CLIENTS)
    world = World.load(tmp_path / "world")
    clock = FakeClock()
    url = serve_world(world, execution_ttl=TTL, clock=clock).served.url

    outcome = load.drive(url, world, EXECUTIONS, CLIENTS)

    assert (outcome.errors, outcome.cross_talk) == (0, 0), outcome.reasons
    assert outcome.completed == EXECUTIONS
    started = set(outcome.execution_ids)
    assert len(started) == EXECUTIONS
    assert alive(started) == EXECUTIONS

    clock.now += TTL + 1
    deadline = time.monotonic() + _DROPPED_WITHIN
    while alive(started) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert alive(started) == 0
    assert load.expired_count(url, sorted(started)) == EXECUTIONS
