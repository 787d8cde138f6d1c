"""A real consumer reads flowspec's Cucumber JSON: cucumber-html-reporter, from npm, renders
the file a behave run wrote, as a CI job publishing Cucumber reports would.

The renderer is pinned in ``tests/reporting/js/package.json`` (and its lockfile); the test
installs it with npm when it is missing. Without Node and npm (system packages) the test is
skipped, saying what to install.
"""

from __future__ import annotations

import html
import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
JS = Path(__file__).resolve().parent / "js"


@pytest.fixture(scope="module")
def node(node_package: Callable[[Path, str], str]) -> str:
    """``node``, with the renderer installed beside the script (from the lockfile)."""
    return node_package(JS, "cucumber-html-reporter")


def test_cucumber_html_reporter_renders_every_scenario_and_the_failure(
    node: str, failing_run: Path, tmp_path: Path
) -> None:
    """The renderer exits cleanly and its page names every feature and scenario, and shows
    the failing step's message."""
    cucumber_json = failing_run / "cucumber.json"
    output = tmp_path / "cucumber.html"
    rendered = subprocess.run(
        [node, str(JS / "render.mjs"), str(cucumber_json), str(output)],
        cwd=JS,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert rendered.returncode == 0, rendered.stdout + rendered.stderr
    page = output.read_text(encoding="utf-8")
    features = json.loads(cucumber_json.read_text(encoding="utf-8"))
    for feature in features:
        assert html.escape(feature["name"], quote=False) in page, feature["name"]
        for element in feature["elements"]:
            assert html.escape(element["name"], quote=False) in page, element["name"]
    [failed] = [
        step
        for feature in features
        for element in feature["elements"]
        for step in element["steps"]
        if step["result"]["status"] == "failed"
    ]
    first_line = failed["result"]["error_message"].splitlines()[0]
    assert html.escape(first_line, quote=False) in page
