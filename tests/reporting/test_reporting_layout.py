"""The flow layout: ranks that read downwards, loops that climb back, nothing on top of
anything else, and the same drawing every time."""

from __future__ import annotations

from itertools import combinations

from hypothesis import given, settings
from hypothesis import strategies as st

from flowspec.reporting.layout import EdgeRoute, Layout, NodeBox, default_label_size, layout
from flowspec.reporting.model import FlowEdge, FlowGraph, FlowNode, NodeKind


def graph(
    edges: list[tuple[str, str]] | list[tuple[str, str, str]],
    start: str = "a",
    kinds: dict[str, NodeKind] | None = None,
    extra: tuple[str, ...] = (),
) -> FlowGraph:
    """A flow of the nodes the edges name (in order of appearance) plus ``extra``."""
    names: dict[str, None] = {start: None}
    for edge in edges:
        names.update({edge[0]: None, edge[1]: None})
    names.update(dict.fromkeys(extra))
    kinds = kinds or {}
    return FlowGraph(
        id="f",
        name="F",
        start=start,
        nodes=tuple(FlowNode(n, n.title(), kinds.get(n, "action")) for n in names),
        edges=tuple(
            FlowEdge(e[0], e[1], e[2] if len(e) == 3 else "success", e[2] if len(e) == 3 else "ok")
            for e in edges
        ),
    )


# Sign up or in, as the test world has it: three ways in, two resend loops, one join.
SIGN_UP = graph(
    [
        ("welcome", "send code", "Email me a code"),
        ("welcome", "send link", "Email me a link"),
        ("welcome", "google", "Continue with Google"),
        ("send code", "enter code"),
        ("enter code", "check code", "Verify"),
        ("enter code", "send code", "Send again"),
        ("check code", "new user?"),
        ("send link", "inbox"),
        ("inbox", "send link", "Send again"),
        ("send link", "verify link"),
        ("verify link", "new user?"),
        ("google", "google back"),
        ("google back", "new user?"),
        ("new user?", "about you", "New"),
        ("new user?", "end", "else"),
        ("about you", "end", "Continue"),
    ],
    start="welcome",
    kinds={"welcome": "screen", "enter code": "screen", "new user?": "condition", "end": "end"},
)


def ranks(drawn: Layout) -> dict[str, int]:
    return {box.id: box.rank for box in drawn.nodes}


def overlap(a: NodeBox, b: NodeBox) -> bool:
    return (
        a.x < b.x + b.width
        and b.x < a.x + a.width
        and a.y < b.y + b.height
        and b.y < a.y + a.height
    )


def inside(box: NodeBox, x: float, y: float, slack: float = 0.01) -> bool:
    return (
        box.x - slack <= x <= box.x + box.width + slack
        and box.y - slack <= y <= box.y + box.height + slack
    )


def route(drawn: Layout, source: str, target: str) -> EdgeRoute:
    return next(r for r in drawn.edges if (r.edge.source, r.edge.target) == (source, target))


def test_the_same_graph_always_gets_the_same_layout() -> None:
    """Two layouts of equal graphs are equal, down to every coordinate and path."""
    rebuilt = FlowGraph(SIGN_UP.id, SIGN_UP.name, SIGN_UP.start, SIGN_UP.nodes, SIGN_UP.edges)
    assert layout(SIGN_UP) == layout(rebuilt)


def test_every_edge_but_a_back_edge_leads_down_to_a_later_rank() -> None:
    """A forward edge's target is ranked below its source and drawn below it; the resend
    loops are the back edges, and they lead up."""
    drawn = layout(SIGN_UP)
    rank = ranks(drawn)
    back = {(r.edge.source, r.edge.target) for r in drawn.edges if r.back}
    assert back == {("enter code", "send code"), ("inbox", "send link")}
    for r in drawn.edges:
        source, target = drawn.node(r.edge.source), drawn.node(r.edge.target)
        if r.back:
            assert rank[r.edge.target] < rank[r.edge.source]
        else:
            assert rank[r.edge.target] > rank[r.edge.source]
            assert target.y >= source.y + source.height


def test_ranks_are_longest_paths_from_the_start() -> None:
    """A task reached by a short and a long path sits under the long one: "new user?" is
    below "check code", which is three steps from the start."""
    rank = ranks(layout(SIGN_UP))
    assert rank["welcome"] == 0
    assert (rank["send code"], rank["enter code"], rank["check code"]) == (1, 2, 3)
    assert rank["new user?"] == 4
    assert rank["end"] == 6  # after "about you", not next to "new user?"


def test_no_two_nodes_overlap_and_all_sit_inside_the_drawing() -> None:
    """Node boxes are disjoint and within the layout's width and height, as are labels."""
    drawn = layout(SIGN_UP)
    for a, b in combinations(drawn.nodes, 2):
        assert not overlap(a, b), (a, b)
    for box in drawn.nodes:
        assert box.x >= 0
        assert box.x + box.width <= drawn.width
        assert box.y >= 0
        assert box.y + box.height <= drawn.height
    for r in drawn.edges:
        assert 0 <= r.label.x <= drawn.width
        assert 0 <= r.label.y <= drawn.height


def test_edges_run_from_their_source_to_their_target() -> None:
    """Each route starts on its source's box and ends on its target's, and its path data
    starts where its points do."""
    drawn = layout(SIGN_UP)
    for r in drawn.edges:
        first, last = r.points[0], r.points[-1]
        assert inside(drawn.node(r.edge.source), first.x, first.y), r.edge
        assert inside(drawn.node(r.edge.target), last.x, last.y), r.edge
        assert r.path.startswith("M")


