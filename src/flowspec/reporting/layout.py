"""Where each task of a flow sits in its drawing: a layered layout, top to bottom.

Tasks are ranked by the longest path from the start task over a depth-first search that
ignores back edges, so a run reads downwards and a loop ("Send again", a retry after an
error) is drawn as an edge that climbs back up instead of pushing the whole flow down.
Tasks the start cannot reach sit in a final rank of their own, where a reader sees them.

Edges that span several ranks pass through invisible waypoints, one per rank crossed, so
they are ordered and spaced like tasks and never cut through one. Within a rank, tasks are
ordered by barycenter sweeps (each takes the mean position of its neighbours), keeping
the order with the fewest crossings; then each rank is placed as close to its neighbours
as the spacing allows (isotonic regression, so the result is the best such placement
rather than an accident of sweep order). Each edge's label goes to the first of a few spots
along the edge that covers no node nor label placed before it. Every step breaks ties by
the order of the graph's own nodes and edges, so the same graph always gets the same
drawing.

Pure geometry: the caller says how big each task is (``size``), this module says where it
goes and how each edge runs, as points, as SVG path data and with a spot for its label.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import Literal

from flowspec.reporting.model import FlowEdge, FlowGraph, FlowNode

__all__ = [
    "EdgeRoute",
    "Layout",
    "NodeBox",
    "Point",
    "default_label_size",
    "default_size",
    "layout",
]

MARGIN = 24.0
TOP_MARGIN = 40.0  # room above the first rank for the start marker
RANK_GAP = 68.0  # room between ranks for edge labels, at least
LABEL_STEP = 16.0  # per edge leaving one side of a node, so their labels fit one under another
# Where along an edge's first run its label may sit, in order of preference.
LABEL_SPOTS = (0.5, 0.3, 0.7, 0.2, 0.8, 0.4, 0.6)
NODE_GAP = 36.0  # between two tasks of a rank
WAYPOINT_GAP = 14.0  # beside an edge's waypoint
LOOP_REACH = 36.0  # how far a self-loop bulges out
SWEEPS = 4
PLACEMENT_PASSES = 8


@dataclass(frozen=True)
class Point:
    x: float
    y: float


@dataclass(frozen=True)
class NodeBox:
    """A task's box: ``x`` and ``y`` are its top-left corner."""

    id: str
    rank: int
    x: float
    y: float
    width: float
    height: float

    @property
    def center(self) -> Point:
        return Point(self.x + self.width / 2, self.y + self.height / 2)


@dataclass(frozen=True)
class EdgeRoute:
    """How one rule of the flow is drawn, from its source to its target.

    ``index`` is the edge's position in ``FlowGraph.edges``. ``back`` is true when the edge
    does not lead down to a later rank: a loop, or an edge out of the unreachable rank.
    ``points`` is the polyline through the edge's ports and waypoints; ``path`` the same
    route as smooth SVG path data; ``label`` where the edge's label is centred.
    """

    index: int
    edge: FlowEdge
    back: bool
    points: tuple[Point, ...]
    path: str
    label: Point


@dataclass(frozen=True)
class Layout:
    width: float
    height: float
    nodes: tuple[NodeBox, ...]  # in the graph's order, one per distinct node id
    edges: tuple[EdgeRoute, ...]  # in the graph's order, edges between known nodes only

    def node(self, node_id: str) -> NodeBox:
        return next(box for box in self.nodes if box.id == node_id)


Size = Callable[[FlowNode], tuple[float, float]]
LabelSize = Callable[[FlowEdge], tuple[float, float]]


def default_size(node: FlowNode) -> tuple[float, float]:
    """A size for callers that draw no text of their own: wider for decisions."""
    return (160.0, 72.0) if node.kind == "condition" else (150.0, 48.0)


def default_label_size(edge: FlowEdge) -> tuple[float, float]:
    """About the size of ``edge.label`` in an 11px sans-serif font."""
    return len(edge.label) * 6.0 + 8.0, 14.0


