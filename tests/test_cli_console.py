"""The flowspec command is main in a process that ends as it returns."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROBE = """
import gc, sys
from flowspec import cli
sys.argv = ["flowspec", "steps", "impersonate"]
code = cli.console()
print("frozen" if gc.get_freeze_count() > 0 else "unfrozen", code)
"""


def test_the_command_answers_as_main_and_freezes_what_is_alive_before_it_ends() -> None:
    """What outlives the command is kept out of the shutdown's collection; the command
    still prints and returns what main does."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=False, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    assert "impersonate" in done.stdout.lower()
    assert done.stdout.rstrip().endswith("\nfrozen 0")


def test_the_installed_command_is_the_console_entry() -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert scripts["scripts"]["flowspec"] == "flowspec.cli:console"