def test_a_long_edge_goes_around_the_nodes_it_passes() -> None:
    """An edge skipping ranks bends through waypoints, none of which lies inside a node."""
    drawn = layout(SIGN_UP)
    long = route(drawn, "new user?", "end")
    assert len(long.points) > 2
    for point in long.points[1:-1]:
        assert not any(inside(box, point.x, point.y, slack=-0.01) for box in drawn.nodes)


def test_parallel_edges_and_loops_get_separate_ports() -> None:
    """Two rules between the same tasks, and a loop against an edge, leave and arrive at
    different points, so each stays visible."""
    drawn = layout(graph([("a", "b", "Tenant admin"), ("a", "b", "Project"), ("b", "a", "Back")]))
    one, two, back = drawn.edges
    assert one.points[0] != two.points[0]
    assert one.points[-1] != two.points[-1]
    assert back.points[0] not in (one.points[-1], two.points[-1])


def test_labels_of_edges_leaving_one_node_do_not_overlap() -> None:
    """A condition with three rules to one task and two to others gets five labels, none on
    top of another, though the three rules run side by side."""
    drawn = layout(
        graph(
            [("a", "b", f"Rule number {n}") for n in range(3)]
            + [("a", "c", "Branch to c"), ("a", "d", "Branch to d")],
            kinds={"a": "condition"},
        )
    )
    boxes = []
    for r in drawn.edges:
        width, height = default_label_size(r.edge)
        x, y = r.label.x - width / 2, r.label.y - height / 2
        boxes.append(NodeBox("label", 0, x, y, width, height))
    for a, b in combinations(boxes, 2):
        assert not overlap(a, b)


def test_nodes_are_ordered_to_remove_crossings() -> None:
    """A graph whose search order crosses two pairs of edges is drawn with none crossing."""
    drawn = layout(
        graph([("a", "d"), ("b", "c"), ("a", "b"), ("e", "g"), ("b", "f"), ("d", "g"), ("a", "e")])
    )
    rank = ranks(drawn)
    centre = {box.id: box.center.x for box in drawn.nodes}
    spans = [(r.edge.source, r.edge.target) for r in drawn.edges]
    for (s1, t1), (s2, t2) in combinations(spans, 2):
        if rank[s1] == rank[s2] and rank[t1] == rank[t2] and s1 != s2 and t1 != t2:
            assert (centre[s1] < centre[s2]) == (centre[t1] < centre[t2]), (s1, t1, s2, t2)


def test_nodes_the_start_cannot_reach_sit_in_a_final_rank() -> None:
    """An orphan task and a task only it leads to share the last rank, under all others."""
    drawn = layout(graph([("a", "b"), ("b", "c"), ("orphan", "b"), ("orphan", "stray")]))
    rank = ranks(drawn)
    assert rank["orphan"] == rank["stray"] == 3
    assert max(rank[n] for n in "abc") < 3
    orphan_edge = route(drawn, "orphan", "b")
    assert orphan_edge.back
    assert route(drawn, "orphan", "stray").back  # within a rank: an arc, not a descent


def test_loops_of_every_shape_are_laid_out() -> None:
    """A self-loop, a cycle through the start and a cycle the start cannot reach all get a
    finite layout with a route per edge."""
    drawn = layout(
        graph(
            [("a", "a"), ("a", "b"), ("b", "c"), ("c", "a"), ("x", "y"), ("y", "x")],
            extra=("z",),
        )
    )
    assert len(drawn.edges) == 6
    assert route(drawn, "a", "a").back
    assert route(drawn, "c", "a").back
    assert drawn.width < 10_000
    assert drawn.height < 10_000


def test_edges_to_unknown_nodes_are_left_out_and_an_unknown_start_falls_back() -> None:
    """A rule naming a task the graph lacks draws nothing; a missing start starts at the
    first node; indexes still name positions in FlowGraph.edges."""
    flow = FlowGraph(
        "f",
        "F",
        "nowhere",
        (FlowNode("a", "A", "action"), FlowNode("b", "B", "end")),
        (FlowEdge("a", "ghost", "x", "x"), FlowEdge("a", "b", "success", "success")),
    )
    drawn = layout(flow)
    assert [r.index for r in drawn.edges] == [1]
    assert ranks(drawn) == {"a": 0, "b": 1}


def test_an_empty_flow_has_an_empty_layout() -> None:
    """No nodes: no boxes, no routes, and a drawing of margins only."""
    drawn = layout(FlowGraph("f", "F", "a"))
    assert (drawn.nodes, drawn.edges) == ((), ())
    assert drawn.width > 0
    assert drawn.height > 0


names = st.sampled_from("abcdefghij")


@settings(max_examples=150, deadline=None)
@given(
    edges=st.lists(st.tuples(names, names), max_size=24),
    kinds=st.dictionaries(names, st.sampled_from(["screen", "condition", "action", "end"])),
)
def test_any_graph_gets_a_sound_layout(
    edges: list[tuple[str, str]], kinds: dict[str, NodeKind]
) -> None:
    """Whatever the edges (loops, parallels, orphans), the layout ends, is deterministic,
    keeps nodes apart, and ranks every non-back edge downwards."""
    flow = graph(edges, kinds=kinds)
    drawn = layout(flow)
    assert drawn == layout(flow)
    assert len(drawn.nodes) == len(flow.nodes)
    assert len(drawn.edges) == len(flow.edges)
    for a, b in combinations(drawn.nodes, 2):
        assert not overlap(a, b)
    rank = ranks(drawn)
    for r in drawn.edges:
        assert r.back == (rank[r.edge.target] <= rank[r.edge.source])
