"""Registering the step library loads none of what the steps do: listing the catalog
starts without the JSONPath, YAML and token machinery, which the first step to need it
loads."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from flowspec.bdd.steps.lazy import on_first_use

HEAVY = ("flowspec.expect", "jsonpath_ng", "yaml", "jwt", "flowspec.engine.world")


def modules_after(code: str) -> set[str]:
    """The modules a new interpreter holds after running ``code``."""
    done = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys\nprint('\\n'.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return set(done.stdout.split())


def test_registering_the_steps_loads_no_machinery_of_theirs() -> None:
    loaded = modules_after("import flowspec.bdd.steps")
    assert "flowspec.bdd.steps.context" in loaded
    assert [name for name in HEAVY if name in loaded] == []


def test_a_step_loads_what_it_needs_when_it_first_runs() -> None:
    loaded = modules_after(
        textwrap.dedent(
            """
            from flowspec.bdd.steps import context
            context.thens.path_equals  # what "Then ... equals ..." calls first
            """
        )
    )
    assert {"flowspec.expect", "jsonpath_ng"} <= loaded


def test_a_module_already_loaded_is_given_as_it_is() -> None:
    assert on_first_use("flowspec.bdd.steps.lazy") is sys.modules["flowspec.bdd.steps.lazy"]


def test_a_module_runs_when_its_first_attribute_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran = tmp_path / "ran"
    code = f"from pathlib import Path\nPath({str(ran)!r}).touch()\nLOADED = True\n"
    (tmp_path / "lazily_loaded_for_test.py").write_text(code, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "lazily_loaded_for_test", raising=False)
    module = on_first_use("lazily_loaded_for_test")
    assert not ran.exists()
    assert module.LOADED is True
    assert ran.exists()
