"""The drawing of a flow in the HTML report: one SVG per flow, its tasks sized to their
text and shaped by kind, its rules routed by ``layout``, each marked covered or not.

The classes and ids it writes are part of the page's DOM contract (see ``html``). Every
string passes through the page's ``text`` (redacted and escaped) or ``plain`` (redacted,
for text shortened before it is escaped).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import replace

from flowspec.reporting.coverage import FlowCoverage
from flowspec.reporting.layout import EdgeRoute, NodeBox, layout
from flowspec.reporting.model import FlowEdge, FlowGraph, FlowNode, NodeKind

__all__ = ["LEGEND", "MARKERS", "Drawer"]

_KIND_WORDS: dict[NodeKind, str] = {
    "start": "Start",
    "screen": "Screen",
    "condition": "Condition",
    "action": "Action",
    "flow": "Sub-flow",
    "end": "End",
}
# Average glyph widths of the drawing's fonts, to size boxes without measuring text.
_NAME_CHAR = 7.0
_DETAIL_CHAR = 6.2
_NAME_LINE = 16.0
_NAME_CHARS = 22  # per line of a task's name
_DETAIL_CHARS = 28


class Drawer:
    """Draws the flows of one page, with the page's redaction and escaping."""

    def __init__(self, text: Callable[[str], str], plain: Callable[[str], str]) -> None:
        self.text = text
        self.plain = plain

    def svg(self, index: int, covered: FlowCoverage) -> str:
        """The SVG of flow ``index`` of the report, its coverage marked."""
        flow = covered.flow
        drawn = layout(flow, lambda node: _node_size(self._shown(node)))
        kinds = {node.id: node for node in flow.nodes}
        position = {node.id: i for i, node in reversed(list(enumerate(flow.nodes)))}
        edges = "".join(
            self._edge(index, route, kinds, route.edge in covered.edges) for route in drawn.edges
        )
        nodes = "".join(
            self._node(index, position[box.id], kinds[box.id], box, flow, box.id in covered.tasks)
            for box in drawn.nodes
        )
        width, height = _n(drawn.width), _n(drawn.height)
        return (
            f'<svg class="flow-svg" data-flow="{self.text(flow.id)}" data-flow-index="{index}" '
            f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
            f'aria-label="Drawing of the flow {self.text(flow.name)}">'
            f'<g class="edges">{edges}</g><g class="nodes">{nodes}</g></svg>'
        )

    def _node(
        self, flow: int, n: int, node: FlowNode, box: NodeBox, graph: FlowGraph, covered: bool
    ) -> str:
        state = "covered" if covered else "uncovered"
        start = " start" if node.id == graph.start else ""
        name_lines, detail = _node_text(self._shown(node))
        center = box.center
        text_height = len(name_lines) * _NAME_LINE + (13.0 if detail else 0.0)
        y = center.y - text_height / 2 + 12.0
        lines = "".join(
            f'<tspan x="{_n(center.x)}" y="{_n(y + i * _NAME_LINE)}">{html.escape(line)}</tspan>'
            for i, line in enumerate(name_lines)
        )
        detail_text = (
            f'<text class="detail" x="{_n(center.x)}" '
            f'y="{_n(y + len(name_lines) * _NAME_LINE - 1.5)}">{html.escape(detail)}</text>'
            if detail
            else ""
        )
        marker = (
            f'<path class="start-arrow" d="M{_n(center.x)},{_n(box.y - 30)} '
            f'V{_n(box.y - 3)}"/><circle class="start-dot" cx="{_n(center.x)}" '
            f'cy="{_n(box.y - 32)}" r="4"/>'
            if start
            else ""
        )
        title = f"{self.node_words(node)}{self._detail_words(node)}: {state}"
        return (
            f'<g class="node kind-{node.kind} {state}{start}" id="f{flow}n{n}" '
            f'data-node="{self.text(node.id)}"><title>{title}</title>{marker}'
            f'{_shape(node.kind, box)}<text class="name">{lines}</text>{detail_text}</g>'
        )

    def _edge(self, flow: int, route: EdgeRoute, nodes: dict[str, FlowNode], covered: bool) -> str:
        edge = route.edge
        state = "covered" if covered else "uncovered"
        back = " back" if route.back else ""
        label = self.text(edge.label)
        return (
            f'<g class="edge {state}{back}" id="f{flow}e{route.index}" '
            f'data-edge="{route.index}" data-source="{self.text(edge.source)}" '
            f'data-target="{self.text(edge.target)}" data-outcome="{self.text(edge.outcome)}">'
            f"<title>{self.edge_words(edge, nodes)}: {state}</title>"
            f'<path class="line" d="{route.path}"/><text class="edge-label" '
            f'x="{_n(route.label.x)}" y="{_n(route.label.y + 4)}">{label}</text></g>'
        )

    def edge_words(self, edge: FlowEdge, nodes: dict[str, FlowNode]) -> str:
        """``Screen 'Verify' --Send again--> Action 'Send code'``, escaped."""
        source, target = nodes.get(edge.source), nodes.get(edge.target)
        source_words = self.node_words(source) if source else self.text(edge.source)
        target_words = self.node_words(target) if target else self.text(edge.target)
        return f"{source_words} --{self.text(edge.label)}--&gt; {target_words}"

    def node_words(self, node: FlowNode) -> str:
        return f"{_KIND_WORDS[node.kind]} &#39;{self.text(node.name or node.id)}&#39;"

    def _detail_words(self, node: FlowNode) -> str:
        return f" ({self.text(node.detail)})" if node.detail else ""

    def _shown(self, node: FlowNode) -> FlowNode:
        """``node`` with the name and detail its drawing may show."""
        return replace(node, name=self.plain(node.name or node.id), detail=self.plain(node.detail))


