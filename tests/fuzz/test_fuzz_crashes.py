"""Every crash the fuzzers found, pinned as a plain example: each input once raised an
error of Python's or a library's own (or crashed the interpreter) and now passes, fails
as a check, or is refused as a FlowspecError that says what to do.

The numbers match the list in docs/reliability.md ("Fuzzing").
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from flowspec.bdd.docstrings import parse_doc_string, parse_object
from flowspec.engine.conditions import evaluate
from flowspec.engine.dynamic import MISSING, lookup, text
from flowspec.engine.loader import load_flow
from flowspec.engine.shorthand import parse_shorthand
from flowspec.errors import (
    ExpectationFailed,
    FlowDefinitionError,
    JSONPathSyntaxError,
    SettingsError,
    UnknownNameError,
    WorldError,
)
from flowspec.expect import check_absent, check_count, check_match, check_regex, find
from flowspec.expect.markers import parse_marker

MINI_EXPORT = Path(__file__).parents[1] / "engine" / "fixtures" / "mini-export.json"
HUGE = 10**5000
HUGE_DIGITS = "7" * 5000


def mini_export() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(MINI_EXPORT.read_text(encoding="utf-8"))
    return document


def shorthand_error(text: str) -> str:
    with pytest.raises(FlowDefinitionError) as caught:
        parse_shorthand(text, "flow.yaml", default_id="flow")
    return str(caught.value)


# 1. A JSON number of thousands of digits: int() refused it inside json.loads.
def test_1_a_json_export_with_a_number_too_long_for_python_is_refused(tmp_path: Path) -> None:
    """An export holding a 5000-digit number is refused naming the file and the limit."""
    path = tmp_path / "long-number.json"
    path.write_text(
        MINI_EXPORT.read_text(encoding="utf-8").replace('"x": 0', f'"x": {HUGE_DIGITS}', 1),
        encoding="utf-8",
    )
    with pytest.raises(FlowDefinitionError, match="a number Python cannot read") as caught:
        load_flow(path)
    assert caught.value.source == str(path)
    assert "4300 digits" in caught.value.problem


# 2. Scalars PyYAML's safe constructors raise ValueError, KeyError, IndexError or
# AttributeError for.
@pytest.mark.parametrize(
    ("scalar", "kind"),
    [
        ("2001-02-30", "timestamp"),
        ("!!int abc", "int"),
        ("!!float ''", "float"),
        ("!!bool maybe", "bool"),
        ("!!timestamp x", "timestamp"),
        (HUGE_DIGITS, "int"),
    ],
)
def test_2_a_shorthand_value_yaml_cannot_construct_is_refused_at_its_line(
    scalar: str, kind: str
) -> None:
    """A value YAML's tag cannot build is refused at its line, with how to keep it text."""
    message = shorthand_error(f"tasks:\n  start:\n    action: {scalar}\n")
    assert message.startswith("flow.yaml:3:13: at the YAML text: the value ")
    assert f"cannot be read as {kind}" in message
    assert "quote it to keep it as text" in message


# 3. Nesting: ~1000 levels raised RecursionError (100,000 crashed libyaml's composer;
# see tests/engine/test_engine_bounds.py, which runs that in a process of its own).
def test_3_a_shorthand_flow_nested_a_thousand_deep_is_refused() -> None:
    """1200 nested lists are refused as nested too deep, at the 101st level."""
    message = shorthand_error("tasks: " + "[" * 1200 + "]" * 1200)
    # At the bound's 101st level (column 107), or where libyaml's own limit refuses it,
    # reading ahead on the line (column 1007 from PyYAML 6.0.4 on).
    assert re.match(r"flow\.yaml:1:(107|1007): at the YAML text: the document nests", message)


# 4. json.loads raised RecursionError, in a file and in a v1 export's dsl string.
def test_4_a_v1_dsl_string_nested_too_deep_is_refused(tmp_path: Path) -> None:
    """A v1 export whose dsl string nests 1200 arrays is refused at flow.dsl."""
    export = {"flow": {"id": "deep", "dsl": "[" * 1200 + "]" * 1200}, "screens": []}
    path = tmp_path / "deep-dsl.json"
    path.write_text(json.dumps(export), encoding="utf-8")
    with pytest.raises(FlowDefinitionError, match="the dsl nests arrays and objects") as caught:
        load_flow(path)
    assert caught.value.location == "flow.dsl"


# 5. A task type of the wrong JSON type: `type not in a set` raised TypeError.
def test_5_an_export_task_whose_type_is_an_array_is_refused(tmp_path: Path) -> None:
    """A task whose "type" is an array is refused at that field."""
    export = mini_export()
    export["contents"]["tasks"]["1"]["type"] = ["condition"]
    path = tmp_path / "list-type.json"
    path.write_text(json.dumps(export), encoding="utf-8")
    with pytest.raises(FlowDefinitionError, match="expected a string, found an array") as caught:
        load_flow(path)
    assert caught.value.location == 'contents.tasks["1"].type'


