"""The public surface of flowspec.remote and the imports it may make."""

from __future__ import annotations

import ast
from pathlib import Path

import flowspec
import flowspec.remote

PACKAGE_ROOT = Path(flowspec.__file__).parent
REMOTE = PACKAGE_ROOT / "remote"
# design.md section 2: remote sits above engine, identity and errors, beside serve.
MAY_IMPORT = {"errors", "identity", "engine", "remote"}
HTTPX_OWNERS = {"remote", "serve"}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_all_is_sorted_and_importable() -> None:
    """The package's __all__ is sorted, and every name in it exists."""
    names = flowspec.remote.__all__
    assert names == sorted(names)
    for name in names:
        assert hasattr(flowspec.remote, name), name


def test_httpx_is_imported_only_by_remote_and_serve() -> None:
    """httpx stays in the two HTTP layers, and the remote client does import it."""
    importers = {
        path
        for path in PACKAGE_ROOT.rglob("*.py")
        if any(module.partition(".")[0] == "httpx" for module in imports_of(path))
    }
    assert REMOTE / "client.py" in importers
    outside = {
        path for path in importers if path.relative_to(PACKAGE_ROOT).parts[0] not in HTTPX_OWNERS
    }
    assert outside == set()
