"""reports/index.html of a real behave run, in a real headless browser: the drawings
render, the filters hide what they should, selecting a scenario marks its path, it prints
without its controls, and it loads nothing from anywhere.

Leaves a screenshot at reports/index.png of the repository for people to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement

from flowspec.reporting import run_file
from flowspec.reporting.coverage import flow_coverage
from flowspec.reporting.model import RunReport, ScenarioReport

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SCREENSHOT = ROOT / "reports" / "index.png"


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    """Headless Chromium, driven by the system's chromedriver, with no network to reach."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        pytest.skip(f"needs {' and '.join(missing)}: apt-get install chromium chromium-driver")
    options = webdriver.ChromeOptions()
    # Named explicitly, so Selenium Manager never goes looking for a browser online.
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1600,1500",
        "--force-device-scale-factor=1",
        # Every host name fails to resolve: a page that needed the network would break.
        "--host-resolver-rules=MAP * ~NOTFOUND",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium')}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def page(browser: WebDriver, failing_run: Path) -> WebDriver:
    """The run's index.html, open; the browser comes first, so a missing one skips early."""
    browser.get((failing_run / "index.html").as_uri())
    return browser


@pytest.fixture(scope="module")
def report(failing_run: Path) -> RunReport:
    """The same run as the run file tells it: what the page ought to show."""
    return run_file.read(failing_run / "run.json")


def failed_scenario(report: RunReport) -> ScenarioReport:
    [failed] = [s for f in report.features for s in f.scenarios if s.status == "failed"]
    return failed


def scenarios(page: WebDriver) -> list[WebElement]:
    return page.find_elements(By.CSS_SELECTOR, "li.scenario")


def classes(element: WebElement) -> set[str]:
    return set((element.get_attribute("class") or "").split())


