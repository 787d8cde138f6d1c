"""behave hooks: before any feature runs, load and check the test world once, fill
Examples tables that come from files, and leave to other shards and workers the scenarios
that are theirs (``-D share=``, written by flowspec run); before each feature, hand the
flows to the reports.

A malformed flow or users file then stops the run at once with one clear message
(behave reports a ``before_all`` error without a traceback) instead of failing every
scenario with the same error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flowspec.bdd.examples import load_examples
from flowspec.bdd.fidelity import record
from flowspec.bdd.progress import announce_total
from flowspec.bdd.reporting import attach_flow_graphs, attach_flow_path
from flowspec.bdd.scenario import (
    LOCAL_TAG,
    backend_of,
    close_remote_runners,
    project_folder,
    reset_served_world,
    world_for,
)
from flowspec.bdd.selection import Share, select_scenarios


def before_all(context: Any) -> None:
    world_for(context)
    # behave has parsed every feature by now; the private runner is the only way to them.
    features = context._runner.features
    for feature in features:
        load_examples(feature, project_folder(context))
    chosen = context.config.userdata.get("share")
    share = Share.read(Path(chosen)) if chosen else None
    announce_total(context, select_scenarios(context.config, features, share), features)


def before_feature(context: Any, feature: Any) -> None:
    attach_flow_graphs(context, feature)


def before_scenario(context: Any, scenario: Any) -> None:
    """On another backend, skip a scenario that needs the local world, saying why."""
    backend = backend_of(context)
    if backend == "local":
        return
    if LOCAL_TAG in scenario.effective_tags:
        scenario.skip(
            f"@{LOCAL_TAG}: it sets or reads the local world (stubs, the outbox, minted "
            f"tokens), which the {backend} backend does not have"
        )
        return
    reset_served_world(context)


def after_scenario(context: Any, scenario: Any) -> None:
    attach_flow_path(context, scenario)
    record(context, scenario)


def after_all(context: Any) -> None:
    close_remote_runners()


# The hooks behave calls for each feature and scenario write nothing, and log nothing of
# their own: behave's capture of their output, set up and torn down around every call
# (two buffers and a logging handler), would cost some 25 µs a scenario for nothing. A
# project's own hook that calls them is captured as behave captures any hook.
_UNCAPTURED: tuple[Any, ...] = (before_feature, before_scenario, after_scenario)
for _hook in _UNCAPTURED:
    _hook.capture = False