def layout(
    graph: FlowGraph, size: Size = default_size, label_size: LabelSize = default_label_size
) -> Layout:
    """Lay ``graph`` out top to bottom, each node ``size(node)`` and each edge's label
    ``label_size(edge)`` big."""
    nodes = _distinct(graph.nodes)
    index = {node.id: i for i, node in enumerate(nodes)}
    edges = [
        (i, edge)
        for i, edge in enumerate(graph.edges)
        if edge.source in index and edge.target in index
    ]
    pairs = [(index[e.source], index[e.target]) for _, e in edges]
    start = index.get(graph.start, 0)
    ranks, discovery = _ranks(len(nodes), pairs, start)

    sizes = [size(node) for node in nodes]
    grid = _Grid(ranks, sizes, discovery)
    chains = [grid.chain(source, target) for source, target in pairs]
    grid.order()
    grid.place()
    boxes = grid.boxes(nodes)

    label_sizes = [label_size(edge) for _, edge in edges]
    routes = _Router(grid, boxes, nodes, pairs, chains).routes(label_sizes)

    # Labels and loops may stick out left of or above the nodes: move all in by the margin.
    extents = [(b.x, b.y, b.width, b.height) for b in boxes]
    extents += [(p.x, p.y, 0.0, 0.0) for r in routes for p in r.points]
    extents += [_rectangle(r.label, size) for r, size in zip(routes, label_sizes, strict=True)]
    dx = MARGIN - min((x for x, _, _, _ in extents), default=MARGIN)
    dy = MARGIN - min((y for _, y, _, _ in extents), default=MARGIN)
    dx, dy = max(dx, 0.0), max(dy, 0.0)
    right = max((x + w for x, _, w, _ in extents), default=0.0) + dx
    bottom = max((y + h for _, y, _, h in extents), default=0.0) + dy

    def moved(p: Point) -> Point:
        return Point(p.x + dx, p.y + dy)

    placed = []
    for (i, edge), (s, t), route in zip(edges, pairs, routes, strict=True):
        points = tuple(moved(p) for p in route.points)
        back = ranks[t] <= ranks[s]
        placed.append(
            EdgeRoute(i, edge, back, points, _path(route.shape, points), moved(route.label))
        )
    moved_boxes = tuple(replace(b, x=b.x + dx, y=b.y + dy) for b in boxes)
    return Layout(right + MARGIN, bottom + MARGIN, moved_boxes, tuple(placed))


def _distinct(nodes: Sequence[FlowNode]) -> list[FlowNode]:
    seen: set[str] = set()
    kept = []
    for node in nodes:
        if node.id not in seen:
            seen.add(node.id)
            kept.append(node)
    return kept


def _ranks(count: int, pairs: Sequence[tuple[int, int]], start: int) -> tuple[list[int], list[int]]:
    """Each node's rank and the order the search discovered it in (unreachable: last)."""
    children: list[list[int]] = [[] for _ in range(count)]
    for source, target in pairs:
        children[source].append(target)
    discovery: list[int] = [-1] * count
    discovered = 0
    finished: list[int] = []
    forward: list[list[int]] = [[] for _ in range(count)]  # edges that are not back edges
    if count:
        # Iterative, so a flow of any depth cannot exhaust the interpreter's stack.
        on_stack = [False] * count
        discovery[start] = 0
        discovered = 1
        on_stack[start] = True
        stack = [(start, 0)]
        while stack:
            node, next_child = stack[-1]
            if next_child == len(children[node]):
                stack.pop()
                on_stack[node] = False
                finished.append(node)
                continue
            stack[-1] = (node, next_child + 1)
            child = children[node][next_child]
            if on_stack[child]:
                continue  # a back edge: the loop it closes must not push ranks down
            forward[node].append(child)
            if discovery[child] < 0:
                discovery[child] = discovered
                discovered += 1
                on_stack[child] = True
                stack.append((child, 0))
    ranks = [0] * count
    for node in reversed(finished):  # a topological order of the forward edges
        for child in forward[node]:
            ranks[child] = max(ranks[child], ranks[node] + 1)
    last = max((ranks[n] for n in finished), default=-1) + 1
    for node in range(count):
        if discovery[node] < 0:
            ranks[node] = last
            discovery[node] = discovered
            discovered += 1
    return ranks, discovery


