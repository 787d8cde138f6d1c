"""Bounded input: flow files above their size limit, YAML aliases that explode and
documents nested too deep are refused with a clear FlowDefinitionError, never a crash."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from flowspec.engine.bounds import (
    MAX_ALIAS_NODES,
    MAX_NESTING,
    BoundExceeded,
    load_yaml,
    too_deep,
)
from flowspec.engine.loader import MAX_JSON_FLOW_BYTES, MAX_YAML_FLOW_BYTES, load_flow
from flowspec.engine.shorthand import parse_shorthand
from flowspec.errors import FlowDefinitionError

MINI_EXPORT = Path(__file__).parent / "fixtures" / "mini-export.json"
SHORT_FLOW = """\
tasks:
  start:
    action: loadUser
    next: done
  done:
    action: logged-in
"""


def refusal(path: Path) -> FlowDefinitionError:
    with pytest.raises(FlowDefinitionError) as caught:
        load_flow(path)
    return caught.value


def laughs(levels: int, fanout: int = 10) -> str:
    """A "billion laughs" mapping: each anchor aliases the one before ``fanout`` times."""
    lines = [f"l0: &l0 [{', '.join(['lol'] * fanout)}]"]
    lines += [
        f"l{level}: &l{level} [{', '.join([f'*l{level - 1}'] * fanout)}]"
        for level in range(1, levels + 1)
    ]
    return "\n".join(lines)


def flow_with_arguments(arguments: str) -> str:
    """A shorthand flow whose first task's arguments are the YAML ``arguments``."""
    return SHORT_FLOW.replace(
        "    next: done\n",
        f"    arguments:\n{textwrap.indent(arguments, '      ')}\n    next: done\n",
        1,
    )


# --- the size of a flow file -------------------------------------------------------------


def test_a_json_flow_file_above_the_limit_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    """A .json file one byte over 5 MiB is refused naming the file, its size and the limit;
    it is not JSON at all, so the refusal came before any parsing."""
    path = tmp_path / "huge.json"
    path.write_bytes(b"{" + b" " * MAX_JSON_FLOW_BYTES)
    error = refusal(path)
    assert error.source == str(path)
    assert "5.0 MiB (5,242,881 bytes)" in str(error)
    assert "more than the 5.0 MiB (5,242,880 bytes) a JSON flow file may hold" in str(error)


def test_a_json_flow_file_at_the_limit_loads(tmp_path: Path) -> None:
    """An export padded with spaces to exactly 5 MiB still loads."""
    text = MINI_EXPORT.read_text(encoding="utf-8")
    path = tmp_path / "padded.json"
    path.write_text(text + " " * (MAX_JSON_FLOW_BYTES - len(text.encode())), encoding="utf-8")
    assert path.stat().st_size == MAX_JSON_FLOW_BYTES
    assert load_flow(path).id == "mini-step-up"


def test_a_yaml_flow_file_above_its_lower_limit_is_refused(tmp_path: Path) -> None:
    """A .yaml file over 1 MiB is refused as the YAML limit, not the JSON one."""
    path = tmp_path / "huge.yaml"
    path.write_text(SHORT_FLOW + "#" * MAX_YAML_FLOW_BYTES, encoding="utf-8")
    error = refusal(path)
    assert error.source == str(path)
    assert "more than the 1.0 MiB (1,048,576 bytes) a YAML flow file may hold" in str(error)


