"""Properties that hold for any JSON-like context hypothesis can build."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from flowspec.expect import check_exists, check_match, escape_markers, find, walk

# Each new path costs jsonpath-ng a parse of several milliseconds, and a document holds
# dozens of new paths: timing examples would measure the parser, not the property.
UNTIMED = settings(deadline=None)

SIMPLE_KEYS = st.from_regex(r"[a-zA-Z][a-zA-Z0-9]*", fullmatch=True)
SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()


def documents(keys: st.SearchStrategy[str], leaves: int = 12) -> st.SearchStrategy[dict[str, Any]]:
    """JSON-like objects with the given keys and up to about ``leaves`` leaves."""
    return st.dictionaries(
        keys,
        st.recursive(
            SCALARS,
            lambda children: (
                st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=4)
            ),
            max_leaves=leaves,
        ),
        max_size=5,
    )


def leaves_of(document: dict[str, Any]) -> list[tuple[str, Any]]:
    """Every (canonical path, value) of the document that is not an object or array."""
    return [(path, value) for path, value in walk(document) if not isinstance(value, dict | list)]


@UNTIMED
@given(documents(SIMPLE_KEYS))
def test_check_match_holds_for_every_leaf(document: dict[str, Any]) -> None:
    """check_match passes for every leaf path and its value, read literally, of any document."""
    for path, value in leaves_of(document):
        check_match(document, path, escape_markers(value))


@UNTIMED
@given(documents(SIMPLE_KEYS))
def test_descendant_wildcard_finds_only_walked_nodes(document: dict[str, Any]) -> None:
    """``$..*`` names each match by the same canonical path walk gives it."""
    walked = dict(walk(document))
    for path, value in find(document, "$..*"):
        assert path in walked
        assert walked[path] == value


# A key that is exactly "*" is left out: jsonpath-ng reads it as the wildcard even quoted.
ANY_KEYS = st.text(max_size=6).filter(lambda key: key != "*")


@settings(deadline=None, max_examples=50)
@given(documents(ANY_KEYS, leaves=6))
def test_canonical_paths_parse_back_to_their_node(document: dict[str, Any]) -> None:
    """Every canonical path, whatever its keys hold, finds exactly the node it names."""
    for path, value in walk(document):
        check_exists(document, path)
        assert find(document, path) == [(path, value)]
