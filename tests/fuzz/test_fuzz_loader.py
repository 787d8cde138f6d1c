"""Fuzzing the flow loader: any file, however broken, loads or fails as a FlowDefinitionError.

Random documents (JSON values, bytes, YAML-like text) and mutations of real flows (the
Descope exports in ../shared/descope-exports when present, the engine's fixtures and
scenarios/flows/ always), in every shape the loader reads: single-file, v2 and v1
exports, a v1 ``dsl`` written as a string, and a project snapshot folder. Mutations
delete keys, change types, rename keys, swap values, nest a value deeply and cut or
splice the text.
"""

from __future__ import annotations

import copy
import json
import string
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import event, given, settings
from hypothesis import strategies as st

from flowspec.engine.loader import load_flow
from flowspec.errors import FlowDefinitionError

FUZZ = settings.get_profile("flowspec-fuzz")
ROOT = Path(__file__).resolve().parents[2]
SHARED_EXPORTS = ROOT.parent / "shared" / "descope-exports"
FIXTURES = ROOT / "tests" / "engine" / "fixtures"

# The words exports and the shorthand are made of, so that random documents reach past
# the first "not a flow export" check.
VOCABULARY = [
    "flowId",
    "metadata",
    "name",
    "contents",
    "screens",
    "references",
    "flow",
    "id",
    "dsl",
    "startTask",
    "tasks",
    "type",
    "next",
    "rules",
    "interactionId",
    "taskId",
    "action",
    "arguments",
    "value",
    "errorHandlingV2",
    "errorHandlingType",
    "conditions",
    "atomicConditions",
    "target",
    "operator",
    "predicate",
    "screenId",
    "interactions",
    "label",
    "htmlTemplate",
    "props",
    "children",
    "formNoValidate",
    "data-type",
    "custom",
    "subType",
    "resolvedName",
    "required",
    "view",
    "x",
    "y",
    "allInputKeys",
    "inputsMetadata",
    "key",
    "start",
    "automated",
    "screen",
    "condition",
    "description",
    "buttons",
    "inputs",
    "when",
    "then",
    "else",
    "branch",
    "to",
    "provider",
    "validates",
    "component",
    "success",
    "polling",
    "submit",
    "equal",
    "is-true",
    "contains",
    "in",
]
# A number too long for Python's int() (over 4300 digits), written in as text.
BIG = "big-number-9f1c"
KEYS = st.sampled_from(VOCABULARY) | st.text(max_size=8)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.just(BIG)
    | st.floats()
    | st.sampled_from(VOCABULARY)
    | st.text(max_size=20)
)
VALUES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(KEYS, children, max_size=6),
    max_leaves=30,
)
NEST = "nest-here-7f3a"


def json_text(document: Any, nested: Any = None, depth: int = 0) -> str:
    """``document`` as JSON; the string ``NEST`` in it becomes ``nested`` inside ``depth``
    arrays, written as text so that the test itself never recurses that deep, and ``BIG``
    a number of 5000 digits."""
    text = json.dumps(document)
    inner = "[" * depth + json.dumps(nested) + "]" * depth
    return text.replace(json.dumps(NEST), inner).replace(json.dumps(BIG), "7" * 5000)


def yaml_text(document: Any, nested: Any = None, depth: int = 0) -> str:
    """``document`` as block YAML, with ``NEST`` replaced as ``json_text`` does (JSON
    is YAML in flow style)."""
    text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
    inner = "[" * depth + json.dumps(nested) + "]" * depth
    return text.replace(NEST, inner).replace(BIG, "7" * 5000)


def expect_loaded_or_refused(path: Path) -> None:
    """Load ``path``; a refusal must be a FlowDefinitionError naming the file."""
    refusal = loaded_or_refused(path)
    event("loaded" if refusal is None else "refused")
    assert refusal is None or refusal.source.startswith(str(path)), (refusal.source, path)


def loaded_or_refused(path: Path) -> FlowDefinitionError | None:
    """Load ``path``; the refusal, if it is refused."""
    try:
        load_flow(path)
    except FlowDefinitionError as error:
        return error
    return None


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz-loader")


def single_file_exports() -> dict[str, dict[str, Any]]:
    """The real and fixture exports in the single-file shape, by name."""
    paths = [*sorted(SHARED_EXPORTS.glob("*.json")), FIXTURES / "mini-export.json"]
    paths.append(FIXTURES / "shapes" / "social-sign-in.json")
    return {path.name: json.loads(path.read_text(encoding="utf-8")) for path in paths}


def shorthand_flows() -> dict[str, Any]:
    """The YAML shorthand flows of the project and the engine's fixtures, decoded."""
    paths = [*sorted((ROOT / "scenarios" / "flows").glob("*.yaml")), FIXTURES / "step-up.yaml"]
    return {path.name: yaml.safe_load(path.read_text(encoding="utf-8")) for path in paths}


EXPORTS = single_file_exports()
SHORTHAND = shorthand_flows()
SHAPES = ("single", "v2", "v1", "v1-dsl-text", "snapshot")


