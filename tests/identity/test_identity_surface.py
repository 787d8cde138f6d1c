"""Tests for the public surface of flowspec.identity and its import boundary."""

from __future__ import annotations

import ast
from pathlib import Path

import flowspec
import flowspec.identity

PACKAGE_ROOT = Path(flowspec.__file__).parent


def test_all_is_sorted_and_importable() -> None:
    """The package's __all__ is sorted, and every name in it exists."""
    names = flowspec.identity.__all__
    assert names == sorted(names)
    for name in names:
        assert hasattr(flowspec.identity, name), name


def _imports_jwt(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "jwt" for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "jwt":
            return True
    return False


def test_pyjwt_is_imported_only_by_identity() -> None:
    """No module outside flowspec.identity imports pyjwt, and identity's tokens module does."""
    identity = PACKAGE_ROOT / "identity"
    importers = {path for path in PACKAGE_ROOT.rglob("*.py") if _imports_jwt(path)}
    assert identity / "tokens.py" in importers
    assert {path for path in importers if identity not in path.parents} == set()