class _Grid:
    """Nodes and edge waypoints by rank: ordered, then given x and y coordinates.

    Vertices are numbered: the graph's nodes first, then the waypoints as they are made.
    """

    def __init__(self, ranks: list[int], sizes: list[tuple[float, float]], discovery: list[int]):
        self.real = len(ranks)
        self.rank = list(ranks)
        self.width = [w for w, _ in sizes]
        self.height = [h for _, h in sizes]
        self.key: list[float] = [float(d) for d in discovery]
        self.up: list[list[int]] = [[] for _ in ranks]  # neighbours in the rank above
        self.down: list[list[int]] = [[] for _ in ranks]  # neighbours in the rank below
        self.layers: list[list[int]] = []
        self.x: list[float] = []
        self.rank_top: list[float] = []
        self.rank_height: list[float] = []

    def chain(self, source: int, target: int) -> list[int]:
        """The vertices an edge passes, from its upper end down to its lower end."""
        upper, lower = sorted((source, target), key=lambda v: self.rank[v])
        if self.rank[upper] == self.rank[lower]:
            return [upper, lower]
        vertices = [upper]
        for rank in range(self.rank[upper] + 1, self.rank[lower]):
            vertices.append(self._waypoint(rank, self.key[upper] + 0.5))
        vertices.append(lower)
        for above, below in pairwise(vertices):
            self.down[above].append(below)
            self.up[below].append(above)
        return vertices

    def _waypoint(self, rank: int, key: float) -> int:
        self.rank.append(rank)
        self.width.append(0.0)
        self.height.append(0.0)
        self.key.append(key)
        self.up.append([])
        self.down.append([])
        return len(self.rank) - 1

    def order(self) -> None:
        """Order each rank to reduce crossings, keeping the best order any sweep found."""
        count = max(self.rank, default=-1) + 1
        layers: list[list[int]] = [[] for _ in range(count)]
        for vertex in sorted(range(len(self.rank)), key=lambda v: (self.key[v], v)):
            layers[self.rank[vertex]].append(vertex)
        best, fewest = [list(layer) for layer in layers], _crossings(layers, self.down)
        for _ in range(SWEEPS):
            for r in range(1, count):
                layers[r] = _by_barycenter(layers[r], layers[r - 1], self.up)
            for r in range(count - 2, -1, -1):
                layers[r] = _by_barycenter(layers[r], layers[r + 1], self.down)
            crossings = _crossings(layers, self.down)
            if crossings < fewest:
                best, fewest = [list(layer) for layer in layers], crossings
        self.layers = best

    def place(self) -> None:
        """Give every vertex an x (its centre) and every rank a top and a height."""
        self.x = [0.0] * len(self.rank)
        for layer in self.layers:
            self._set(layer, [0.0] * len(layer))
        for step in range(PLACEMENT_PASSES):
            sweep = self.layers if step % 2 == 0 else list(reversed(self.layers))
            for layer in sweep:
                self._set(layer, [self._desired(v) for v in layer])
        left = min((self.x[v] - self.width[v] / 2 for v in range(len(self.x))), default=0.0)
        self.x = [x - left + MARGIN for x in self.x]
        top = TOP_MARGIN
        for r, layer in enumerate(self.layers):
            height = max((self.height[v] for v in layer), default=0.0)
            self.rank_top.append(top)
            self.rank_height.append(height)
            top += height + self._gap_below(r)

    def _gap_below(self, rank: int) -> float:
        """The gap under ``rank``: taller where many edges leave one node into it, so the
        spots their labels may take lie far enough apart."""
        crowd = max((len(self.down[v]) for v in self.layers[rank]), default=0)
        if rank + 1 < len(self.layers):
            crowd = max([crowd, *(len(self.up[v]) for v in self.layers[rank + 1])])
        return max(RANK_GAP, LABEL_STEP * (crowd + 1))

    def _desired(self, vertex: int) -> float:
        """Where ``vertex`` would like to be: the weighted mean of its neighbours."""
        total = weight_sum = 0.0
        for neighbour in self.up[vertex] + self.down[vertex]:
            # Waypoints pull harder, so long edges run straight.
            weight = 1.0
            if vertex >= self.real:
                weight += 1.0
            if neighbour >= self.real:
                weight += 2.0
            total += weight * self.x[neighbour]
            weight_sum += weight
        return total / weight_sum if weight_sum else self.x[vertex]

    def _set(self, layer: list[int], desired: list[float]) -> None:
        offsets = [0.0]
        for left, right in pairwise(layer):
            offsets.append(offsets[-1] + self._spacing(left, right))
        fitted = _nondecreasing([d - o for d, o in zip(desired, offsets, strict=True)])
        for vertex, value, offset in zip(layer, fitted, offsets, strict=True):
            self.x[vertex] = value + offset

    def _spacing(self, left: int, right: int) -> float:
        both_real = left < self.real and right < self.real
        gap = NODE_GAP if both_real else WAYPOINT_GAP
        return (self.width[left] + self.width[right]) / 2 + gap

    def boxes(self, nodes: Sequence[FlowNode]) -> list[NodeBox]:
        boxes = []
        for v, node in enumerate(nodes):
            rank = self.rank[v]
            y = self.rank_top[rank] + (self.rank_height[rank] - self.height[v]) / 2
            x = self.x[v] - self.width[v] / 2
            boxes.append(NodeBox(node.id, rank, x, y, self.width[v], self.height[v]))
        return boxes


