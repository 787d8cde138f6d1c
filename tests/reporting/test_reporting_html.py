"""The living documentation page, from hand-built run reports: what it shows, what it
marks, what it carries for its script, and what it must never contain."""

from __future__ import annotations

import json
import re
import time
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from flowspec.redaction import REDACTED_JWT, REDACTED_SECRET
from flowspec.reporting import html
from flowspec.reporting.model import (
    FeatureReport,
    FlowEdge,
    FlowGraph,
    FlowNode,
    FlowStep,
    RunReport,
    ScenarioReport,
    Status,
    StepReport,
    Tag,
)

TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJVMmJvYiJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
KEY = "P2x-management-key-value"

STEP_UP = FlowGraph(
    "step-up",
    "Step-up MFA",
    "signed-in",
    nodes=(
        FlowNode("signed-in", "Signed in?", "condition"),
        FlowNode("send", "Send code", "action", "sign-in-otp-email"),
        FlowNode("verify", "Verify", "screen", "verify-code"),
        FlowNode("enroll", "Enroll", "flow", "mfa"),
        FlowNode("end", "End", "end", "logged-in"),
    ),
    edges=(
        FlowEdge("signed-in", "send", "yes", "Signed in"),
        FlowEdge("signed-in", "enroll", "ELSE", "else"),
        FlowEdge("send", "verify", "success", "success"),
        FlowEdge("verify", "end", "verify", "Verify"),
        FlowEdge("verify", "send", "resend", "Send again"),
        FlowEdge("enroll", "end", "End.success", "done"),
    ),
)
MFA = FlowGraph(
    "mfa",
    "MFA enrollment",
    "start",
    nodes=(FlowNode("start", "Start", "start"), FlowNode("done", "Done", "end")),
    edges=(FlowEdge("start", "done", "next", "next"),),
)


def steps(*outcomes: tuple[str, str | None], flow: str = "step-up") -> tuple[FlowStep, ...]:
    return tuple(FlowStep(task, task.title(), outcome, flow) for task, outcome in outcomes)


SIGNED_IN_PATH = steps(
    ("signed-in", "yes"), ("send", "success"), ("verify", "verify"), ("end", None)
)
ENROLL_PATH = (
    *steps(("signed-in", "ELSE"), ("enroll", None)),
    *steps(("start", "next"), ("done", None), flow="mfa"),
    *steps(("end", None)),
)


def step(name: str, status: Status = "passed", error: str | None = None) -> StepReport:
    return StepReport("When", name, 7, status, 0.0015, error, "steps/flowspec_steps.py:3")


def scenario(
    name: str, status: Status, path: tuple[FlowStep, ...] = (), **fields: Any
) -> ScenarioReport:
    """A scenario of one step, on step-up if it has a path; ``fields`` override the rest."""
    made = ScenarioReport(
        name,
        6,
        status,
        0.25,
        steps=(step("I run the step-up flow", status),),
        flow_id="step-up" if path else None,
        flow_path=path,
    )
    return replace(made, **fields)


def report(*scenarios: ScenarioReport, flows: tuple[FlowGraph, ...] = (STEP_UP, MFA)) -> RunReport:
    feature = FeatureReport(
        name="Step-up",
        file="features/step_up.feature",
        line=2,
        description="Who must prove it twice.",
        tags=(Tag("local", 1),),
        scenarios=scenarios,
    )
    return RunReport((feature,), flows)


RUN = report(
    scenario("a signed-in user verifies a code", "passed", SIGNED_IN_PATH, tags=(Tag("smoke", 5),)),
    scenario(
        "an anonymous user enrols first",
        "failed",
        ENROLL_PATH,
        steps=(
            step("I run the step-up flow"),
            step("the flow completes", "failed", "expected completed"),
        ),
    ),
    scenario("a scenario that never ran", "skipped"),
)


class Element:
    def __init__(self, tag: str, attributes: dict[str, str]):
        self.tag = tag
        self.attributes = attributes
        self.text = ""
        self.classes = set(attributes.get("class", "").split())