def reshaped(export: dict[str, Any], shape: str) -> dict[str, Any]:
    """The single-file ``export`` in another shape; a snapshot is {file name: content}."""
    if shape == "single":
        return export
    if shape == "v2":
        return {"flow": export}
    screens = export.get("screens") or []
    if shape == "snapshot":
        files = {
            "contents.json": export["contents"],
            "metadata.json": {**export.get("metadata", {}), "flowId": export["flowId"]},
        }
        files.update({f"screen-{screen['screenId']}.json": screen for screen in screens})
        return files
    contents = export["contents"]
    return {
        "flow": {
            "id": export["flowId"],
            "name": export.get("metadata", {}).get("name", export["flowId"]),
            "dsl": json.dumps(contents) if shape == "v1-dsl-text" else contents,
        },
        "screens": [
            {
                "id": screen["screenId"],
                "interactions": screen.get("interactions"),
                "htmlTemplate": screen.get("contents"),
            }
            for screen in screens
        ],
    }


def node_paths(document: Any) -> list[tuple[Any, ...]]:
    """Every place in ``document`` (the root excluded) as a tuple of keys and indices."""
    found: list[tuple[Any, ...]] = []
    stack: list[tuple[tuple[Any, ...], Any]] = [((), document)]
    while stack:
        path, node = stack.pop()
        if path:
            found.append(path)
        children: Iterator[tuple[Any, Any]] = iter(())
        if isinstance(node, dict):
            children = iter(node.items())
        elif isinstance(node, list):
            children = enumerate(node)
        stack.extend(((*path, key), child) for key, child in children)
    return found


def parent_of(document: Any, path: tuple[Any, ...]) -> Any:
    node = document
    for step in path[:-1]:
        node = node[step]
    return node


MUTATIONS = ("delete", "retype", "rename", "swap", "nest", "copy")


def mutate(data: st.DataObject, document: Any) -> tuple[Any, Any, int]:
    """Apply one to three mutations to a copy of ``document``.

    Returns the mutated document and, for a ``nest`` mutation, the value to nest and how
    deep (the document then holds ``NEST`` where it goes).
    """
    document = copy.deepcopy(document)
    nested, depth = None, 0
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        paths = [path for path in node_paths(document) if NEST not in path]
        if not paths:
            break
        path = data.draw(st.sampled_from(paths), label="at")
        parent, last = parent_of(document, path), path[-1]
        kind = data.draw(st.sampled_from(MUTATIONS), label="mutation")
        if kind == "delete":
            del parent[last]
        elif kind == "retype":
            parent[last] = data.draw(VALUES, label="new value")
        elif kind == "rename" and isinstance(parent, dict):
            parent[data.draw(KEYS, label="new key")] = parent.pop(last)
        elif kind == "swap":
            other = data.draw(st.sampled_from(paths), label="swap with")
            if other[: len(path)] != path and path[: len(other)] != other:
                other_parent = parent_of(document, other)
                parent[last], other_parent[other[-1]] = other_parent[other[-1]], parent[last]
        elif kind == "nest" and depth == 0:
            nested, parent[last] = parent[last], NEST
            depth = data.draw(st.integers(1, 3000), label="depth")
        elif kind == "copy" and isinstance(parent, dict):
            source = data.draw(st.sampled_from(paths), label="copied")
            parent[data.draw(KEYS, label="copy to")] = copy.deepcopy(
                parent_of(document, source)[source[-1]]
            )
    return document, nested, depth


def write_shape(folder: Path, shape: str, document: Any, nested: Any, depth: int) -> Path:
    """Write a (mutated) document of ``shape`` where the loader will read it."""
    if shape != "snapshot":
        path = folder / "flow.json"
        path.write_text(json_text(document, nested, depth), encoding="utf-8")
        return path
    snapshot = folder / "snapshot"
    snapshot.mkdir(exist_ok=True)
    for old in snapshot.iterdir():
        old.unlink()
    if not isinstance(document, dict):
        return snapshot
    for name, content in document.items():
        safe = "".join(c if c.isalnum() or c in "-._" else "_" for c in str(name)) or "_"
        (snapshot / safe).write_text(json_text(content, nested, depth), encoding="utf-8")
    return snapshot


def cut_or_splice(data: st.DataObject, text: str) -> str:
    """Truncate ``text``, drop a slice of it, or insert random characters into it."""
    start = data.draw(st.integers(0, len(text)), label="position")
    kind = data.draw(st.sampled_from(("truncate", "drop", "insert")), label="edit")
    if kind == "truncate":
        return text[:start]
    if kind == "drop":
        end = data.draw(st.integers(start, min(len(text), start + 200)), label="end")
        return text[:start] + text[end:]
    inserted = data.draw(st.text(string.printable + "\u00e9\u2028\ufeff", max_size=12))
    return text[:start] + inserted + text[start:]


# --- random documents --------------------------------------------------------------------


@FUZZ
@given(VALUES)
def test_any_json_document_loads_or_is_refused(folder: Path, document: Any) -> None:
    """A .json file holding any JSON value loads or fails as a FlowDefinitionError."""
    path = folder / "random.json"
    path.write_text(json_text(document), encoding="utf-8")
    expect_loaded_or_refused(path)