# 6. A shorthand test written as a list: `operator not in OPERATORS` raised TypeError.
def test_6_a_shorthand_test_written_as_a_list_is_refused() -> None:
    """`user.loggedIn: [is-true]` is refused saying what a test looks like."""
    message = shorthand_error(
        "tasks:\n  start:\n    condition:\n      - branch: In\n"
        "        when: {user.loggedIn: [is-true]}\n        then: done\n"
        "  done:\n    action: logged-in\n"
    )
    assert "a test should be an operator, found an array" in message


# 7. text() of a number of over 4300 digits raised ValueError.
def test_7_conditions_on_a_number_too_long_to_print_answer_false() -> None:
    """A 5000-digit number has the string form "" (JavaScript's Infinity), so conditions
    comparing it answer rather than raise."""
    assert text(HUGE) == ""
    assert text({"a": HUGE}) == ""
    assert evaluate("equal", MISSING, HUGE) is True
    assert evaluate("contains", "abc", HUGE) is True
    assert evaluate("greater-than", HUGE, 1) is False


# 8. `matches` with a pattern re.compile refuses by OverflowError or RecursionError.
@pytest.mark.parametrize("pattern", ["a{4294967296}", "(" * 1200 + ")" * 1200])
def test_8_matches_with_a_pattern_python_cannot_compile_is_false(pattern: str) -> None:
    """A repeat count over 2**32 or groups nested 1200 deep make `matches` false."""
    assert evaluate("matches", "aaa", pattern) is False


# 9. A number of over 4300 digits in the context or the expected value: rendering the
# failure raised ValueError.
def test_9_a_number_too_long_to_print_fails_a_check_with_a_readable_message() -> None:
    """A check on a 5000-digit number fails naming its size instead of its digits."""
    with pytest.raises(ExpectationFailed, match=r"a number of 5,001 digits") as caught:
        check_match({"n": HUGE}, "$.n", 1)
    assert len(str(caught.value)) < 1000
    with pytest.raises(WorldError, match=r"a count is a whole number from 0 to .* of 5,001 digits"):
        check_count({"n": []}, "$.n", HUGE)
    with pytest.raises(ExpectationFailed, match=r"got a number \(\"… \(a number of 5,001"):
        check_match({"n": "text"}, "$.n", HUGE, mode="contains")


# 10. A pattern re.compile refuses by OverflowError or RecursionError, in a check.
@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("a{4294967296}", "a repeat count is above 4294967295"),
        ("(" * 1200 + ")" * 1200, "groups are nested too deep for Python's re"),
    ],
)
def test_10_a_check_pattern_python_cannot_compile_is_a_world_error(
    pattern: str, reason: str
) -> None:
    """check_regex and #regex refuse such a pattern as a mistake in the scenario."""
    with pytest.raises(WorldError, match=reason):
        check_regex({"a": "x"}, "$.a", pattern)
    with pytest.raises(WorldError, match=reason):
        check_match({"a": "x"}, "$.a", f"#regex {pattern}")


# 11. Array markers nested 1500 deep raised RecursionError; a length of 5000 digits,
# ValueError.
def test_11_array_markers_nested_too_deep_or_too_long_are_world_errors() -> None:
    """Eleven nested array markers, or a length of 5000 digits, are refused."""
    assert parse_marker("#[] " * 10 + "string").kind == "[]"
    with pytest.raises(WorldError, match="nests more than 10 array markers"):
        parse_marker("#[] " * 1500 + "string")
    with pytest.raises(WorldError, match="a 5,000-digit number of items"):
        check_match({"a": []}, "$.a", f"#[{HUGE_DIGITS}]")


# 12. `parent` at the root: jsonpath-ng selects None, which broke every later step.
def test_12_the_parent_of_the_root_is_nothing() -> None:
    """`` `parent` `` of the root selects nothing; of a key, the object holding it."""
    check_absent({"a": 1}, "$.`parent`")
    check_absent(None, "$.`parent`.user")
    assert find({"a": {"b": 1}}, "$.a.b.`parent`") == [("$.a", {"b": 1})]


