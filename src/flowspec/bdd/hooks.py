"""behave hooks: load and check the test world once, before any feature runs.

A malformed flow or users file then stops the run at once with one clear message
(behave reports a ``before_all`` error without a traceback) instead of failing every
scenario with the same error.
"""

from __future__ import annotations

from typing import Any

from flowspec.bdd.scenario import world_for


def before_all(context: Any) -> None:
    world_for(context)