def test_a_snapshot_folder_is_limited_by_all_its_files_together(tmp_path: Path) -> None:
    """A snapshot folder whose files add up to more than 5 MiB is refused naming the
    folder, even though each file alone is under the limit."""
    export = json.loads(MINI_EXPORT.read_text(encoding="utf-8"))
    folder = tmp_path / "mini-step-up"
    folder.mkdir()
    (folder / "contents.json").write_text(json.dumps(export["contents"]), encoding="utf-8")
    (folder / "metadata.json").write_text(json.dumps(export["metadata"]), encoding="utf-8")
    for name in ("a", "b"):
        design = {"screenId": name, "padding": " " * (MAX_JSON_FLOW_BYTES // 2)}
        (folder / f"screen-{name}.json").write_text(json.dumps(design), encoding="utf-8")
    error = refusal(folder)
    assert error.source == str(folder)
    assert "its 4 files hold 5.0 MiB" in str(error)


# --- YAML aliases -------------------------------------------------------------------------


def test_a_billion_laughs_flow_is_refused_quickly_at_the_alias_that_overflows() -> None:
    """Nine layers of ten aliases (a billion nodes) are refused within a second, at the
    line of the alias that passes 100,000 repeated nodes, with what to do."""
    text = flow_with_arguments(laughs(9))
    started = time.monotonic()
    with pytest.raises(FlowDefinitionError) as caught:
        parse_shorthand(text, "laughs.yaml", default_id="laughs")
    assert time.monotonic() - started < 1
    message = str(caught.value)
    assert message.startswith("laughs.yaml:9:")
    assert f"the aliases repeat more than {MAX_ALIAS_NODES:,} nodes in all" in message
    assert "Write the repeated parts out, or use fewer aliases" in message


def test_an_alias_inside_the_node_it_names_is_refused() -> None:
    """``&a [*a]`` would build an endless document and is refused as such."""
    with pytest.raises(FlowDefinitionError, match=r"the alias \*a stands inside the node &a"):
        parse_shorthand(flow_with_arguments("loop: &a [*a]"), "loop.yaml", default_id="loop")


def test_aliases_that_share_a_few_nodes_still_compile() -> None:
    """An anchor reused a few times, as a hand-written flow might, compiles as before."""
    flow = parse_shorthand(
        flow_with_arguments("shared: &s {a: 1, b: [1, 2, 3]}\nagain: *s\nonce more: *s"),
        "shared.yaml",
        default_id="shared",
    )
    assert flow.tasks["start"].arguments["again"] == {"a": 1, "b": [1, 2, 3]}


def test_aliases_are_counted_by_the_size_of_what_they_repeat() -> None:
    """Three layers of ten aliases (12,330 nodes repeated) load; four (123,440) do not."""
    assert load_yaml(laughs(3))["l3"][9][9][9][9] == "lol"
    with pytest.raises(BoundExceeded, match="the aliases repeat more than"):
        load_yaml(laughs(4))


# --- nesting ------------------------------------------------------------------------------


def test_yaml_nested_to_the_limit_loads_and_one_level_deeper_does_not() -> None:
    """100 levels of nested lists load; 101 are refused at the list that goes too deep."""
    assert too_deep(load_yaml("[" * MAX_NESTING + "]" * MAX_NESTING)) is None
    with pytest.raises(BoundExceeded, match="more than 100 levels deep") as caught:
        load_yaml("[" * (MAX_NESTING + 1) + "]" * (MAX_NESTING + 1))
    assert "column 101" in str(caught.value)


def test_a_yaml_flow_nested_a_hundred_thousand_deep_is_refused_without_a_crash(
    tmp_path: Path,
) -> None:
    """libyaml's composer recurses in C: 100,000 nested lists crashed the interpreter.
    In a process of its own, loading such a flow now ends in a FlowDefinitionError at the
    101st level (the top-level mapping is the first)."""
    path = tmp_path / "deep.yaml"
    path.write_text("tasks: " + "[" * 100_000 + "]" * 100_000, encoding="utf-8")
    program = (
        "import sys; from pathlib import Path\n"
        "from flowspec.engine.loader import load_flow\n"
        "from flowspec.errors import FlowDefinitionError\n"
        "try:\n    load_flow(Path(sys.argv[1]))\n"
        "except FlowDefinitionError as error:\n    print(error)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    # The column is where the refusal came: the bound's, at the 101st level (107), or
    # libyaml's own limit, reading ahead on the line (1007 from PyYAML 6.0.4 on).
    assert re.search(
        rf"{re.escape(str(path))}:1:(107|1007): at the YAML text: the document nests lists",
        done.stdout,
    ), done.stdout
    assert "Flatten it" in done.stdout


def test_json_nested_past_the_limit_is_refused_naming_where(tmp_path: Path) -> None:
    """An export whose arguments nest 150 levels is refused at the first node too deep."""
    export: dict[str, Any] = json.loads(MINI_EXPORT.read_text(encoding="utf-8"))
    deep: Any = "x"
    for _ in range(150):
        deep = [deep]
    export["contents"]["tasks"]["start"]["arguments"] = {"deep": deep}
    path = tmp_path / "deep.json"
    path.write_text(json.dumps(export), encoding="utf-8")
    error = refusal(path)
    assert error.location.startswith("contents.tasks.start.arguments.deep[0][0]")
    assert "nests arrays and objects more than 100 levels deep" in error.problem


def test_json_nested_past_pythons_recursion_limit_is_refused(tmp_path: Path) -> None:
    """20,000 nested arrays, where json.loads gives up with a RecursionError, are refused
    as nested too deep."""
    path = tmp_path / "deeper.json"
    path.write_text("[" * 20_000 + "]" * 20_000, encoding="utf-8")
    error = refusal(path)
    assert (error.source, error.location) == (str(path), "the JSON text")
    assert "more than 100 levels deep" in error.problem
