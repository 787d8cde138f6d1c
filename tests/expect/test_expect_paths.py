"""Compiling, finding and suggesting JSONPath expressions over a flow context."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from flowspec.errors import JSONPathSyntaxError, WorldError
from flowspec.expect import compile_path, context_of, find, nearest_paths, rooted, walk

CONTEXT: dict[str, Any] = {
    "flow": {
        "status": "completed",
        "path": [{"id": "t1", "name": "Start"}, {"id": "t2", "name": "Login"}],
    },
    "user": {"loggedIn": True, "email": "ada@acme.test", "roles": ["admin", "viewer"]},
    "form": {"a b": 1, "where": 2, "trueName": 3, "it's": 4, "": 5},
    "error": None,
}


def test_compile_path_returns_the_cached_object_for_the_same_text() -> None:
    """Compiling the same expression twice returns the identical compiled object."""
    assert compile_path("$.user.loggedIn") is compile_path("$.user.loggedIn")


def test_compile_path_cache_is_keyed_by_text() -> None:
    """Different expressions compile to different objects."""
    assert compile_path("$.user.email") is not compile_path("$.user.loggedIn")


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("user.loggedIn", "$.user.loggedIn"),
        ("[0]", "$[0]"),
        ("$.user", "$.user"),
        ("$", "$"),
        ("  user", "$.  user"),
    ],
    ids=["key", "bracket", "rooted", "root", "leading-space"],
)
def test_rooted_adds_the_root_only_when_missing(written: str, meant: str) -> None:
    """A path without ``$`` is read from the root; a rooted path is left as written."""
    assert rooted(written) == meant


def test_dollarless_path_finds_what_the_rooted_path_finds() -> None:
    """``user.loggedIn`` means ``$.user.loggedIn``."""
    assert (
        find(CONTEXT, "user.loggedIn")
        == find(CONTEXT, "$.user.loggedIn")
        == [("$.user.loggedIn", True)]
    )


@pytest.mark.parametrize(
    ("expression", "column", "reason"),
    [
        ("$.user.[", 8, "ends before it is complete"),
        ("$..", 3, "ends before it is complete"),
        ("$.a[?(@.b ==]", 12, "unexpected ']'"),
        ("$.a b", 4, "unexpected 'b'"),
        ("$.user.loggedIn)", 15, "unexpected ')'"),
        ("$.a #", 4, "unexpected character '#'"),
        ("$.a.'b", 4, "quote is never closed"),
        ("$.a 'b c'", 4, "unexpected 'b c'"),
        ("$.a.`foo`", 4, "unknown operator `foo`"),
        ("$.a.`split(a)`", 4, "malformed operator `split(a)`"),
        ("$.a.`sub(/(/, x)`", 10, "bad regular expression"),
        ("$.form.where", 7, "'where' is a reserved word"),
        ("$.form.trueName", 7, "'trueName' reads as a boolean"),
        ("user.a b", 7, "unexpected 'b'"),
        ("user.", 5, "ends before it is complete"),
        ("", 0, "the path is empty"),
        ("$.a\n]", 4, "unexpected ']'"),
    ],
    ids=[
        "dangling-bracket",
        "dangling-descent",
        "filter-without-value",
        "two-names",
        "stray-paren",
        "bad-character",
        "unclosed-quote",
        "quoted-after-space",
        "unknown-operator",
        "malformed-operator",
        "bad-regex",
        "reserved-word",
        "boolean-prefix",
        "dollarless-shifted",
        "dollarless-trailing-dot",
        "empty",
        "second-line",
    ],
)
def test_malformed_path_reports_column_and_reason(
    expression: str, column: int, reason: str
) -> None:
    """A malformed path raises JSONPathSyntaxError at the offending column, with a reason."""
    with pytest.raises(JSONPathSyntaxError) as raised:
        compile_path(expression)
    assert raised.value.column == column
    assert reason in raised.value.reason
    assert raised.value.expression == expression


@pytest.mark.parametrize(
    ("expression", "under_caret"),
    [
        ("$.a[?(@.b ==]", "]"),
        ("$.a b", "b"),
        ("user.a b", "b"),
        ("$.a.'b", "'"),
        ("$.a.`foo`", "`"),
        ("$.form.where", "w"),
        ("$.user.[", ""),
    ],
    ids=["filter", "two-names", "dollarless", "quote", "operator", "reserved", "at-end"],
)
def test_caret_lines_up_under_the_offending_character(expression: str, under_caret: str) -> None:
    """The caret line of the message points at the offending character of the path."""
    with pytest.raises(JSONPathSyntaxError) as raised:
        compile_path(expression)
    lines = str(raised.value).splitlines()
    shown, caret = lines[1], lines[2]
    assert shown.strip() == expression
    assert caret.strip() == "^"
    assert shown[caret.index("^") : caret.index("^") + 1] == under_caret


def test_bad_regex_in_a_filter_is_a_syntax_error_when_evaluated() -> None:
    """A filter's regular expression compiles only on use; a bad one points at itself."""
    expression = '$.flow.path[?(@.name =~ "(")]'
    with pytest.raises(JSONPathSyntaxError) as raised:
        find(CONTEXT, expression)
    assert expression[raised.value.column] == "("
    assert raised.value.column == expression.index('"(') + 1


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("$.user.loggedIn", [("$.user.loggedIn", True)]),
        ("$.user.roles[0]", [("$.user.roles[0]", "admin")]),
        ("$.user.roles[-1]", [("$.user.roles[1]", "viewer")]),
        (
            "$.flow.path[*].name",
            [("$.flow.path[0].name", "Start"), ("$.flow.path[1].name", "Login")],
        ),
        ("$.flow.path[?(@.id == 't2')].name", [("$.flow.path[1].name", "Login")]),
        ("$.flow..name", [("$.flow.path[0].name", "Start"), ("$.flow.path[1].name", "Login")]),
        ("$.form['a b']", [("$.form['a b']", 1)]),
        ("$.form['where']", [("$.form['where']", 2)]),
        ("$.form['trueName']", [("$.form['trueName']", 3)]),
        ('$.form["it\'s"]', [("$.form['it\\'s']", 4)]),
        ("$.form['']", [("$.form['']", 5)]),
        ("$.error", [("$.error", None)]),
        ("$.user.phone", []),
        ("$.user.roles[7]", []),
        ("$.user.roles.`len`", [("$.user.roles.`len`", 2)]),
    ],
    ids=[
        "key",
        "index",
        "negative-index",
        "wildcard",
        "filter",
        "descendants",
        "spaced-key",
        "reserved-key",
        "boolean-prefixed-key",
        "quote-in-key",
        "empty-key",
        "null-value",
        "missing-key",
        "missing-index",
        "computed-value",
    ],
)
def test_find_names_each_match_by_its_canonical_path(
    expression: str, expected: list[tuple[str, Any]]
) -> None:
    """find returns every match as (canonical path, value); computed values keep the path."""
    assert find(CONTEXT, expression) == expected