# The drawing: box sizes that fit the text, and a shape per kind of task.


def _node_text(node: FlowNode) -> tuple[list[str], str]:
    """A task's name in at most two lines, and the detail line under it (of a redacted
    ``node``: see ``_Page.shown``)."""
    lines = _wrap(node.name, _NAME_CHARS)
    detail = node.detail if node.kind in ("action", "screen", "flow") else ""
    if len(detail) > _DETAIL_CHARS:
        detail = detail[: _DETAIL_CHARS - 1] + "\u2026"
    return lines, detail


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    if len(lines) > 2:
        lines = [lines[0], " ".join(lines[1:])]
    return [line if len(line) <= width else line[: width - 1] + "\u2026" for line in lines]


def _node_size(node: FlowNode) -> tuple[float, float]:
    lines, detail = _node_text(node)
    text_width = max(
        max(len(line) for line in lines) * _NAME_CHAR, len(detail) * _DETAIL_CHAR, 60.0
    )
    text_height = len(lines) * _NAME_LINE + (13.0 if detail else 0.0)
    if node.kind == "condition":
        # The text's box must fit inside the diamond: w/W + h/H <= 1.
        width = text_width * 1.6 + 24
        return width, max(60.0, text_height / (1 - text_width / width) + 6)
    if node.kind in ("start", "end"):
        return max(text_width + 40, 96.0), text_height + 18
    return max(text_width + 28, 120.0), text_height + 20


def _shape(kind: NodeKind, box: NodeBox) -> str:
    x, y, w, h = _n(box.x), _n(box.y), _n(box.width), _n(box.height)
    if kind == "condition":
        c = box.center
        points = (
            f"{_n(c.x)},{_n(box.y)} {_n(box.x + box.width)},{_n(c.y)} "
            f"{_n(c.x)},{_n(box.y + box.height)} {_n(box.x)},{_n(c.y)}"
        )
        return f'<polygon class="shape" points="{points}"/>'
    if kind in ("start", "end"):
        radius = _n(box.height / 2)
        rect = f'<rect class="shape" x="{x}" y="{y}" width="{w}" height="{h}" rx="{radius}"/>'
        if kind == "end":
            inner = (
                f'<rect class="inner" x="{_n(box.x + 3)}" y="{_n(box.y + 3)}" '
                f'width="{_n(box.width - 6)}" height="{_n(box.height - 6)}" '
                f'rx="{_n(box.height / 2 - 3)}"/>'
            )
            return rect + inner
        return rect
    if kind == "flow":
        left, right = _n(box.x + 9), _n(box.x + box.width - 9)
        bottom = _n(box.y + box.height)
        return (
            f'<rect class="shape" x="{x}" y="{y}" width="{w}" height="{h}" rx="3"/>'
            f'<path class="inner" d="M{left},{y} V{bottom} M{right},{y} V{bottom}"/>'
        )
    if kind == "screen":
        return (
            f'<rect class="shape" x="{x}" y="{y}" width="{w}" height="{h}" rx="6"/>'
            f'<path class="inner" d="M{x},{_n(box.y + 7)} h{w}"/>'
        )
    return f'<rect class="shape" x="{x}" y="{y}" width="{w}" height="{h}" rx="12"/>'


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


# Arrowheads, defined once for every drawing; the CSS picks one per edge state.
MARKERS = (
    '<svg class="defs" width="0" height="0" aria-hidden="true"><defs>'
    + "".join(
        f'<marker id="arrow-{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        f'markerHeight="7" orient="auto-start-reverse"><path d="M0,1 L10,5 L0,9 z" '
        f'fill="{colour}"/></marker>'
        for name, colour in (("covered", "#57606a"), ("uncovered", "#cf222e"), ("path", "#0969da"))
    )
    + "</defs></svg>\n"
)

# What the shapes and lines of the drawings mean.
LEGEND = (
    '<div class="legend" aria-label="Legend">'
    '<span><svg width="30" height="18"><rect class="lg screen" x="1" y="2" width="28" '
    'height="14" rx="3"/></svg>screen</span>'
    '<span><svg width="30" height="18"><rect class="lg action" x="1" y="2" width="28" '
    'height="14" rx="7"/></svg>action</span>'
    '<span><svg width="30" height="18"><polygon class="lg condition" '
    'points="15,1 29,9 15,17 1,9"/></svg>condition</span>'
    '<span><svg width="30" height="18"><rect class="lg flow" x="1" y="2" width="28" '
    'height="14" rx="2"/></svg>sub-flow</span>'
    '<span><svg width="30" height="18"><rect class="lg end" x="1" y="2" width="28" '
    'height="14" rx="7"/></svg>end</span>'
    '<span><svg width="30" height="18"><path class="lg covered" d="M1,9 H29"/></svg>'
    "taken</span>"
    '<span><svg width="30" height="18"><path class="lg uncovered" d="M1,9 H29"/></svg>'
    "never taken</span>"
    '<span><svg width="30" height="18"><path class="lg on-path" d="M1,9 H29"/></svg>'
    "selected scenario</span></div>\n"
)