EXPORT_LIKE = st.fixed_dictionaries(
    {},
    optional={
        "flowId": SCALARS,
        "metadata": VALUES,
        "contents": st.fixed_dictionaries(
            {},
            optional={
                "startTask": SCALARS,
                "tasks": st.dictionaries(
                    st.sampled_from(("start", "1", "2", "3")) | st.text(max_size=3),
                    st.dictionaries(KEYS, VALUES, max_size=8) | VALUES,
                    max_size=5,
                ),
            },
        ),
        "screens": st.lists(st.dictionaries(KEYS, VALUES, max_size=5), max_size=3) | VALUES,
    },
)


@FUZZ
@given(EXPORT_LIKE, st.sampled_from(SHAPES[:4]))
def test_any_export_shaped_document_loads_or_is_refused(
    folder: Path, export: dict[str, Any], shape: str
) -> None:
    """An export with random fields, in any one-file shape, loads or fails as a
    FlowDefinitionError."""
    document: Any = export
    if shape == "v2":
        document = {"flow": export}
    elif shape.startswith("v1"):
        contents = export.get("contents")
        dsl = json.dumps(contents) if shape == "v1-dsl-text" else contents
        document = {"flow": {"id": export.get("flowId"), "dsl": dsl}, "screens": []}
    path = folder / "shaped.json"
    path.write_text(json_text(document), encoding="utf-8")
    expect_loaded_or_refused(path)


@FUZZ
@given(st.binary(max_size=400), st.sampled_from((".json", ".yaml")))
def test_any_bytes_load_or_are_refused(folder: Path, content: bytes, suffix: str) -> None:
    """Any bytes in a .json or .yaml file load or fail as a FlowDefinitionError."""
    path = folder / f"bytes{suffix}"
    path.write_bytes(content)
    expect_loaded_or_refused(path)


YAML_ALPHABET = string.ascii_letters + string.digits + " \n\t:-[]{},&*!|>'\"#%@`?.\\" + "\u00e9"


@FUZZ
@given(st.text(YAML_ALPHABET, max_size=300))
def test_any_yaml_text_loads_or_is_refused(folder: Path, text: str) -> None:
    """Any text of YAML's punctuation in a .yaml file loads or fails as a
    FlowDefinitionError."""
    path = folder / "random.yaml"
    path.write_text(text, encoding="utf-8")
    expect_loaded_or_refused(path)


@FUZZ
@given(VALUES)
def test_any_yaml_document_loads_or_is_refused(folder: Path, document: Any) -> None:
    """A .yaml file holding any YAML value loads or fails as a FlowDefinitionError."""
    path = folder / "value.yaml"
    path.write_text(yaml_text(document), encoding="utf-8")
    expect_loaded_or_refused(path)


# --- mutations of real flows ------------------------------------------------------------


@FUZZ
@given(st.sampled_from(sorted(EXPORTS)), st.sampled_from(SHAPES), st.data())
def test_a_mutated_export_loads_or_is_refused(
    folder: Path, name: str, shape: str, data: st.DataObject
) -> None:
    """A real export in any shape with keys deleted, renamed or copied, values retyped
    or swapped, or a value nested thousands deep loads or fails as a FlowDefinitionError."""
    document, nested, depth = mutate(data, reshaped(EXPORTS[name], shape))
    expect_loaded_or_refused(write_shape(folder, shape, document, nested, depth))


@FUZZ
@given(st.sampled_from(sorted(EXPORTS)), st.data())
def test_a_cut_or_spliced_export_loads_or_is_refused(
    folder: Path, name: str, data: st.DataObject
) -> None:
    """A real export truncated, with a slice dropped or characters inserted, loads or
    fails as a FlowDefinitionError."""
    path = folder / "spliced.json"
    path.write_text(cut_or_splice(data, json.dumps(EXPORTS[name])), encoding="utf-8")
    expect_loaded_or_refused(path)


@FUZZ
@given(st.sampled_from(sorted(SHORTHAND)), st.data())
def test_a_mutated_shorthand_flow_loads_or_is_refused(
    folder: Path, name: str, data: st.DataObject
) -> None:
    """A YAML shorthand flow with keys deleted, renamed or copied, values retyped or
    swapped, or a value nested thousands deep loads or fails as a FlowDefinitionError."""
    document, nested, depth = mutate(data, SHORTHAND[name])
    path = folder / "mutated.yaml"
    path.write_text(yaml_text(document, nested, depth), encoding="utf-8")
    expect_loaded_or_refused(path)


@FUZZ
@given(st.sampled_from(sorted(SHORTHAND)), st.data())
def test_a_cut_or_spliced_shorthand_flow_loads_or_is_refused(
    folder: Path, name: str, data: st.DataObject
) -> None:
    """A YAML shorthand flow truncated, with a slice dropped or characters inserted,
    loads or fails as a FlowDefinitionError."""
    path = folder / "spliced.yaml"
    text = yaml.safe_dump(SHORTHAND[name], sort_keys=False)
    path.write_text(cut_or_splice(data, text), encoding="utf-8")
    expect_loaded_or_refused(path)
