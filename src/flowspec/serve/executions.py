"""The executions a server holds between requests, with their nonces and idle deadlines.

Each execution is the local engine's :class:`~flowspec.engine.execution.Execution`, whose
run state is its own; executions share only the server's users and doubles.

An execution not touched for ``ttl`` seconds expires. Expired executions are swept on
every store or lookup, oldest first: the store is ordered by last use, so a sweep stops
at the first execution still alive and costs nothing when none expired. While it holds
any, a timer on the server's event loop sweeps too, at least every second, so a burst of
runs gives its memory back once they expire even if no request follows. The store also
keeps at most ``capacity`` executions, dropping the least recently used, so a busy
server's memory stays bounded however many runs are abandoned.

No lock: the server calls the store and the engine only from ``async`` routes, which
uvicorn runs on one event loop, and no route awaits between looking an execution up and
storing its new nonce, so two requests never interleave inside the store or a run. The
timer runs on that same loop, between requests.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from flowspec.engine.execution import Execution

DEFAULT_TTL: Final = 600.0
DEFAULT_CAPACITY: Final = 10_000
# The longest the timer waits between sweeps. Not the time left to the oldest expiry:
# ``clock`` need not be the loop's (a test's clock moves by hand).
_SWEEP_EVERY: Final = 1.0


@dataclass
class Held:
    """An execution as the server holds it: the nonce its client must echo, and when it
    was last used."""

    execution: Execution
    nonce: str
    used_at: float


class Executions:
    """Executions by id, expiring after ``ttl`` idle seconds."""

    def __init__(
        self,
        ttl: float = DEFAULT_TTL,
        capacity: int = DEFAULT_CAPACITY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self._capacity = capacity
        self._clock = clock
        self._held: OrderedDict[str, Held] = OrderedDict()
        self._timer: asyncio.TimerHandle | None = None

    def add(self, execution: Execution) -> Held:
        """Hold a newly started execution under a fresh nonce."""
        self._sweep()
        held = Held(execution, _nonce(), self._clock())
        self._held[execution.state.execution_id] = held
        while len(self._held) > self._capacity:
            self._held.popitem(last=False)
        self._schedule_sweep()
        return held

    def clear(self) -> None:
        """Forget every execution."""
        self._held.clear()

    def find(self, execution_id: str) -> Held | None:
        """The live execution with this id; None if there never was one or it expired."""
        self._sweep()
        return self._held.get(execution_id)

    def renew(self, held: Held) -> str:
        """Mark ``held`` used now and give it a new nonce, which the client echoes next."""
        held.nonce = _nonce()
        held.used_at = self._clock()
        self._held.move_to_end(held.execution.state.execution_id)
        return held.nonce

    def _sweep(self) -> None:
        deadline = self._clock() - self.ttl
        while self._held:
            oldest = next(iter(self._held.values()))
            if oldest.used_at > deadline:
                return
            self._held.popitem(last=False)

    def _schedule_sweep(self) -> None:
        """Sweep again soon on the running event loop, while anything is held; outside
        one (the store used directly) sweeping is left to the next store or lookup."""
        if self._timer is not None or not self._held:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._timer = loop.call_later(min(self.ttl, _SWEEP_EVERY), self._timed_sweep)

    def _timed_sweep(self) -> None:
        self._timer = None
        self._sweep()
        self._schedule_sweep()


def _nonce() -> str:
    return secrets.token_urlsafe(16)