def test_the_page_loads_no_resource_and_logs_no_error(page: WebDriver) -> None:
    """Nothing but the file itself was fetched, and the console holds no error."""
    fetched = page.execute_script("return performance.getEntriesByType('resource').length")
    assert fetched == 0
    errors = [entry for entry in page.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []


def test_every_flow_is_drawn_with_visible_nodes(page: WebDriver, report: RunReport) -> None:
    """One drawing per flow of the test world, each node of it with a real size."""
    drawings = page.find_elements(By.CSS_SELECTOR, "svg[data-flow]")
    assert [d.get_attribute("data-flow") for d in drawings] == [f.id for f in report.flows]
    for drawing, flow in zip(drawings, report.flows, strict=True):
        nodes = drawing.find_elements(By.CSS_SELECTOR, "[data-node]")
        assert len(nodes) == len(flow.nodes)
        for node in nodes:
            box = page.execute_script("return arguments[0].getBBox()", node)
            assert box["width"] > 0, node.get_attribute("data-node")
            assert box["height"] > 0, node.get_attribute("data-node")


def test_the_status_filter_hides_passed_scenarios(page: WebDriver) -> None:
    """Unpressing "passed" hides every passed scenario and keeps the failed one; pressing it
    again brings them back."""
    toggle = page.find_element(By.CSS_SELECTOR, 'button[data-status-filter="passed"]')
    toggle.click()
    try:
        shown = {s.get_attribute("data-status"): s.is_displayed() for s in scenarios(page)}
        visible = [s for s in scenarios(page) if s.is_displayed()]
        assert [s.get_attribute("data-status") for s in visible] == ["failed"]
        assert shown["passed"] is False
        assert "Showing 1 of" in page.find_element(By.ID, "shown").text
    finally:
        toggle.click()
    assert all(s.is_displayed() for s in scenarios(page))


def test_search_narrows_the_list_to_matching_scenarios(page: WebDriver) -> None:
    """Typing a scenario's words shows only the scenarios holding them; clearing the search
    shows all again."""
    search = page.find_element(By.ID, "search")
    search.send_keys("impersonate a member of their tenant")
    try:
        visible = [s for s in scenarios(page) if s.is_displayed()]
        assert len(visible) == 1
        assert "impersonate a member of their tenant" in visible[0].text
    finally:
        # clear() fires no input event; deleting what was typed does.
        search.send_keys(Keys.CONTROL, "a")
        search.send_keys(Keys.BACKSPACE)
    assert all(s.is_displayed() for s in scenarios(page))


def test_a_tag_filter_keeps_only_scenarios_with_the_tag(page: WebDriver) -> None:
    """Pressing @local leaves exactly the scenarios that carry it, their feature's included."""
    toggle = page.find_element(By.CSS_SELECTOR, 'button[data-tag-filter="local"]')
    toggle.click()
    try:
        for scenario in scenarios(page):
            tagged = "local" in (scenario.get_attribute("data-tags") or "").split()
            assert scenario.is_displayed() == tagged
        assert any(s.is_displayed() for s in scenarios(page))
        assert not all(s.is_displayed() for s in scenarios(page))
    finally:
        toggle.click()
    assert all(s.is_displayed() for s in scenarios(page))


def test_selecting_a_scenario_marks_its_path_on_its_flow(
    page: WebDriver, report: RunReport
) -> None:
    """Clicking the failed scenario keeps it open on its error and marks exactly the tasks
    and rules its path took, on its flow's drawing and no other."""
    failed = failed_scenario(report)
    element = page.find_element(By.CSS_SELECTOR, 'li.scenario[data-status="failed"]')
    assert element.get_attribute("data-flow") == failed.flow_id
    element.find_element(By.CSS_SELECTOR, ".scenario-head .name").click()

    assert "selected" in classes(element)
    error = element.find_element(By.CSS_SELECTOR, "pre.error")
    assert error.is_displayed()
    assert 'expected "U2gina"' in error.text
    for flow in report.flows:
        drawing = page.find_element(By.CSS_SELECTOR, f'svg[data-flow="{flow.id}"]')
        taken = flow_coverage(flow, [failed.flow_path])
        marked = {
            n.get_attribute("data-node")
            for n in drawing.find_elements(By.CSS_SELECTOR, "[data-node].on-path")
        }
        marked_edges = {
            int(e.get_attribute("data-edge") or -1)
            for e in drawing.find_elements(By.CSS_SELECTOR, "[data-edge].on-path")
        }
        assert marked == set(taken.tasks), flow.id
        assert marked_edges == {i for i, e in enumerate(flow.edges) if e in taken.edges}
        assert ("has-path" in classes(drawing)) == (flow.id == failed.flow_id)
        if flow.id == failed.flow_id:
            assert len(marked) >= 5  # the run went from the start through to the end
            assert "End" in marked


def test_a_scenarios_flow_link_leads_to_its_drawing(page: WebDriver, report: RunReport) -> None:
    """The link names the flow and targets the section that holds its drawing."""
    failed = failed_scenario(report)
    element = page.find_element(By.CSS_SELECTOR, 'li.scenario[data-status="failed"]')
    link = element.find_element(By.CSS_SELECTOR, "a.flow-link")
    target = page.find_element(By.ID, (link.get_attribute("hash") or "#").lstrip("#"))
    assert target.find_element(By.CSS_SELECTOR, "svg").get_attribute("data-flow") == failed.flow_id


def test_a_link_to_a_scenario_opens_the_page_on_it(page: WebDriver, failing_run: Path) -> None:
    """Loading index.html#<scenario id> selects that scenario, opens it and marks its path,
    so a link in a chat or a CI comment points at one scenario."""
    element = page.find_element(By.CSS_SELECTOR, 'li.scenario[data-status="failed"]')
    target = element.get_attribute("id")
    page.get("about:blank")
    page.get(f"{(failing_run / 'index.html').as_uri()}#{target}")
    reloaded = page.find_element(By.ID, str(target))
    assert {"selected", "open"} <= classes(reloaded)
    assert page.find_elements(By.CSS_SELECTOR, "[data-node].on-path")


def test_the_print_view_drops_the_controls_and_expands_everything(page: WebDriver) -> None:
    """Under print media the toolbar is gone, every scenario's steps show, and the page
    background is white."""
    page.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        assert not page.find_element(By.ID, "toolbar").is_displayed()
        bodies = page.find_elements(By.CSS_SELECTOR, ".scenario-body")
        assert all(body.is_displayed() for body in bodies)
        background = page.execute_script("return getComputedStyle(document.body).backgroundColor")
        assert background in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)")
    finally:
        page.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


def test_a_screenshot_shows_the_failed_scenario_on_its_flow(page: WebDriver) -> None:
    """Leaves reports/index.png: the failed scenario selected and open on its error, its
    path marked on the drawing beside it. (Last in the file: pytest runs it after the
    other tests have used the page.)"""
    element = page.find_element(By.CSS_SELECTOR, 'li.scenario[data-status="failed"]')
    if "selected" not in classes(element):
        element.find_element(By.CSS_SELECTOR, ".scenario-head .name").click()
    assert "open" in classes(element)
    page.execute_script("window.scrollTo(0, 0)")
    SCREENSHOT.parent.mkdir(exist_ok=True)
    assert page.save_screenshot(str(SCREENSHOT))
    assert SCREENSHOT.stat().st_size > 10_000
