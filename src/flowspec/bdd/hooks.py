"""behave hooks: load and check the test world once, before any feature runs, and fill
Examples tables that come from files before each feature.

A malformed flow or users file then stops the run at once with one clear message
(behave reports a ``before_all`` error without a traceback) instead of failing every
scenario with the same error.
"""

from __future__ import annotations

from typing import Any

from flowspec.bdd.examples import load_examples
from flowspec.bdd.scenario import project_folder, world_for


def before_all(context: Any) -> None:
    world_for(context)


def before_feature(context: Any, feature: Any) -> None:
    load_examples(feature, project_folder(context))
