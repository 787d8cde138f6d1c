"""A screen's name, inputs and buttons from the local flow exports.

A real Descope project answers with a screen's id only; the local export of the flow in
``scenarios/flows/`` says what that screen holds. ``flowspec serve`` sends the screen's
description itself, and then these exports are never read.
"""

from __future__ import annotations

from pathlib import Path

from flowspec.engine.loader import load_flows
from flowspec.engine.model import Flow, Task

__all__ = ["ExportedScreens"]


class ExportedScreens:
    """The screen tasks of the flows in one folder, loaded on first use."""

    def __init__(self, flows_dir: Path | None) -> None:
        self._flows_dir = flows_dir
        self._flows: dict[str, Flow] | None = None

    def find(self, flow_id: str, screen_id: str) -> Task | None:
        """The screen task showing ``screen_id``: in flow ``flow_id`` first, since a screen
        id may recur across flows, then in the flows it may run as sub-flows."""
        flows = self._load()
        own = [flows[flow_id]] if flow_id in flows else []
        others = [flow for key, flow in sorted(flows.items()) if key != flow_id]
        for flow in own + others:
            for task in flow.tasks.values():
                if task.screen is not None and task.screen.id == screen_id:
                    return task
        return None

    def _load(self) -> dict[str, Flow]:
        if self._flows is None:
            self._flows = load_flows(self._flows_dir) if self._flows_dir is not None else {}
        return self._flows