class Page(HTMLParser):
    """The elements of a page, each with its attributes and the text inside it."""

    VOID = frozenset({"meta", "input", "br", "img", "link", "hr"})

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.open: list[Element] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {name: value or "" for name, value in attrs})
        self.elements.append(element)
        if tag not in self.VOID:
            self.open.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append(Element(tag, {name: value or "" for name, value in attrs}))

    def handle_endtag(self, tag: str) -> None:
        while self.open and self.open.pop().tag != tag:
            pass

    def handle_data(self, data: str) -> None:
        for element in self.open:
            element.text += data

    def all(self, tag: str = "", **attributes: str) -> list[Element]:
        """Elements of ``tag`` (any, if empty) whose attributes hold the values given;
        ``data_x`` names ``data-x``, and a value of ``""`` only asks for the attribute."""
        wanted = {name.replace("_", "-"): value for name, value in attributes.items()}
        return [
            e
            for e in self.elements
            if (not tag or e.tag == tag)
            and all(
                name in e.attributes and (value == "" or e.attributes[name] == value)
                for name, value in wanted.items()
            )
        ]

    def one(self, tag: str = "", **attributes: str) -> Element:
        [element] = self.all(tag, **attributes)
        return element


def page(run: RunReport = RUN, secrets: tuple[str, ...] = ()) -> Page:
    return Page(html.render(run, secrets))


def marks(text: str) -> Any:
    data = re.search(
        r'<script type="application/json" id="flowspec-data">(.*?)</script>', text, re.S
    )
    assert data is not None
    return json.loads(data.group(1))["marks"]


def test_write_puts_the_rendered_page_at_the_path(tmp_path: Path) -> None:
    """write() creates missing folders and writes exactly what render() returns."""
    target = tmp_path / "reports" / "index.html"
    html.write(RUN, target, [KEY])
    assert target.read_text(encoding="utf-8") == html.render(RUN, [KEY])


def test_the_page_is_the_same_for_the_same_run() -> None:
    """Rendering twice gives the same text, so reports can be compared between runs."""
    assert html.render(RUN) == html.render(RUN)


def test_the_summary_counts_features_scenarios_and_steps_by_status() -> None:
    """One feature that failed; one scenario of each status; four steps, one failed."""
    counts = {e.attributes["data-count"]: e.text for e in page().all(data_count="")}
    assert counts["features"] == "1"
    assert counts["features-failed"] == "1"
    assert (counts["scenarios"], counts["scenarios-passed"], counts["scenarios-failed"]) == (
        "3",
        "1",
        "1",
    )
    assert counts["scenarios-skipped"] == "1"
    assert (counts["steps"], counts["steps-failed"]) == ("4", "1")
    assert counts["duration"] == "750 ms"


def test_features_list_their_scenarios_and_steps_with_status_and_errors() -> None:
    """Each scenario carries its status; each step its status and error in a <pre>."""
    parsed = page()
    scenarios = parsed.all("li", data_status="")
    named = [e for e in scenarios if "scenario" in e.classes]
    assert [e.attributes["data-status"] for e in named] == ["passed", "failed", "skipped"]
    assert "a signed-in user verifies a code" in named[0].text
    failed_steps = [e for e in parsed.all("li", data_status="failed") if "step" in e.classes]
    assert len(failed_steps) == 1
    assert "the flow completes" in failed_steps[0].text
    assert [e.text for e in parsed.all("pre")] == ["expected completed"]


def test_scenarios_carry_their_own_and_their_features_tags() -> None:
    """data-tags lists the feature's tags first, then the scenario's, without '@'."""
    parsed = page()
    first = parsed.one("li", id="scenario-0-0")
    assert first.attributes["data-tags"] == "local smoke"
    assert parsed.one("li", id="scenario-0-2").attributes["data-tags"] == "local"
    assert {e.attributes["data-tag-filter"] for e in parsed.all("button", data_tag_filter="")} == {
        "local",
        "smoke",
    }


def test_there_is_a_status_filter_for_each_status_that_occurs() -> None:
    """Buttons for passed, failed and skipped, all pressed: nothing is hidden at first."""
    buttons = page().all("button", data_status_filter="")
    assert [b.attributes["data-status-filter"] for b in buttons] == ["passed", "failed", "skipped"]
    assert {b.attributes["aria-pressed"] for b in buttons} == {"true"}


def test_each_flow_is_drawn_once_with_every_node_and_edge() -> None:
    """One svg per flow, however many scenarios ran it, holding a node per task and an edge
    per rule, each with its label."""
    many = report(*(scenario(f"run {i}", "passed", SIGNED_IN_PATH) for i in range(40)))
    parsed = page(many)
    assert [e.attributes["data-flow"] for e in parsed.all("svg", data_flow="")] == [
        "step-up",
        "mfa",
    ]
    assert sorted(e.attributes["data-node"] for e in parsed.all("g", data_node="")) == sorted(
        [n.id for n in STEP_UP.nodes] + [n.id for n in MFA.nodes]
    )
    edges = [e for e in parsed.all("g", data_edge="") if e.attributes["id"].startswith("f0")]
    assert [e.attributes["data-edge"] for e in edges] == [str(i) for i in range(6)]
    assert "Send again" in edges[4].text
    shapes = {e.attributes["data-node"]: e.classes for e in parsed.all("g", data_node="")}
    assert "kind-condition" in shapes["signed-in"]
    assert "start" in shapes["signed-in"]  # the start task, though a condition


