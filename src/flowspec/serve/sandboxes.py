"""Copies of the served world, one per client that asks for its own.

A request that carries ``X-Flowspec-Sandbox: <name>`` reads and changes only that
sandbox: its users, its outbox and stubbed answers, and its executions; a reset it
carries, or asks for, resets only that sandbox. Without the header a request has the
server's own copy, as before sandboxes. So several clients that reset the world between
their scenarios (the workers of one ``flowspec run``, or CI shards sharing one server)
never reset each other's runs midway.

A sandbox is made on first use, as the world was loaded (what a reset gives), and holds
at most ``SANDBOX_EXECUTIONS`` executions. At most ``MAX_SANDBOXES`` are kept: a new one
past that drops the one least recently used, with its executions, so however many names
clients make up the server's memory stays bounded. A name is 1 to 64 letters, digits,
``-`` or ``_``.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable
from typing import Final

from flowspec.engine.runner import LocalRunner
from flowspec.engine.world import World
from flowspec.serve.executions import DEFAULT_CAPACITY, Executions
from flowspec.serve.problems import BAD_REQUEST, WireError

SANDBOX_HEADER: Final = "X-Flowspec-Sandbox"
MAX_SANDBOXES: Final = 32
# Each sandbox's share of what the server's own store may hold.
SANDBOX_EXECUTIONS: Final = DEFAULT_CAPACITY // MAX_SANDBOXES
_NAME: Final = re.compile(r"[A-Za-z0-9_-]{1,64}")


class Sandbox:
    """A copy of the world: one engine (its users and doubles) and its executions."""

    def __init__(self, world: World, executions: Executions) -> None:
        self._world = world
        self.runner = LocalRunner(world)
        self.executions = executions

    def reset(self) -> None:
        """Forget what runs changed in users and the outside world, and every execution."""
        self.runner = LocalRunner(self._world)
        self.executions.clear()


class Sandboxes:
    """The server's own sandbox, and those clients named, by name."""

    def __init__(self, world: World, own: Executions, store: Callable[[int], Executions]) -> None:
        """``own`` holds the executions of requests without the header; ``store(capacity)``
        makes each named sandbox's."""
        self._world = world
        self.own = Sandbox(world, own)
        self._store = store
        self._named: OrderedDict[str, Sandbox] = OrderedDict()

    def of(self, name: str | None) -> Sandbox:
        """The sandbox a request's ``X-Flowspec-Sandbox`` header names (``None``: no
        header), made if it is new; a 400 for a name that is not one."""
        if name is None:
            return self.own
        if not _NAME.fullmatch(name):
            raise WireError(
                BAD_REQUEST,
                f"the {SANDBOX_HEADER} header must be 1 to 64 letters, digits, - or _",
            )
        sandbox = self._named.get(name)
        if sandbox is None:
            sandbox = self._named[name] = Sandbox(self._world, self._store(SANDBOX_EXECUTIONS))
            while len(self._named) > MAX_SANDBOXES:
                self._named.popitem(last=False)
        else:
            self._named.move_to_end(name)
        return sandbox