def _by_barycenter(layer: list[int], fixed: list[int], neighbours: list[list[int]]) -> list[int]:
    position = {v: i for i, v in enumerate(fixed)}

    def barycenter(item: tuple[int, int]) -> tuple[float, int]:
        here, vertex = item
        linked = [position[n] for n in neighbours[vertex]]
        # Scaled to the other rank, so a vertex with no neighbours there keeps its place.
        scale = (len(fixed) - 1) / max(len(layer) - 1, 1)
        return (sum(linked) / len(linked) if linked else here * scale), here

    return [vertex for _, vertex in sorted(enumerate(layer), key=barycenter)]


def _crossings(layers: list[list[int]], down: list[list[int]]) -> int:
    total = 0
    for upper, lower in pairwise(layers):
        below = {v: i for i, v in enumerate(lower)}
        segments = sorted((i, below[n]) for i, v in enumerate(upper) for n in down[v])
        for a, (top_a, bottom_a) in enumerate(segments):
            for top_b, bottom_b in segments[a + 1 :]:
                if top_b > top_a and bottom_b < bottom_a:
                    total += 1
    return total


def _nondecreasing(values: list[float]) -> list[float]:
    """The non-decreasing sequence closest to ``values`` (pool adjacent violators)."""
    blocks: list[tuple[float, int]] = []  # (sum, count)
    for value in values:
        total, count = value, 1
        while blocks and blocks[-1][0] / blocks[-1][1] > total / count:
            previous_total, previous_count = blocks.pop()
            total, count = total + previous_total, count + previous_count
        blocks.append((total, count))
    return [total / count for total, count in blocks for _ in range(count)]


Shape = Literal["curve", "loop", "arc"]


@dataclass(frozen=True)
class _Route:
    """An edge's route before it is written as path data: the points fix the shape."""

    shape: Shape  # S-curves between ranks, a loop on a node's side, an arc within a rank
    points: tuple[Point, ...]
    label: Point


class _Router:
    """Edge routes: ports spread along each node's side, smooth curves between ranks."""

    def __init__(
        self,
        grid: _Grid,
        boxes: list[NodeBox],
        nodes: list[FlowNode],
        pairs: list[tuple[int, int]],
        chains: list[list[int]],
    ):
        self.grid = grid
        self.boxes = boxes
        self.nodes = nodes
        self.pairs = pairs
        self.chains = chains
        self.ports: dict[tuple[int, int], Point] = {}  # (edge, vertex) -> where it attaches
        self._assign_ports()

    def _assign_ports(self) -> None:
        sides: dict[tuple[int, str], list[tuple[float, int]]] = {}
        for e, chain in enumerate(self.chains):
            if len(chain) == 2 and self.grid.rank[chain[0]] == self.grid.rank[chain[1]]:
                continue  # a flat edge or a self-loop has its own route
            upper, lower = chain[0], chain[-1]
            sides.setdefault((upper, "bottom"), []).append((self.grid.x[chain[1]], e))
            sides.setdefault((lower, "top"), []).append((self.grid.x[chain[-2]], e))
        for (vertex, side), attached in sides.items():
            attached.sort()
            box = self.boxes[vertex]
            diamond = self.nodes[vertex].kind == "condition"
            band = box.width * (0.5 if diamond else 0.6)
            for i, (_, e) in enumerate(attached):
                dx = band * ((i + 1) / (len(attached) + 1) - 0.5) if len(attached) > 1 else 0.0
                inset = abs(dx) * box.height / box.width if diamond else 0.0
                y = box.y + inset if side == "top" else box.y + box.height - inset
                self.ports[(e, vertex)] = Point(box.center.x + dx, y)

    def routes(self, label_sizes: list[tuple[float, float]]) -> list[_Route]:
        """Every edge's route, its label where it covers the least of other labels and nodes.

        A loop's or an arc's label sits at its far point; any other label on the run that
        leaves the edge's source, at the first of a few spots along it that is free.
        Labels are placed top to bottom, left to right.
        """
        routes = [self._route(e) for e in range(len(self.pairs))]
        taken = [(b.x, b.y, b.width, b.height) for b in self.boxes]
        taken += [
            _rectangle(r.label, label_sizes[e]) for e, r in enumerate(routes) if r.shape != "curve"
        ]
        placed = []
        curves = sorted(
            (e for e, r in enumerate(routes) if r.shape == "curve"),
            key=lambda e: (routes[e].points[0].y, routes[e].points[0].x, e),
        )
        for e in curves:
            start, end = routes[e].points[0], routes[e].points[1]
            spots = [_on_curve(start, end, t) for t in LABEL_SPOTS]
            # min keeps the first of equally good spots, so a free middle wins.
            best = min(spots, key=lambda p: _overlap(_rectangle(p, label_sizes[e]), taken))
            taken.append(_rectangle(best, label_sizes[e]))
            placed.append((e, best))
        for e, label in placed:
            routes[e] = _Route("curve", routes[e].points, label)
        return routes

    def _route(self, e: int) -> _Route:
        source, target = self.pairs[e]
        chain = self.chains[e]
        if source == target:
            return _loop(self.boxes[source])
        if self.grid.rank[source] == self.grid.rank[target]:
            return _arc(self.boxes[source], self.boxes[target])
        points = [self.ports[(e, chain[0])]]
        for vertex in chain[1:-1]:
            rank = self.grid.rank[vertex]
            top = self.grid.rank_top[rank]
            points += [Point(self.grid.x[vertex], top)]
            points += [Point(self.grid.x[vertex], top + self.grid.rank_height[rank])]
        points.append(self.ports[(e, chain[-1])])
        if chain[0] != source:
            points.reverse()
        return _Route("curve", tuple(points), points[0])