def test_edges_and_nodes_no_scenario_took_are_marked_uncovered() -> None:
    """After the two scenarios, only "Send again" is untaken in step-up; covered parts are
    marked covered; every part of the sub-flow is covered."""
    parsed = page()
    state = {
        e.attributes["id"]: ("covered" in e.classes, "uncovered" in e.classes)
        for e in parsed.all("g", data_edge="")
    }
    assert state["f0e4"] == (False, True)
    assert all(state[f"f0e{i}"] == (True, False) for i in (0, 1, 2, 3, 5))
    assert state["f1e0"] == (True, False)
    assert all("covered" in e.classes for e in parsed.all("g", data_node=""))


def test_coverage_is_given_in_percent_and_uncovered_branches_in_words() -> None:
    """Step-up: every task, five of six branches; the missing one is described by the kinds
    and names of its ends and its label."""
    parsed = page(report(scenario("one", "passed", SIGNED_IN_PATH)))
    section = parsed.one("section", id="flow-step-up")
    assert section.attributes["data-flow-index"] == "0"
    tasks, _ = [e.text for e in parsed.all("span", data_coverage="tasks")]  # step-up, mfa
    branches, _ = [e.text for e in parsed.all("span", data_coverage="branches")]
    assert (tasks, branches) == ("80%", "50%")
    gaps = [e.text for e in parsed.all("li", data_edge="")]
    assert "Screen 'Verify' --Send again--> Action 'Send code'" in gaps
    assert "Condition 'Signed in?' --else--> Sub-flow 'Enroll'" in gaps
    assert len(gaps) == 3 + 1  # three in step-up, the one rule of the unrun sub-flow


def test_each_scenario_carries_its_path_for_the_drawing() -> None:
    """data-mark names an entry of the embedded table listing, per flow crossed, the
    indexes of the nodes and edges the path took and of its last node."""
    text = html.render(RUN)
    parsed = Page(text)
    table = marks(text)
    signed_in = table[int(parsed.one("li", id="scenario-0-0").attributes["data-mark"])]
    assert signed_in == [[0, [0, 1, 2, 4], [0, 2, 3], 4]]
    enrolled = table[int(parsed.one("li", id="scenario-0-1").attributes["data-mark"])]
    assert enrolled == [[0, [0, 3, 4], [1, 5], 4], [1, [0, 1], [0], 1]]
    assert "data-mark" not in parsed.one("li", id="scenario-0-2").attributes


def test_scenarios_that_share_a_path_share_its_entry() -> None:
    """A thousand runs of two paths make a table of two entries."""
    many = report(
        *(scenario(f"run {i}", "passed", (SIGNED_IN_PATH, ENROLL_PATH)[i % 2]) for i in range(1000))
    )
    text = html.render(many)
    assert len(marks(text)) == 2
    assert {e.attributes["data-mark"] for e in Page(text).all("li", data_mark="")} == {"0", "1"}


def test_a_scenario_links_to_its_flows_drawing() -> None:
    """The link's target is the section holding the svg of the scenario's flow."""
    parsed = page()
    first = parsed.one("li", id="scenario-0-0")
    assert first.attributes["data-flow"] == "step-up"
    [link] = [e for e in parsed.all("a") if "flow-link" in e.classes][:1]
    assert link.attributes["href"] == "#flow-step-up"
    assert link.text == "Step-up MFA"
    assert "svg" in [e.tag for e in parsed.all(data_flow="step-up")]


def test_a_flow_the_report_does_not_draw_is_named_without_a_link() -> None:
    """A remote run's flow id with no graph shows as text, and the scenario has no mark."""
    remote = report(scenario("remote", "passed", steps(("x", "next"), flow="elsewhere")), flows=())
    parsed = page(replace(remote))
    assert not [e for e in parsed.all("a") if "flow-link" in e.classes]
    assert "data-mark" not in parsed.one("li", id="scenario-0-0").attributes
    assert parsed.all("svg", data_flow="") == []


