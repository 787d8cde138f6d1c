"""Every shape a Descope flow export comes in loads into the same flow model."""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from flowspec.engine.loader import load_flow, load_flows
from flowspec.engine.model import Flow, Interaction, ScreenInput
from flowspec.errors import FlowDefinitionError

SHAPES = Path(__file__).parent / "fixtures" / "shapes"
SINGLE = SHAPES / "social-sign-in.json"
V2 = SHAPES / "social-sign-in-v2.json"
V1 = SHAPES / "social-sign-in-v1.json"
SNAPSHOT = SHAPES / "snapshot" / "social-sign-in"
CORPUS = Path(__file__).resolve().parents[3] / "shared" / "descope-exports"
CORPUS_NAMES = sorted(path.name for path in CORPUS.glob("*.json"))

Document = dict[str, Any]


def read_json(path: Path) -> Document:
    document: Document = json.loads(path.read_text(encoding="utf-8"))
    return document


def write_json(path: Path, document: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return path


def load_error(path: Path) -> str:
    with pytest.raises(FlowDefinitionError) as caught:
        load_flow(path)
    return str(caught.value)


def as_snapshot(document: Document, flows: Path) -> Path:
    """Write a single-file export as the folder a project snapshot keeps the flow in."""
    folder = flows / document["flowId"]
    screens = document.get("screens", [])
    metadata = {
        **document.get("metadata", {}),
        "screens": sorted(screen["screenId"] for screen in screens),
        "references": document.get("references", {}),
    }
    write_json(folder / "metadata.json", metadata)
    write_json(folder / "contents.json", document["contents"])
    for screen in screens:
        write_json(folder / f"screen-{screen['screenId']}.json", screen)
    return folder


def as_v1(document: Document, dsl_as_text: bool = False) -> Document:
    """Rewrite a single-file export as the older v1 export with a ``dsl``."""
    contents = document["contents"]
    return {
        "flow": {
            "id": document["flowId"],
            "version": 1,
            "name": document.get("metadata", {}).get("name", document["flowId"]),
            "dsl": json.dumps(contents) if dsl_as_text else contents,
            "disabled": False,
        },
        "screens": [
            {
                "id": screen["screenId"],
                "flowId": document["flowId"],
                "interactions": screen.get("interactions", []),
                "htmlTemplate": screen.get("contents", {}),
            }
            for screen in document.get("screens", [])
        ],
    }


def same_flow_elsewhere(flow: Flow, expected: Flow) -> None:
    assert replace(flow, source=expected.source) == expected


@pytest.fixture(scope="module")
def single() -> Flow:
    return load_flow(SINGLE)


@pytest.fixture
def snapshot_copy(tmp_path: Path) -> Path:
    """A writable copy of the snapshot fixture folder."""
    return Path(shutil.copytree(SNAPSHOT, tmp_path / "flows" / SNAPSHOT.name))


# --- one flow, every shape ----------------------------------------------------------------


def test_single_file_fixture_reads_its_screens(single: Flow) -> None:
    """The single-file fixture keeps its id, name, start and seven tasks."""
    assert (single.id, single.name, single.start_task) == ("social-sign-in", "Social sign-in", "1")
    assert sorted(single.tasks) == ["1", "2", "3", "4", "5", "6", "start"]


@pytest.mark.parametrize("path", [V2, V1, SNAPSHOT], ids=["v2-response", "v1-dsl", "snapshot"])
def test_every_shape_of_the_fixture_gives_the_same_flow(single: Flow, path: Path) -> None:
    """The v2 response, the v1 export and the snapshot folder compile to the single file's flow."""
    flow = load_flow(path)
    assert flow.source == str(path)
    same_flow_elsewhere(flow, single)


def test_v1_dsl_written_as_json_text_is_read(tmp_path: Path, single: Flow) -> None:
    """A v1 ``dsl`` holding the contents as a JSON string reads like the object."""
    document = read_json(V1)
    document["flow"]["dsl"] = json.dumps(document["flow"]["dsl"])
    same_flow_elsewhere(load_flow(write_json(tmp_path / "text.json", document)), single)


def test_v1_screens_written_like_current_screens_are_read(tmp_path: Path, single: Flow) -> None:
    """v1 screens given as ``{screenId, contents}`` instead of ``{id, htmlTemplate}`` read too."""
    document = read_json(V1)
    document["screens"] = read_json(SINGLE)["screens"]
    same_flow_elsewhere(load_flow(write_json(tmp_path / "mixed.json", document)), single)


def test_snapshot_id_is_the_folder_name_unless_metadata_gives_one(snapshot_copy: Path) -> None:
    """A snapshot flow is named by its folder; a metadata ``id`` or ``flowId`` wins."""
    moved = snapshot_copy.rename(snapshot_copy.with_name("renamed"))
    assert load_flow(moved).id == "renamed"
    metadata = read_json(moved / "metadata.json")
    write_json(moved / "metadata.json", {**metadata, "id": "from-metadata"})
    assert load_flow(moved).id == "from-metadata"
    write_json(moved / "metadata.json", {**metadata, "flowId": "from-flow-id"})
    assert load_flow(moved).id == "from-flow-id"


def test_snapshot_reads_every_screen_file_even_unlisted(snapshot_copy: Path, single: Flow) -> None:
    """Screens come from the screen-*.json files, whatever metadata.screens lists."""
    metadata = read_json(snapshot_copy / "metadata.json")
    write_json(snapshot_copy / "metadata.json", {**metadata, "screens": []})
    same_flow_elsewhere(load_flow(snapshot_copy), single)


def test_load_flows_reads_snapshot_folders_beside_flow_files(snapshot_copy: Path) -> None:
    """Subfolders holding contents.json are flows; other folders and the snapshot index are not."""
    flows = snapshot_copy.parent
    shutil.copy(SHAPES.parent / "mini-export.json", flows / "mini.json")
    write_json(flows / "flows.json", {"flows": [{"id": "social-sign-in"}]})
    write_json(flows / "assets" / "contents.txt.json", {"not": "a flow"})
    (flows / ".hidden").mkdir()
    write_json(flows / ".hidden" / "contents.json", {"startTask": "x", "tasks": {}})
    loaded = load_flows(flows)
    assert sorted(loaded) == ["mini-step-up", "social-sign-in"]
    assert loaded["social-sign-in"].source == str(snapshot_copy)


def test_snapshot_folder_and_file_with_one_id_clash(snapshot_copy: Path) -> None:
    """A snapshot folder and a file that define the same flow id are refused, naming both."""
    shutil.copy(SINGLE, snapshot_copy.parent / "copy.json")
    with pytest.raises(FlowDefinitionError) as caught:
        load_flows(snapshot_copy.parent)
    assert str(snapshot_copy) in str(caught.value)
    assert 'flow id "social-sign-in" is already defined' in str(caught.value)


# --- what screens say about their buttons and inputs ----------------------------------------


def test_buttons_say_whether_they_validate_and_which_provider(single: Flow) -> None:
    """formNoValidate turns validation off; social buttons name their provider."""
    welcome = single.task("1").screen
    assert welcome is not None
    assert welcome.interactions == (
        Interaction("continueBtn", "Continue"),
        Interaction("googleBtn", "Continue with Google", validates=False, provider="google"),
        Interaction("linkedinBtn", "Continue with LinkedIn", validates=False, provider="linkedin"),
        Interaction("passkeyBtn", "Use a passkey"),
    )
    code = single.task("3").screen
    assert code is not None
    assert code.interactions == (
        Interaction("verifyBtn", "Verify"),
        Interaction("resend", "Send again", validates=False),
    )


def test_inputs_keep_required_and_component_and_skip_blank_names(single: Flow) -> None:
    """Named nodes become inputs with their component; a ContextKeyInput with no name is not."""
    welcome = single.task("1").screen
    assert welcome is not None
    assert welcome.inputs == (
        ScreenInput("email", required=True, component="EmailInput"),
        ScreenInput("nickname", required=False, component="ContextKeyInput"),
    )


def one_button_export(node: dict[str, Any]) -> Document:
    """A one-screen export whose screen shows only ``node`` (with id "b", text "Go")."""
    document = read_json(SINGLE)
    node["props"] = {"id": "b", "children": "Go", **node.get("props", {})}
    document["screens"] = [{"screenId": "SC-welcome", "contents": {"b": node}}]
    return document


@pytest.mark.parametrize(
    ("node", "provider"),
    [
        pytest.param({"type": {"resolvedName": "MicrosoftButton"}}, "microsoft", id="known-name"),
        pytest.param({"type": {"resolvedName": "GithubButton"}}, "github", id="github"),
        pytest.param(
            {"type": {"resolvedName": "OktaButton"}, "props": {"data-type": "social"}},
            "okta",
            id="data-type-social",
        ),
        pytest.param(
            {"type": {"resolvedName": "SlackButton"}, "custom": {"subType": "social"}},
            "slack",
            id="subtype-social",
        ),
        pytest.param({"type": {"resolvedName": "SlackButton"}}, "", id="unmarked"),
        pytest.param(
            {"type": {"resolvedName": "Button"}, "props": {"data-type": "social"}},
            "",
            id="plain-button",
        ),
    ],
)
def test_provider_comes_from_the_button_component(
    tmp_path: Path, node: dict[str, Any], provider: str
) -> None:
    """Descope's social buttons name their provider; other buttons only when marked social."""
    flow = load_flow(write_json(tmp_path / "one.json", one_button_export(node)))
    screen = flow.task("1").screen
    assert screen is not None
    assert screen.interactions == (Interaction("b", "Go", provider=provider),)


# --- shapes that are wrong ----------------------------------------------------------------

Edit = Callable[[Document], None]


def set_in(*keys: str | int, value: Any) -> Edit:
    """An edit that sets the field at ``keys`` to ``value``."""

    def edit(document: Document) -> None:
        target: Any = document
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value

    return edit


def drop(*keys: str | int) -> Edit:
    """An edit that removes the field at ``keys``."""

    def edit(document: Document) -> None:
        target: Any = document
        for key in keys[:-1]:
            target = target[key]
        del target[keys[-1]]

    return edit


V1_ERRORS = [
    pytest.param(
        set_in("flow", "dsl", "tasks", "3", "next", value="5"),
        'at flow.dsl.tasks["3"].next: expected an object, found a string ("5")',
        id="task-next",
    ),
    pytest.param(
        set_in("flow", "dsl", "tasks", "3", "next", "rules", 0, "taskId", value="33"),
        'at flow.dsl.tasks["3"].next.rules[0].taskId: task "3" (Enter code) goes on',
        id="rule-target",
    ),
    pytest.param(
        set_in("flow", "dsl", "startTask", value="9"),
        'at flow.dsl.startTask: the flow starts at task "9"',
        id="start-task",
    ),
    pytest.param(
        set_in("flow", "dsl", value='{"startTask": "1", "tasks": '),
        "at flow.dsl: the dsl is a string that is not JSON",
        id="dsl-text",
    ),
    pytest.param(
        set_in("flow", "dsl", value=7),
        "at flow.dsl: expected an object, found a number (7)",
        id="dsl-number",
    ),
    pytest.param(
        drop("flow", "id"),
        'at flow.id: the required field "id" is missing',
        id="flow-id",
    ),
    pytest.param(
        drop("screens", 1, "id"),
        'at screens[1].id: the required field "id" is missing',
        id="screen-id",
    ),
    pytest.param(
        set_in("screens", value={}),
        "at screens: expected an array, found an object",
        id="screens-object",
    ),
]


@pytest.mark.parametrize(("edit", "expected"), V1_ERRORS)
def test_v1_mistakes_are_located_in_the_export(tmp_path: Path, edit: Edit, expected: str) -> None:
    """A wrong field of a v1 export is reported at its place under flow.dsl or screens."""
    document = read_json(V1)
    edit(document)
    path = write_json(tmp_path / "v1.json", document)
    message = load_error(path)
    assert message.startswith(f"{path}: {expected}")


def test_v2_mistakes_are_located_under_flow(tmp_path: Path) -> None:
    """A wrong field of the v2 response is reported under flow.contents."""
    document = read_json(V2)
    document["flow"]["contents"]["tasks"]["5"]["next"]["rules"][1]["taskId"] = "4x"
    path = write_json(tmp_path / "v2.json", document)
    assert load_error(path).startswith(f'{path}: at flow.contents.tasks["5"].next.rules[1].taskId:')


SNAPSHOT_ERRORS = [
    pytest.param(
        "contents.json",
        set_in("tasks", "3", "next", value="5"),
        'contents.json: at tasks["3"].next: expected an object, found a string ("5")',
        id="task-next",
    ),
    pytest.param(
        "contents.json",
        set_in("tasks", "3", "next", "rules", 0, "taskId", value="33"),
        'contents.json: at tasks["3"].next.rules[0].taskId: task "3" (Enter code)',
        id="rule-target",
    ),
    pytest.param(
        "contents.json",
        drop("startTask"),
        'contents.json: at startTask: the required field "startTask" is missing',
        id="start-task",
    ),
    pytest.param(
        "metadata.json",
        set_in("name", value=["Social"]),
        "metadata.json: at name: expected a string, found an array",
        id="metadata-name",
    ),
    pytest.param(
        "screen-SC-code.json",
        drop("screenId"),
        'screen-SC-code.json: at screenId: the required field "screenId" is missing',
        id="screen-id",
    ),
]


@pytest.mark.parametrize(("name", "edit", "expected"), SNAPSHOT_ERRORS)
def test_snapshot_mistakes_name_the_file_in_the_folder(
    snapshot_copy: Path, name: str, edit: Edit, expected: str
) -> None:
    """A wrong field of a snapshot flow is reported in the file that holds it."""
    document = read_json(snapshot_copy / name)
    edit(document)
    write_json(snapshot_copy / name, document)
    assert load_error(snapshot_copy).startswith(f"{snapshot_copy}/{expected}")


@pytest.mark.parametrize("missing", ["contents.json", "metadata.json"])
def test_snapshot_folder_without_its_files_is_explained(snapshot_copy: Path, missing: str) -> None:
    """A folder without contents.json or metadata.json is not taken for a snapshot flow."""
    (snapshot_copy / missing).unlink()
    message = load_error(snapshot_copy)
    assert message.startswith(f"{snapshot_copy}: at the folder: it has no {missing}")
    assert "flows/<flow id>/" in message


def test_snapshot_screen_that_does_not_parse_points_at_the_text(snapshot_copy: Path) -> None:
    """A broken screen file is reported at its own line and column."""
    (snapshot_copy / "screen-SC-code.json").write_text('{"screenId": ', encoding="utf-8")
    message = load_error(snapshot_copy)
    assert message.startswith(f"{snapshot_copy}/screen-SC-code.json:1:14: at the JSON text")


def test_object_of_no_known_shape_lists_the_shapes(tmp_path: Path) -> None:
    """A JSON object that is no export names every shape flowspec reads."""
    message = load_error(write_json(tmp_path / "odd.json", {"flow": {"name": "x"}, "v": 1}))
    assert "at the top level: this is not a Descope flow export (top-level keys: flow, v)" in (
        message
    )
    for shape in ("single-file export", "v2 export", "v1 export", "project snapshot"):
        assert shape in message


def test_lone_contents_json_points_at_its_folder(snapshot_copy: Path) -> None:
    """Loading a snapshot's contents.json alone says to load its folder instead."""
    message = load_error(snapshot_copy / "contents.json")
    assert "looks like the contents.json of a project snapshot" in message
    assert "Load the folder that holds it" in message


# --- the real exports, reshaped -------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"the real Descope exports are not here: {CORPUS}; put shared/ beside the repo")
    return CORPUS


@pytest.mark.parametrize("name", CORPUS_NAMES or ["absent"])
def test_real_export_as_snapshot_folder_gives_the_same_flow(
    corpus: Path, tmp_path: Path, name: str
) -> None:
    """Each real export written out as a snapshot flow folder loads to the same flow."""
    expected = load_flow(corpus / name)
    folder = as_snapshot(read_json(corpus / name), tmp_path)
    same_flow_elsewhere(load_flow(folder), expected)


@pytest.mark.parametrize("dsl_as_text", [False, True], ids=["dsl-object", "dsl-text"])
@pytest.mark.parametrize("name", CORPUS_NAMES or ["absent"])
def test_real_export_as_v1_document_gives_the_same_flow(
    corpus: Path, tmp_path: Path, name: str, dsl_as_text: bool
) -> None:
    """Each real export rewritten as a v1 ``dsl`` document loads to the same flow."""
    expected = load_flow(corpus / name)
    document = as_v1(copy.deepcopy(read_json(corpus / name)), dsl_as_text)
    same_flow_elsewhere(load_flow(write_json(tmp_path / name, document)), expected)


def test_real_snapshot_of_all_exports_loads_as_a_flows_folder(corpus: Path, tmp_path: Path) -> None:
    """A flows/ folder of snapshot flow folders and its index loads every flow by id."""
    ids = [as_snapshot(read_json(corpus / name), tmp_path).name for name in CORPUS_NAMES]
    write_json(tmp_path / "flows.json", {"flows": [{"id": flow_id} for flow_id in ids]})
    assert sorted(load_flows(tmp_path)) == sorted(ids)


def test_real_sign_in_social_buttons_skip_validation(corpus: Path) -> None:
    """sign-in's Google and Apple buttons name their provider and do not validate the email."""
    screen = load_flow(corpus / "sign-in.json").task("0").screen
    assert screen is not None
    by_label = {i.label: i for i in screen.interactions}
    google = by_label["Sign in with Google"]
    apple = by_label["Sign in with Apple"]
    assert (google.provider, google.validates) == ("google", False)
    assert (apple.provider, apple.validates) == ("apple", False)
    assert (by_label["Sign In"].provider, by_label["Sign In"].validates) == ("", True)
    assert screen.inputs == (ScreenInput("email", required=True, component="EmailInput"),)


def test_real_context_key_inputs_without_a_name_are_skipped(corpus: Path) -> None:
    """The unnamed First/Last Name ContextKeyInputs of a real screen are not inputs."""
    flow = load_flow(corpus / "sign-up-or-in-using-users-preferred-mfa-method.json")
    screens = {task.screen.id: task.screen for task in flow.tasks.values() if task.screen}
    assert screens["SC2xxLhqLBR20LfISHBHlmULezbCv"].inputs == (
        ScreenInput("email", required=False, component="EmailInput"),
    )
