"""Snapshots of the flow context are deep copies: nothing done to the original later,
however deep, reaches them; values that are not plain data are copied too."""

from __future__ import annotations

from collections import OrderedDict
from datetime import UTC, datetime
from typing import Any

import pytest

from flowspec.engine.context import copy_json


def _nested() -> dict[str, Any]:
    return {
        "user": {"name": "Ann", "roles": ["member"], "tenants": [{"id": "T1", "roles": []}]},
        "flags": [True, False, None, 1, 2.5, "text", "\ud800 lone surrogate"],
    }


@pytest.mark.parametrize(
    "odd",
    [datetime(2026, 11, 29, tzinfo=UTC), OrderedDict(a=[1]), {"set": {1, 2}}],
    ids=["datetime", "dict subclass", "set"],
)
def test_a_copy_equals_its_original_and_shares_no_container(odd: object) -> None:
    original = {**_nested(), "odd": odd}
    copied = copy_json(original)
    assert copied == original
    original["user"]["roles"].append("admin")
    original["user"]["tenants"][0]["roles"].append("owner")
    original["flags"].clear()
    assert copied["user"] == {
        "name": "Ann",
        "roles": ["member"],
        "tenants": [{"id": "T1", "roles": []}],
    }
    assert copied["flags"] == _nested()["flags"]


def test_a_copy_keeps_the_order_of_keys() -> None:
    original = {"z": 1, "a": {"y": 2, "b": 3}}
    assert list(copy_json(original)) == ["z", "a"]
    assert list(copy_json(original)["a"]) == ["y", "b"]


def test_a_value_that_is_not_plain_data_is_copied_too() -> None:
    """A value marshal cannot write (a dict subclass holding a list) is still copied."""
    original = {"odd": OrderedDict(items=[1, 2])}
    copied = copy_json(original)
    original["odd"]["items"].append(3)
    assert copied["odd"]["items"] == [1, 2]
    assert type(copied["odd"]) is OrderedDict
