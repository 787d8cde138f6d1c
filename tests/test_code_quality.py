"""The code keeps its promises: ruff clean, strictly typed, layers imported one way down."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "flowspec"

# Which of flowspec's own packages each layer may import (design.md section 2): errors,
# redaction and machine import nothing of ours, so every layer may.
BOTTOM = {"errors", "redaction", "machine"}
ALLOWED = {
    **{name: set() for name in BOTTOM},
    "identity": BOTTOM | {"identity"},
    "expect": BOTTOM | {"expect"},
    "engine": BOTTOM | {"identity", "engine"},
    "reporting": BOTTOM | {"reporting"},
    "bdd": BOTTOM | {"identity", "expect", "engine", "remote", "reporting", "bdd"},
    "serve": BOTTOM | {"identity", "engine", "serve"},
    "remote": BOTTOM | {"identity", "engine", "remote"},
    "cli": BOTTOM | {"identity", "expect", "engine", "bdd", "serve", "remote", "reporting"},
}
# Third-party libraries that only one layer may touch.
OWNED = {
    "jwt": "identity",
    "jsonpath_ng": "expect",
    "behave": "bdd",
    "httpx": "remote",
    "starlette": "serve",
    "uvicorn": "serve",
}
LINTED = ("src", "tests", "steps", "environment.py", "bench")


def layer_of(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def sources() -> list[Path]:
    return [p for p in PACKAGE.rglob("*.py") if p.name != "__init__.py" or p.parent != PACKAGE]


@pytest.mark.parametrize("path", sources(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_each_module_imports_only_the_layers_below_it(path: Path) -> None:
    """No module imports a sibling or a layer above it, and pyjwt, jsonpath-ng and behave
    stay in the one layer that owns each."""
    layer = layer_of(path)
    for module in imported_modules(path):
        top, _, rest = module.partition(".")
        if top == "flowspec":
            target = rest.partition(".")[0]
            assert target in ALLOWED[layer], f"{path.name} ({layer}) imports flowspec.{target}"
        elif top in OWNED:
            owner = OWNED[top]
            assert layer in (owner, "cli"), f"{path.name} ({layer}) imports {top}, owned by {owner}"


def run_tool(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_ruff_finds_nothing_to_fix() -> None:
    """ruff check and ruff format report a clean tree."""
    checked = run_tool("ruff", "check", *LINTED)
    assert checked.returncode == 0, checked.stdout
    formatted = run_tool("ruff", "format", "--check", *LINTED)
    assert formatted.returncode == 0, formatted.stdout


def test_mypy_strict_passes_on_the_package() -> None:
    """mypy --strict (configured in pyproject.toml) finds no issue in src/."""
    result = run_tool("mypy")
    assert result.returncode == 0, result.stdout
