"""The living documentation: one self-contained HTML page of a run, ``reports/index.html``.

It shows what the features say and what happened when they ran: a summary, every feature
with its scenarios and steps (status, duration, error), and a drawing of every flow with
its coverage: which tasks and branches no scenario took, marked on the drawing and listed
in words. Selecting a scenario marks the path it took on its flow's drawing. The page
opens from disk with no network (CSS and script inline, system fonts), so a CI artefact
or a mail attachment reads the same as a local run; it prints cleanly too.

The page is built for thousands of scenarios: each flow is drawn once, as one SVG, and a
scenario carries only a number (``data-mark``) naming its path in a JSON table, which the
page's script looks up when the scenario is selected. Paths that several scenarios share
are stored once.

Every string from the run passes through ``redact_text`` and is HTML-escaped, so a token
in a step's name or an error message never reaches the file; the embedded JSON holds
numbers only and is escaped against ``</script>`` all the same.

The DOM contract, for tests and for anyone scripting the page:

- ``#summary``: the counts; ``[data-count="scenarios-failed"]`` and the like hold numbers.
- ``#toolbar``: ``#search`` (free text over feature, scenario and step text),
  ``button[data-status-filter="<status>"]`` toggles (``aria-pressed``) that show or hide
  scenarios of a status, ``button[data-tag-filter="<tag>"]`` toggles (a scenario must
  carry every pressed tag, its feature's included), ``#shown`` ("Showing n of m"),
  ``#expand-all`` and ``#collapse-all``.
- ``section.feature#feature-<f>`` (``data-status``: its worst scenario's), each holding
  ``li.scenario#scenario-<f>-<s>`` with ``data-status``, ``data-tags`` (space-separated,
  inherited feature tags included), ``data-flow`` (the flow id, when the scenario ran one)
  and ``data-mark`` (its path, when it has one). A scenario hidden by a filter gets the
  class ``filtered-out``; an expanded one ``open`` (those that failed or erred start
  open); the selected one ``selected``. A click on ``.scenario-head`` selects the
  scenario and opens it (a second click folds it); ``a.flow-link`` goes to its flow's
  drawing; loading the page at ``#scenario-<f>-<s>`` selects that scenario. Steps are
  ``li.step`` with ``data-status``; error messages are ``pre.error``.
- ``section.flow#flow-<slug>`` per flow, with ``[data-coverage="tasks"]`` and
  ``[data-coverage="branches"]`` percentages, ``ul.gaps`` listing uncovered branches
  (``li[data-edge]``) and ``ul.unreached`` uncovered tasks, and one
  ``svg[data-flow="<flow id>"]``. In it, ``g.node[data-node="<task id>"]`` (classes
  ``kind-<kind>``, ``covered`` or ``uncovered``, ``start`` for the start task) and
  ``g.edge[data-edge="<index in FlowGraph.edges>"]`` (``data-source``, ``data-target``,
  ``data-outcome``; ``covered`` or ``uncovered``; ``back`` for loops). When a scenario
  is selected, the nodes and edges of its path get ``on-path``, its last task
  ``path-end``, and the drawing ``has-path`` (and ``ended-failed`` if it did not pass).
  The summary's totals over all flows are ``[data-coverage="total-tasks"]`` and
  ``[data-coverage="total-branches"]``.
- ``script#flowspec-data``: ``{"marks": [[[flow index, [node indexes], [edge indexes],
  last node index], ...], ...]}``; node and edge elements have ids ``f<flow>n<node>`` and
  ``f<flow>e<edge>``.
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from functools import cache
from importlib.resources import files
from pathlib import Path

from flowspec.redaction import redact_text
from flowspec.reporting.coverage import FlowCoverage, coverage, flow_coverage
from flowspec.reporting.drawing import LEGEND, MARKERS, Drawer
from flowspec.reporting.files import write_atomically
from flowspec.reporting.model import (
    FeatureReport,
    FlowStep,
    RunReport,
    ScenarioReport,
    Status,
    StepReport,
    Tag,
)

__all__ = ["render", "write"]

# The page's stylesheet and script, inlined into every page so it needs no network.
_ASSETS = files("flowspec.reporting") / "assets"

_STATUSES: tuple[Status, ...] = ("passed", "failed", "error", "undefined", "skipped")
# The status a feature takes from its scenarios: the first of these that any of them has.
_WORST_FIRST: tuple[Status, ...] = ("error", "failed", "undefined", "passed", "skipped")
_GLYPHS: dict[Status, str] = {
    "passed": "&#10003;",
    "failed": "&#10007;",
    "error": "!",
    "undefined": "?",
    "skipped": "&#8722;",
}


def write(report: RunReport, path: Path, secrets: Iterable[str | None] = ()) -> None:
    """Write the page of ``report`` to ``path``, replacing any file there."""
    write_atomically(path, _Page(report, tuple(secrets)).pieces())


def render(report: RunReport, secrets: Iterable[str | None] = ()) -> str:
    """The page of ``report``, with ``secrets`` and every JWT-shaped string redacted."""
    return "".join(_Page(report, tuple(secrets)).pieces())


class _Page:
    """One rendering: the redaction cache and the path table live as long as it does."""

    def __init__(self, report: RunReport, secrets: tuple[str | None, ...]):
        self.report = report
        self.secrets = secrets
        self.redacted: dict[str, str] = {}
        self.cleaned: dict[str, str] = {}
        self.coverages = coverage(report)
        self.flow_index = {flow.id: i for i, flow in enumerate(report.flows)}
        self.anchors = _anchors([self.plain(flow.id) for flow in report.flows])
        self.marks: list[list[list[object]]] = []
        self.mark_of: dict[tuple[FlowStep, ...], int] = {}
        self.words_of: dict[tuple[FlowStep, ...], str] = {}
        self.ran = Counter(s.flow_id for f in report.features for s in f.scenarios)
        self.drawer = Drawer(self.text, self.plain)

    def plain(self, value: str) -> str:
        """``value`` redacted: what the page may say, before escaping or shortening (a
        shortened token would no longer look like one to ``redact_text``)."""
        plain = self.redacted.get(value)
        if plain is None:
            plain = redact_text(value, self.secrets)
            self.redacted[value] = plain
        return plain

    def text(self, value: str) -> str:
        """``value`` redacted and escaped for HTML text and attribute values."""
        cleaned = self.cleaned.get(value)
        if cleaned is None:
            cleaned = html.escape(self.plain(value), quote=True)
            self.cleaned[value] = cleaned
        return cleaned

    def pieces(self) -> Iterator[str]:
        """The page a feature and a flow at a time. The features come before the data
        script, as drawing them gathers the paths it holds."""
        yield (
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            "<title>flowspec: living documentation</title>\n"
            f"<style>{_asset('report.css')}</style>\n</head>\n<body>\n{MARKERS}"
            f"{self.header()}{self.toolbar()}"
            '<main id="report">\n<div id="features" class="pane">\n<h2 class="pane-title">'
            "Features</h2>\n"
        )
        yield from (self.feature(i, f) for i, f in enumerate(self.report.features))
        if not self.report.features:
            yield _EMPTY_FEATURES
        yield f'</div>\n<div id="flows" class="pane">\n{self.flows_head()}'
        yield from (self.flow(i, c) for i, c in enumerate(self.coverages))
        if not self.coverages:
            yield _EMPTY_FLOWS
        yield (
            "</div>\n</main>\n"
            f'<script type="application/json" id="flowspec-data">'
            f"{_script_json({'marks': self.marks})}</script>\n"
            f"<script>{_asset('report.js')}</script>\n</body>\n</html>\n"
        )

    # The summary and the controls.

    def header(self) -> str:
        features = self.report.features
        scenarios = [s for f in features for s in f.scenarios]
        steps = [step for s in scenarios for step in s.steps]
        failing = sum(s.status in ("failed", "error") for s in scenarios)
        if not scenarios:
            verdict, tone = "No scenario ran", "skipped"
        elif failing:
            verdict = f"{failing} of {len(scenarios)} scenarios did not pass"
            tone = "failed"
        else:
            verdict, tone = f"All {len(scenarios)} scenarios that ran passed", "passed"
        duration = sum(s.duration for s in scenarios)
        cards = (
            _count_card("Features", "features", Counter(_feature_status(f) for f in features))
            + _count_card("Scenarios", "scenarios", Counter(s.status for s in scenarios))
            + _count_card("Steps", "steps", Counter(step.status for step in steps))
            + '<div class="card"><div class="card-title">Duration</div>'
            f'<div class="big" data-count="duration">{_duration(duration)}</div>'
            f'<div class="card-note">{len(scenarios)} scenarios</div></div>' + self.coverage_card()
        )
        return (
            '<header id="summary" class="top">\n<div class="title-row">'
            '<div class="brand">flowspec <span>living documentation</span></div>'
            f'<div class="verdict v-{tone}">{verdict}</div></div>\n'
            f'<div class="cards">{cards}</div>\n</header>\n'
        )

    def coverage_card(self) -> str:
        if not self.coverages:
            return ""
        tasks = sum(len(c.tasks) for c in self.coverages)
        all_tasks = sum(len(c.flow.nodes) for c in self.coverages)
        branches = sum(len(c.edges) for c in self.coverages)
        all_branches = sum(len(c.flow.edges) for c in self.coverages)
        return (
            '<div class="card"><div class="card-title">Flow coverage</div>'
            f"{_meter('Tasks', 'total-tasks', tasks, all_tasks)}"
            f"{_meter('Branches', 'total-branches', branches, all_branches)}"
            f'<div class="card-note">{len(self.coverages)} flows</div></div>'
        )

    def toolbar(self) -> str:
        scenarios = [(f, s) for f in self.report.features for s in f.scenarios]
        counts = Counter(s.status for _, s in scenarios)
        statuses = "".join(
            f'<button type="button" class="toggle s-{status}" data-status-filter="{status}" '
            f'aria-pressed="true" title="Show or hide {status} scenarios">'
            f'<span class="glyph">{_GLYPHS[status]}</span>{status} <b>{counts[status]}</b>'
            "</button>"
            for status in _STATUSES
            if counts[status]
        )
        tags = sorted({self.text(t.name) for f, s in scenarios for t in (*f.tags, *s.tags)})
        tag_buttons = "".join(
            f'<button type="button" class="toggle tag" data-tag-filter="{tag}" '
            f'aria-pressed="false">@{tag}</button>'
            for tag in tags
        )
        tag_group = (
            '<div class="group" role="group" aria-label="Tags" '
            f'title="Show scenarios with every pressed tag">{tag_buttons}</div>'
            if tags
            else ""
        )
        return (
            '<nav id="toolbar" class="toolbar">\n'
            '<input type="search" id="search" placeholder="Search features, scenarios, steps"'
            ' aria-label="Search" autocomplete="off">'
            f'<div class="group" role="group" aria-label="Statuses">{statuses}</div>'
            f"{tag_group}"
            f'<span id="shown" class="shown">Showing {len(scenarios)} of {len(scenarios)}'
            " scenarios</span>"
            '<span class="actions"><button type="button" id="expand-all">Expand all</button>'
            '<button type="button" id="collapse-all">Collapse all</button></span>\n</nav>\n'
        )

    def flows_head(self) -> str:
        """The top of the flows pane, which stays in view: a link to each flow with its
        branch coverage, and the legend of the drawings."""
        if not self.coverages:
            return '<div class="pane-head"><h2 class="pane-title">Flows</h2></div>\n'
        links = "".join(
            f'<a class="flow-nav" href="#{self.anchors[i]}">{self.text(c.flow.name)} '
            f"<b>{c.branch_percent:.0f}%</b></a>"
            for i, c in enumerate(self.coverages)
        )
        return (
            '<div class="pane-head"><h2 class="pane-title">Flows '
            '<span class="muted">branches taken</span></h2>'
            f'<nav class="flow-navs" aria-label="Flows">{links}</nav>{LEGEND}</div>\n'
        )

    # Features, scenarios and steps.

    def feature(self, f: int, feature: FeatureReport) -> str:
        counts = Counter(s.status for s in feature.scenarios)
        tally = " &#183; ".join(
            f'<span class="c-{status}">{counts[status]} {status}</span>'
            for status in _STATUSES
            if counts[status]
        )
        description = (
            f'<p class="description">{self.text(feature.description)}</p>'
            if feature.description
            else ""
        )
        scenarios = "".join(
            self.scenario(f, s, scenario, feature) for s, scenario in enumerate(feature.scenarios)
        )
        return (
            f'<section class="feature" id="feature-{f}" data-status="{_feature_status(feature)}">'
            f'<div class="feature-intro"><div class="feature-head"><h3>{self.text(feature.name)}'
            f'</h3><span class="tally">{tally}</span></div><div class="feature-meta">'
            f'<span class="file">{self.text(feature.file)}:{feature.line}</span>'
            f"{self.tags(feature.tags, inherited=True)}</div>{description}</div>"
            f'<ol class="scenarios">{scenarios}</ol></section>\n'
        )

    def scenario(self, f: int, s: int, scenario: ScenarioReport, feature: FeatureReport) -> str:
        tags = " ".join(self.text(t.name) for t in (*feature.tags, *scenario.tags))
        attributes = f'data-status="{scenario.status}" data-tags="{tags}"'
        link = ""
        if scenario.flow_id is not None:
            flow_id = self.text(scenario.flow_id)
            attributes += f' data-flow="{flow_id}"'
            index = self.flow_index.get(scenario.flow_id)
            if index is not None:
                name = self.text(self.report.flows[index].name)
                link = f'<a class="flow-link" href="#{self.anchors[index]}">{name}</a>'
            else:
                link = f'<span class="flow-link missing">{flow_id}</span>'
        path = ""
        if scenario.flow_path:
            mark = self.mark(scenario.flow_path)
            if mark is not None:
                attributes += f' data-mark="{mark}"'
            path = f'<p class="path"><span class="muted">Path</span> {self.words(scenario)}</p>'
        steps = "".join(self.step(step) for step in scenario.steps)
        # A scenario that did not pass opens at once: its error is what the reader came for.
        opened = " open" if scenario.status in ("failed", "error") else ""
        return (
            f'<li class="scenario s-{scenario.status}{opened}" id="scenario-{f}-{s}" '
            f'{attributes}><div class="scenario-head" role="button" tabindex="0">'
            f'<span class="badge s-{scenario.status}" title="{scenario.status}">'
            f'{_GLYPHS[scenario.status]}</span><span class="name">{self.text(scenario.name)}'
            f"</span>{self.tags(scenario.tags, inherited=False)}{link}"
            f'<span class="duration">{_duration(scenario.duration)}</span></div>'
            f'<div class="scenario-body"><p class="where muted">{self.text(feature.file)}:'
            f'{scenario.line}</p>{path}<ol class="steps">{steps}</ol></div></li>'
        )

    def step(self, step: StepReport) -> str:
        error = (
            f'<pre class="error">{self.text(step.error_message)}</pre>'
            if step.error_message
            else ""
        )
        match = ""
        if step.match:
            # The file name and line are what a reader scans for; the full path is a hover.
            where = self.text(step.match)
            match = f'<span class="match" title="{where}">{where.rsplit("/", 1)[-1]}</span>'
        return (
            f'<li class="step s-{step.status}" data-status="{step.status}">'
            f'<span class="glyph" title="{step.status}">{_GLYPHS[step.status]}</span>'
            f'<span class="keyword">{self.text(step.keyword)}</span> '
            f'<span class="step-name">{self.text(step.name)}</span>{match}'
            f'<span class="duration">{_duration(step.duration)}</span>{error}</li>'
        )

    def tags(self, tags: tuple[Tag, ...], inherited: bool) -> str:
        kind = " inherited" if inherited else ""
        return "".join(f'<span class="tag{kind}">@{self.text(t.name)}</span>' for t in tags)

    # Paths: a number per distinct path, and the path in words.

    def mark(self, path: tuple[FlowStep, ...]) -> int | None:
        """The index in the marks table of what ``path`` took, on every flow it crossed."""
        known = self.mark_of.get(path)
        if known is not None:
            return known
        mark: list[list[object]] = []
        for flow_id in dict.fromkeys(step.flow for step in path):
            index = self.flow_index.get(flow_id)
            if index is None:
                continue
            flow = self.report.flows[index]
            taken = flow_coverage(flow, [path])
            nodes = [i for i, node in enumerate(flow.nodes) if node.id in taken.tasks]
            edges = [i for i, edge in enumerate(flow.edges) if edge in taken.edges]
            last_id = next(step.id for step in reversed(path) if step.flow == flow_id)
            last = next((i for i, node in enumerate(flow.nodes) if node.id == last_id), -1)
            mark.append([index, nodes, edges, last])
        if not mark:
            return None
        self.marks.append(mark)
        self.mark_of[path] = len(self.marks) - 1
        return len(self.marks) - 1

    def words(self, scenario: ScenarioReport) -> str:
        path = scenario.flow_path
        known = self.words_of.get(path)
        if known is None:
            known = " &#8594; ".join(self.text(step.name or step.id) for step in path)
            self.words_of[path] = known
        return known

    # Flows: the drawing, its coverage and its gaps in words.

    def flow(self, index: int, covered: FlowCoverage) -> str:
        flow = covered.flow
        ran = self.ran[flow.id]
        nodes = {node.id: node for node in flow.nodes}
        gaps = "".join(
            f'<li data-edge="{i}">{self.drawer.edge_words(edge, nodes)}</li>'
            for i, edge in enumerate(flow.edges)
            if edge not in covered.edges
        )
        unreached = ", ".join(
            f"<span>{self.drawer.node_words(nodes[task])}</span>"
            for task in covered.uncovered_tasks
        )
        gap_list = (
            f'<h4>Branches no scenario takes</h4><ul class="gaps">{gaps}</ul>'
            if gaps
            else '<p class="all-covered">Every branch is taken by some scenario.</p>'
        )
        unreached_list = (
            f'<h4>Tasks no scenario reaches</h4><ul class="unreached"><li>{unreached}</li></ul>'
            if unreached
            else ""
        )
        return (
            f'<section class="flow" id="{self.anchors[index]}" data-flow-index="{index}">'
            f'<div class="flow-head"><h3>{self.text(flow.name)}</h3>'
            f'<code class="flow-id">{self.text(flow.id)}</code>'
            f'<span class="ran">{ran} scenario{"" if ran == 1 else "s"}</span></div>'
            f'<div class="meters">'
            f"{_meter('Tasks', 'tasks', len(covered.tasks), len(flow.nodes))}"
            f"{_meter('Branches', 'branches', len(covered.edges), len(flow.edges))}</div>"
            f'<div class="drawing">{self.drawer.svg(index, covered)}</div>'
            f"{gap_list}{unreached_list}</section>\n"
        )


def _feature_status(feature: FeatureReport) -> Status:
    statuses = {s.status for s in feature.scenarios}
    return next((status for status in _WORST_FIRST if status in statuses), "skipped")


def _count_card(title: str, key: str, counts: Counter[Status]) -> str:
    total = sum(counts.values())
    segments = "".join(
        f'<span class="seg s-{status}" style="flex-grow:{counts[status]}" '
        f'title="{counts[status]} {status}"></span>'
        for status in _STATUSES
        if counts[status]
    )
    legend = " &#183; ".join(
        f'<span class="c-{status}" data-count="{key}-{status}">{counts[status]}</span> {status}'
        for status in _STATUSES
        if counts[status]
    )
    return (
        f'<div class="card"><div class="card-title">{title}</div>'
        f'<div class="big" data-count="{key}">{total}</div>'
        f'<div class="bar">{segments}</div><div class="card-note">{legend or "none"}</div></div>'
    )


def _meter(title: str, key: str, part: int, whole: int) -> str:
    percent = 100.0 if whole == 0 else 100.0 * part / whole
    tone = "good" if percent >= 80 else "fair" if percent >= 50 else "poor"
    return (
        f'<div class="meter {tone}"><span class="meter-label">{title}</span>'
        f'<span class="meter-bar"><span style="width:{percent:.1f}%"></span></span>'
        f'<span class="meter-value" data-coverage="{key}">{percent:.0f}%</span>'
        f'<span class="meter-count">{part}/{whole}</span></div>'
    )


def _duration(seconds: float) -> str:
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 60:
        return f"{seconds:.2f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s"


def _anchors(flow_ids: list[str]) -> list[str]:
    """A distinct, readable element id per flow: ``flow-sign-up-or-in``."""
    anchors: list[str] = []
    for flow_id in flow_ids:
        slug = "flow-" + re.sub(r"[^a-z0-9]+", "-", flow_id.lower()).strip("-")
        anchor, n = slug, 2
        while anchor in anchors:
            anchor, n = f"{slug}-{n}", n + 1
        anchors.append(anchor)
    return anchors


def _script_json(value: object) -> str:
    """JSON that cannot end the ``<script>`` element it sits in, nor open a comment."""
    text = json.dumps(value, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


_EMPTY_FEATURES = '<p class="empty">No feature ran.</p>'
_EMPTY_FLOWS = '<p class="empty">The run drew no flows.</p>'


@cache
def _asset(name: str) -> str:
    return (_ASSETS / name).read_text(encoding="utf-8")