def test_tokens_and_secrets_are_redacted_and_markup_is_escaped() -> None:
    """A JWT and a given secret anywhere in the run (names, tags, errors, flows, labels)
    never reach the page, and text that looks like markup is shown, not parsed."""
    hostile = f"<b>{TOKEN}</b> & {KEY}"
    flow = FlowGraph(
        "f",
        f"Flow {TOKEN}",
        "a",
        nodes=(FlowNode("a", f"Screen {KEY}", "screen", TOKEN), FlowNode("b", "End", "end")),
        edges=(FlowEdge("a", "b", "go", f"Go {TOKEN}"),),
    )
    run = RunReport(
        (
            FeatureReport(
                f"Feature {hostile}",
                "features/x.feature",
                1,
                description=hostile,
                tags=(Tag(f"tag-{KEY}", 1),),
                scenarios=(
                    ScenarioReport(
                        f"Scenario {hostile}",
                        3,
                        "failed",
                        0.1,
                        steps=(step(f"step {hostile}", "failed", f"Expected {TOKEN} got {KEY}"),),
                        flow_id="f",
                        flow_path=(FlowStep("a", f"A {TOKEN}", "go", "f"),),
                    ),
                ),
            ),
        ),
        (flow,),
    )
    text = html.render(run, [KEY, None])
    assert TOKEN not in text
    assert not re.search(r"eyJ[A-Za-z0-9_-]+\.", text)
    assert KEY not in text
    assert "&lt;b&gt;" in text
    assert "<b><" not in text
    parsed = Page(text)
    assert (
        f"Scenario <b>{REDACTED_JWT}</b> & {REDACTED_SECRET}"
        in parsed.one("li", id="scenario-0-0").text
    )
    assert parsed.all("pre")[0].text == f"Expected {REDACTED_JWT} got {REDACTED_SECRET}"


def test_the_embedded_data_cannot_close_its_script_element() -> None:
    """Names full of </script> leave the page with exactly its own two scripts, and the
    data still parses as JSON."""
    closing = "</script><script>alert(1)</script><!--"
    flow = replace(STEP_UP, id=f"step-up{closing}", name=closing)
    run = report(
        scenario(closing, "passed", tuple(replace(s, flow=flow.id) for s in SIGNED_IN_PATH)),
        flows=(flow,),
    )
    text = html.render(run)
    assert text.count("<script") == 2
    assert text.count("</script>") == 2
    assert len(marks(text)) == 1


def test_the_page_loads_nothing_from_the_network() -> None:
    """No URL, no external stylesheet, script, image or font: it opens from disk offline."""
    text = html.render(RUN)
    assert not re.search(r"https?:|//[a-z0-9.-]+\.[a-z]{2,}/", text, re.IGNORECASE)
    assert not re.search(r"<(link|img|iframe|object|embed)\b", text)
    assert not re.search(r"\bsrc=|@import|@font-face", text)
    assert set(re.findall(r"url\(([^)]*)\)", text)) <= {
        "#arrow-covered",
        "#arrow-uncovered",
        "#arrow-path",
    }


def test_a_run_without_features_or_flows_still_renders() -> None:
    """An empty report is a page saying so, not an error."""
    parsed = page(RunReport())
    assert parsed.all("li", data_status="") == []
    assert "No scenario ran" in parsed.one(id="summary").text


def test_five_thousand_scenarios_render_in_well_under_two_seconds() -> None:
    """The page for 5,000 scenarios over six flows takes well under two seconds and still
    draws six svgs, not one per scenario."""
    flows = tuple(replace(STEP_UP, id=f"flow-{i}", name=f"Flow {i}") for i in range(6))
    scenarios = []
    for i in range(5000):
        flow = flows[i % 6]
        path = tuple(replace(s, flow=flow.id) for s in (SIGNED_IN_PATH, ENROLL_PATH)[i % 2])
        scenarios.append(
            scenario(
                f"scenario {i}",
                "failed" if i % 50 == 0 else "passed",
                path,
                flow_id=flow.id,
                steps=tuple(step(f"step {j} of {i}") for j in range(6)),
            )
        )
    run = RunReport(
        tuple(
            FeatureReport(
                f"Feature {f}", f"features/{f}.feature", 1, scenarios=tuple(scenarios[f::10])
            )
            for f in range(10)
        ),
        flows,
    )
    started = time.perf_counter()
    text = html.render(run)
    elapsed = time.perf_counter() - started
    assert elapsed < 2.0, f"{elapsed:.2f} s"
    assert text.count('<svg class="flow-svg"') == 6
    assert text.count('class="scenario ') == 5000
