"""Properties of matching any JSON-like context hypothesis can build against itself."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from flowspec.errors import ExpectationFailed
from flowspec.expect import MISSING, check_document, escape_markers, json_equal, match_value
from flowspec.expect.paths import Location, render_path

KEYS = st.from_regex(r"[a-zA-Z][a-zA-Z0-9]*", fullmatch=True)
# Texts may start with "#": the expected side escapes them, as escape_markers promises.
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
    | st.sampled_from(["#string", "##number", "\\#x", "#"])
)
DOCUMENTS = st.dictionaries(
    KEYS,
    st.recursive(
        SCALARS,
        lambda children: (
            st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=4)
        ),
        max_leaves=12,
    ),
    min_size=1,
    max_size=5,
)


def nodes(value: Any, location: Location = ()) -> list[tuple[Location, Any]]:
    """Every node below the root, with its location, in document order."""
    if isinstance(value, dict):
        children: list[tuple[str | int, Any]] = list(value.items())
    elif isinstance(value, list):
        children = list(enumerate(value))
    else:
        return []
    found: list[tuple[Location, Any]] = []
    for step, child in children:
        found.append(((*location, step), child))
        found.extend(nodes(child, (*location, step)))
    return found


def parent_of(document: Any, location: Location) -> Any:
    node = document
    for step in location[:-1]:
        node = node[step]
    return node


def in_array(location: Location) -> bool:
    return any(isinstance(step, int) for step in location)


@given(DOCUMENTS)
def test_a_context_matches_itself(document: dict[str, Any]) -> None:
    """Any context equals and contains itself, used as the expected value."""
    expected = escape_markers(document)
    assert match_value(document, expected) == []
    assert match_value(document, expected, mode="contains") == []
    check_document(document, expected, exact=True)


@given(DOCUMENTS, st.data())
def test_a_changed_value_is_reported_at_its_path(document: dict[str, Any], data: Any) -> None:
    """Replacing any one value is the one mismatch, at its path: always in equals, and in
    contains wherever no array lies on the way (contains ignores item order there)."""
    location, old = data.draw(st.sampled_from(nodes(document)))
    new = data.draw(SCALARS)
    assume(not json_equal(new, old))
    changed = copy.deepcopy(document)
    parent_of(changed, location)[location[-1]] = new
    expected = escape_markers(document)
    path = render_path(location)

    [mismatch] = match_value(changed, expected)
    assert (mismatch.path, mismatch.actual) == (path, new)
    if not in_array(location):
        assert [m.path for m in match_value(changed, expected, mode="contains")] == [path]


@given(DOCUMENTS, st.data())
def test_a_removed_value_is_reported_at_its_path(document: dict[str, Any], data: Any) -> None:
    """Removing a key is reported at that key, as missing; removing an array item is
    reported at the array, whose length changed."""
    location, _ = data.draw(st.sampled_from(nodes(document)))
    removed = copy.deepcopy(document)
    del parent_of(removed, location)[location[-1]]
    expected = escape_markers(document)

    [mismatch] = match_value(removed, expected)
    if isinstance(location[-1], int):
        assert mismatch.path == render_path(location[:-1])
    else:
        assert (mismatch.path, mismatch.actual) == (render_path(location), MISSING)
        if not in_array(location):
            [contained] = match_value(removed, expected, mode="contains")
            assert contained.path == render_path(location)


@given(DOCUMENTS, st.data(), SCALARS)
def test_an_added_key_is_reported_in_exact_mode_only(
    document: dict[str, Any], data: Any, value: Any
) -> None:
    """A key added to any object is the one mismatch of an exact match, and no mismatch
    of a subset match."""
    objects = [((), document)] + [
        (loc, node) for loc, node in nodes(document) if isinstance(node, dict)
    ]
    location, node = data.draw(st.sampled_from(objects))
    key = data.draw(KEYS.filter(lambda key: key not in node))
    added = copy.deepcopy(document)
    target = parent_of(added, (*location, key))
    target[key] = value
    expected = escape_markers(document)

    [mismatch] = match_value(added, expected)
    assert (mismatch.path, mismatch.expected) == (render_path((*location, key)), MISSING)
    assert match_value(added, expected, mode="contains") == []
    with pytest.raises(ExpectationFailed, match=re.escape(render_path((*location, key)))):
        check_document(added, expected, exact=True)