@pytest.mark.parametrize(
    "expression",
    ["$.user[0]", "$.user.loggedIn[0]", "$.flow.path[*][0]", "$.error[0]", "$.error[*]"],
    ids=["object", "boolean", "nested", "null-index", "null-slice"],
)
def test_index_into_a_non_array_selects_nothing(expression: str) -> None:
    """An index applied to an object, boolean or null selects nothing instead of crashing."""
    assert find(CONTEXT, expression) == []


def test_index_skips_non_arrays_but_keeps_other_matches() -> None:
    """A wildcard index keeps the matches of arrays when some siblings are not arrays."""
    document = {"a": {"x": [10], "y": 3, "z": {"k": 1}}}
    assert find(document, "$.a.*[0]") == [("$.a.x[0]", 10)]


def test_filter_over_an_object_leaves_the_document_unchanged() -> None:
    """jsonpath-ng's filter over an object must not rewrite the caller's document."""
    document = {"a": {"x": 1, "y": 2}}
    before = copy.deepcopy(document)
    assert find(document, "$.a[?(@ > 1)]") == [("$.a.y", 2)]
    assert document == before


def test_filter_comparing_unlike_values_is_a_world_error() -> None:
    """A filter jsonpath-ng cannot evaluate raises a WorldError naming the path."""
    document = {"items": [{"n": None}, {"n": 3}]}
    with pytest.raises(WorldError, match=r"\$\.items\[\?\(@\.n > 1\)\]: jsonpath-ng cannot"):
        find(document, "$.items[?(@.n > 1)]")


def test_walk_yields_every_node_root_first_in_canonical_form() -> None:
    """walk names the root, every inner node and every leaf."""
    document = {"a": [1, {"b c": None}], "where": {}}
    assert list(walk(document)) == [
        ("$", document),
        ("$.a", document["a"]),
        ("$.a[0]", 1),
        ("$.a[1]", {"b c": None}),
        ("$.a[1]['b c']", None),
        ("$['where']", {}),
    ]


@pytest.mark.parametrize(
    ("expression", "suggested"),
    [
        ("$.user.loggedin", ["$.user.loggedIn"]),
        ("user.logedIn", ["$.user.loggedIn"]),
        ("$.usr.email", ["$.user.email"]),
        ("$.user.role", ["$.user.roles"]),
        ("$.flow.stauts", ["$.flow.status"]),
        ("$.user.phone", []),
        ("$.nothing.like.it", []),
    ],
    ids=["case", "typo", "parent-typo", "plural", "transposed", "unrelated", "far"],
)
def test_nearest_paths_suggests_existing_lookalikes(expression: str, suggested: list[str]) -> None:
    """nearest_paths offers existing paths that look like a typo, and nothing for unrelated keys."""
    assert nearest_paths(CONTEXT, expression)[: len(suggested) or None] == suggested


def test_nearest_paths_respects_the_limit() -> None:
    """nearest_paths returns at most ``limit`` suggestions."""
    document = {"item1": 1, "item2": 2, "item3": 3, "item4": 4}
    assert len(nearest_paths(document, "$.item", limit=2)) == 2


@pytest.mark.parametrize(
    ("expression", "where"),
    [
        ("$.user.loggedIn", "$.user"),
        ("$.flow.path[*].name", "$.flow.path"),
        ("$.flow.path[1].name", "$.flow.path[1]"),
        ("$.user.phone", "$.user"),
        ("$.user.address.city", "$.user"),
        ("$.nothing.at.all", "$"),
        ("$", "$"),
        ("$.user.roles.`len`", "$.user.roles"),
    ],
    ids=[
        "parent",
        "common-parent",
        "indexed-parent",
        "missing-leaf",
        "missing-branch",
        "missing-top",
        "root",
        "computed",
    ],
)
def test_context_of_is_the_parent_or_the_nearest_existing_ancestor(
    expression: str, where: str
) -> None:
    """context_of shows the parent of the matches, or the nearest ancestor that exists."""
    path, value = context_of(CONTEXT, expression)
    assert path == where
    assert find(CONTEXT, where) == [(where, value)]