def _loop(box: NodeBox) -> _Route:
    """An edge from a node to itself: out of its right side and back in."""
    right, middle = box.x + box.width, box.center.y
    far = Point(right + LOOP_REACH, middle)
    return _Route("loop", (Point(right, middle - 8), far, Point(right, middle + 8)), far)


def _arc(source: NodeBox, target: NodeBox) -> _Route:
    """An edge between two nodes of one rank: up from the source's top and down."""
    peak = Point((source.center.x + target.center.x) / 2, min(source.y, target.y) - RANK_GAP / 2)
    start, end = Point(source.center.x, source.y), Point(target.center.x, target.y)
    return _Route("arc", (start, peak, end), peak)


def _path(shape: Shape, points: tuple[Point, ...]) -> str:
    """SVG path data for a route; curves leave and reach each point vertically."""
    first = points[0]
    path = f"M{_n(first.x)},{_n(first.y)}"
    if shape == "loop":
        out, far, back = points
        return (
            f"{path} C{_n(far.x)},{_n(out.y - 24)} {_n(far.x)},{_n(back.y + 24)} "
            f"{_n(back.x)},{_n(back.y)}"
        )
    if shape == "arc":
        start, peak, end = points
        return (
            f"{path} Q{_n(start.x)},{_n(peak.y)} {_n(peak.x)},{_n(peak.y)}"
            f" Q{_n(end.x)},{_n(peak.y)} {_n(end.x)},{_n(end.y)}"
        )
    for a, b in pairwise(points):
        if a.x == b.x:
            path += f" L{_n(b.x)},{_n(b.y)}"
        else:
            mid = (a.y + b.y) / 2
            path += f" C{_n(a.x)},{_n(mid)} {_n(b.x)},{_n(mid)} {_n(b.x)},{_n(b.y)}"
    return path


Rectangle = tuple[float, float, float, float]  # left, top, width, height


def _rectangle(center: Point, size: tuple[float, float]) -> Rectangle:
    width, height = size
    return center.x - width / 2, center.y - height / 2, width, height


def _overlap(rectangle: Rectangle, others: list[Rectangle]) -> float:
    """How much of ``rectangle`` the ``others`` cover, summed over them."""
    x, y, w, h = rectangle
    total = 0.0
    for ox, oy, ow, oh in others:
        across = min(x + w, ox + ow) - max(x, ox)
        down = min(y + h, oy + oh) - max(y, oy)
        if across > 0 and down > 0:
            total += across * down
    return total


def _on_curve(a: Point, b: Point, t: float) -> Point:
    """The point at ``t`` of the S-curve ``_path`` draws from ``a`` to ``b``."""
    if a.x == b.x:
        return Point(a.x, a.y + (b.y - a.y) * t)
    mid = (a.y + b.y) / 2
    u = 1 - t
    x = u**3 * a.x + 3 * u * u * t * a.x + 3 * u * t * t * b.x + t**3 * b.x
    y = u**3 * a.y + 3 * u * u * t * mid + 3 * u * t * t * mid + t**3 * b.y
    return Point(x, y)


def _n(value: float) -> str:
    """A coordinate as SVG text: one decimal, no trailing zeros."""
    return f"{value:.1f}".rstrip("0").rstrip(".")
