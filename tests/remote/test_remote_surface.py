"""The public surface of flowspec.remote (its imports are checked with every layer's, in
tests/test_code_quality.py)."""

from __future__ import annotations

import flowspec.remote


def test_all_is_sorted_and_importable() -> None:
    """The package's __all__ is sorted, and every name in it exists."""
    names = flowspec.remote.__all__
    assert names == sorted(names)
    for name in names:
        assert hasattr(flowspec.remote, name), name
