"""The world's flows as report graphs: node kinds and edge labels people recognise."""

from __future__ import annotations

from pathlib import Path

from flowspec.bdd.flow_graphs import flow_graph, world_flow_graphs
from flowspec.engine.world import World

ROOT = Path(__file__).resolve().parents[2]


def test_tasks_become_nodes_of_the_kind_a_drawing_shapes() -> None:
    """Conditions, screens, actions, sub-flows and the end each get their own kind."""
    graph = flow_graph(World.load(ROOT / "scenarios").flows["step-up"])
    kinds = {node.id: (node.kind, node.detail) for node in graph.nodes}
    assert graph.start == "Signed in?"
    assert kinds["Signed in?"] == ("condition", "")
    assert kinds["Verify TOTP"] == ("screen", "verify-totp")
    assert kinds["Check code"] == ("action", "verify-totp-code")
    assert kinds["Enroll"] == ("flow", "mfa-enrollment")
    assert kinds["End"] == ("end", "logged-in")


def test_edges_are_labelled_by_button_branch_outcome_or_sub_flow_end() -> None:
    """A rule reads as the button clicked, the branch chosen, the outcome or ``done``."""
    graph = flow_graph(World.load(ROOT / "scenarios").flows["step-up"])
    labels = {(e.source, e.target): e.label for e in graph.edges}
    assert labels[("Verify TOTP", "Check code")] == "Verify"
    assert labels[("Signed in?", "Load user")] == "Signed in"
    assert labels[("Signed in?", "Sign in first")] == "else"
    assert labels[("Check code", "End")] == "success"
    assert labels[("Enroll", "End")] == "done"


def test_every_flow_of_the_world_is_drawn_once_in_id_order() -> None:
    """The report gets one graph per flow file, sorted by flow id."""
    world = World.load(ROOT / "scenarios")
    graphs = world_flow_graphs(world)
    assert [g.id for g in graphs] == sorted(world.flows)
    for graph in graphs:
        ids = {node.id for node in graph.nodes}
        assert all(e.source in ids and e.target in ids for e in graph.edges), graph.id