# 13. `&` between two paths: jsonpath-ng parses it and raises NotImplementedError.
@pytest.mark.parametrize(("path", "column"), [("$.a & $.b", 4), ("$.a[?(@.x & @.y)]", 10)])
def test_13_an_intersection_of_paths_is_a_syntax_error_at_the_ampersand(
    path: str, column: int
) -> None:
    """`&` between paths is refused with a caret under it and the filter form to use."""
    with pytest.raises(JSONPathSyntaxError, match=r"\[\?\(@\.a == 1 & @\.b == 2\)\]") as caught:
        find({"a": [{"x": 1, "y": 2}], "b": 1}, path)
    assert caught.value.column == column


# 14. A path of a thousand steps raised RecursionError; a 5000-digit index, ValueError.
@pytest.mark.parametrize("path", ["$" + ".a" * 1000, f"$[{HUGE_DIGITS}]"])
def test_14_a_path_longer_than_a_check_reads_is_a_syntax_error(path: str) -> None:
    """A path over 500 characters is refused saying how long it is."""
    with pytest.raises(JSONPathSyntaxError, match="more than the 500 a check reads"):
        find({"a": 1}, path)


# 15. jsonpath-ng's `str()` of a number of over 4300 digits raised ValueError.
def test_15_str_of_a_number_too_long_to_print_is_a_world_error() -> None:
    """`` `str()` `` of a 5000-digit number is refused naming the path."""
    with pytest.raises(WorldError, match=r"\$\.n\.`str\(\)`: jsonpath-ng cannot evaluate"):
        find({"n": HUGE}, "$.n.`str()`")


# 16. Doc strings: scalars YAML cannot build, nesting past Python's recursion limit, and
# dates, sets or bytes in the message about a doc string that is not an object.
@pytest.mark.parametrize(
    ("doc_string", "problem"),
    [
        ("2024-02-30", "cannot be read as timestamp"),
        ("[" * 1200 + "]" * 1200, "nests lists and mappings more than 100 levels"),
        ("a: &a [*a]", "stands inside the node &a"),
    ],
)
def test_16_a_doc_string_yaml_cannot_read_is_a_settings_error(
    doc_string: str, problem: str
) -> None:
    """Such a doc string fails as a SettingsError naming what it was for."""
    with pytest.raises(SettingsError, match=problem) as caught:
        parse_doc_string(doc_string, "claims")
    assert str(caught.value).startswith("the claims doc string ")


@pytest.mark.parametrize(
    ("doc_string", "shown"),
    [("2024-01-01", '"2024-01-01"'), ("!!set {a}", "\"{'a'}\""), ("!!binary aGk=", "\"b'hi'\"")],
)
def test_16_a_doc_string_holding_a_date_set_or_bytes_is_not_an_object(
    doc_string: str, shown: str
) -> None:
    """Where an object is needed, a date, set or bytes is shown as text in the error."""
    with pytest.raises(SettingsError, match="must be an object, got ") as caught:
        parse_object(doc_string, "claims", "{}")
    assert shown in str(caught.value)


# 17. A dotted key with a segment int() refuses: "²" (a digit, but not a decimal one) or
# 5000 digits.
@pytest.mark.parametrize("segment", ["²", HUGE_DIGITS])
def test_17_a_dotted_key_with_a_digit_int_cannot_read_is_missing(segment: str) -> None:
    """Such a segment indexes no list: the key is missing, and conditions answer."""
    assert lookup({"roles": ["a", "b"]}, f"roles.{segment}") is MISSING
    assert lookup({"roles": ["a", "b"]}, "roles.1") == "b"
    assert evaluate("empty", lookup({"roles": ["a"]}, f"roles.{segment}"), None) is True


# 18. NaN equals nothing, itself included: a check on a document that is NaN looked for
# the root's place forever.
def test_18_a_check_on_a_nan_document_ends() -> None:
    """A path that finds nothing in NaN fails at once, in a process of its own so that a
    regression fails this test rather than hanging the run; a NaN in a list is named by
    its own place."""
    program = (
        "import math\n"
        "from flowspec.expect import check_exists, find\n"
        "try:\n    check_exists(math.nan, 'name')\n"
        "except AssertionError as error:\n    print(error)\n"
        "print(find([math.nan], '$[*]'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("$.name: nothing there.\n  context near $:\n  NaN")
    assert done.stdout.endswith("[('$[0]', nan)]\n")


def test_a_doc_string_as_behave_hands_it_over_reads_as_yaml() -> None:
    """behave's doc string is a str subclass, which libyaml's parser alone refuses."""

    class DocString(str):
        """Like behave's doc string: text with more attached."""

    assert parse_object(DocString('{"dct": "acme"}'), "claims", "{}") == {"dct": "acme"}


def test_an_unknown_marker_is_still_named_with_suggestions() -> None:
    """The marker bounds leave the unknown-marker error as it was."""
    with pytest.raises(UnknownNameError, match="#strng"):
        check_match({"a": "x"}, "$.a", "#strng")
