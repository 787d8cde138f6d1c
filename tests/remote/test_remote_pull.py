"""``flowspec pull``: flows exported through the management API into ``scenarios/flows/``,
end to end against the real ``flowspec serve``, and against the fake Descope for exports
the server would never send."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from flowspec.cli import main
from flowspec.engine.loader import load_flow
from flowspec.engine.world import World
from flowspec.remote.client import EXPORT_PATH
from flowspec.remote.settings import ENV_BASE_URL, ENV_MANAGEMENT_KEY, ENV_PROJECT_ID
from flowspec.serve import BackgroundServer, create_app

ROOT = Path(__file__).resolve().parents[2]
MINI_EXPORT = ROOT / "tests" / "engine" / "fixtures" / "mini-export.json"
KEY = "K2pullManagementKeyNeverShown"
YAML_FLOW = "profile-update"
JSON_FLOW = "mini-step-up"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, World]]:
    """The project's world plus a Descope JSON export, served with a management key."""
    root = tmp_path_factory.mktemp("served-world")
    shutil.copytree(ROOT / "scenarios", root, dirs_exist_ok=True)
    shutil.copy(MINI_EXPORT, root / "flows" / MINI_EXPORT.name)
    world = World.load(root)
    with BackgroundServer(create_app(world, management_key=KEY)) as server:
        yield server.url, world


@pytest.fixture
def scenarios(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty test world to pull into; the working folder holds no pyproject.toml."""
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "scenarios"
    folder.mkdir()
    return folder


@pytest.fixture
def settings_for(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Point the remote settings at a server through the environment."""

    def point(url: str, project_id: str, key: str | None = KEY) -> None:
        monkeypatch.setenv(ENV_BASE_URL, url)
        monkeypatch.setenv(ENV_PROJECT_ID, project_id)
        if key is None:
            monkeypatch.delenv(ENV_MANAGEMENT_KEY, raising=False)
        else:
            monkeypatch.setenv(ENV_MANAGEMENT_KEY, key)

    return point


def pull(*args: str, scenarios: Path) -> int:
    return main(["pull", *args, "--scenarios", str(scenarios)])


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_a_yaml_flow_and_a_json_flow_are_pulled_and_load(
    served, scenarios: Path, settings_for, capsys: pytest.CaptureFixture[str]
) -> None:
    """Both flows land in flows/<flowId>.json, pretty-printed as the v2 export's flow
    object, and load with the engine's loader into the flows the server runs."""
    url, world = served
    settings_for(url, world.project_id)

    assert pull(YAML_FLOW, JSON_FLOW, scenarios=scenarios) == 0

    output = capsys.readouterr()
    for flow_id in (YAML_FLOW, JSON_FLOW):
        path = scenarios / "flows" / f"{flow_id}.json"
        text = path.read_text(encoding="utf-8")
        assert text.startswith('{\n  "flowId": '), text[:40]
        assert json.loads(text)["flowId"] == flow_id
        loaded = load_flow(path)
        assert loaded.id == flow_id
        assert set(world.flows[flow_id].tasks) <= set(loaded.tasks)
        assert f"{flow_id}: wrote {path}" in output.out
    assert World.load(_with_world_files(scenarios)).flows.keys() == {YAML_FLOW, JSON_FLOW}
    assert leftovers(scenarios / "flows") == []
    assert KEY not in output.out + output.err


def _with_world_files(scenarios: Path) -> Path:
    """Give the pulled folder the project's settings and users, so it loads as a world."""
    for name in ("project.yaml", "users.yaml"):
        shutil.copy(ROOT / "scenarios" / name, scenarios / name)
    return scenarios


def test_an_existing_file_is_kept_without_force_and_replaced_with_it(
    served, scenarios: Path, settings_for, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --force the command fails naming the file and leaves it as it was; with
    --force the export replaces it."""
    url, world = served
    settings_for(url, world.project_id)
    target = scenarios / "flows" / f"{JSON_FLOW}.json"
    target.parent.mkdir()
    target.write_text('{"old": true}\n', encoding="utf-8")

    assert pull(JSON_FLOW, scenarios=scenarios) == 1
    refused = capsys.readouterr().err
    assert str(target) in refused
    assert "--force" in refused
    assert target.read_text(encoding="utf-8") == '{"old": true}\n'

    assert pull(JSON_FLOW, "--force", scenarios=scenarios) == 0
    assert f"{JSON_FLOW}: replaced {target}" in capsys.readouterr().out
    assert load_flow(target).id == JSON_FLOW


def test_an_unknown_flow_fails_with_the_servers_404_and_the_others_are_pulled(
    served, scenarios: Path, settings_for, capsys: pytest.CaptureFixture[str]
) -> None:
    """A flow id the server does not know exits 1 with a message naming it and the 404,
    writes no file for it, and does not stop the other flows of the command."""
    url, world = served
    settings_for(url, world.project_id)

    assert pull("no-such-flow", YAML_FLOW, scenarios=scenarios) == 1

    err = capsys.readouterr().err
    assert "no-such-flow" in err
    assert "404" in err
    assert "has no flow with this id" in err
    assert not (scenarios / "flows" / "no-such-flow.json").exists()
    assert (scenarios / "flows" / f"{YAML_FLOW}.json").is_file()
    assert KEY not in err


def test_without_a_management_key_nothing_is_asked_and_the_exit_is_2(
    served, scenarios: Path, settings_for, capsys: pytest.CaptureFixture[str]
) -> None:
    """No FLOWSPEC_MANAGEMENT_KEY is a settings error: exit 2, a message saying what to
    set, and nothing written."""
    url, world = served
    settings_for(url, world.project_id, key=None)

    assert pull(YAML_FLOW, scenarios=scenarios) == 2

    assert ENV_MANAGEMENT_KEY in capsys.readouterr().err
    assert not (scenarios / "flows").exists()


def test_usage_errors_exit_2_before_any_call(
    served, scenarios: Path, settings_for, capsys: pytest.CaptureFixture[str]
) -> None:
    """A flow id that is no file name, or a scenarios folder that does not exist, exits 2."""
    url, world = served
    settings_for(url, world.project_id)

    assert pull("../escape", scenarios=scenarios) == 2
    assert "'../escape' is not a flow id" in capsys.readouterr().err
    assert pull(YAML_FLOW, scenarios=scenarios / "missing") == 2
    assert "is not a folder" in capsys.readouterr().err
    assert not (scenarios / "flows").exists()


def test_a_refused_key_is_reported_without_showing_it(
    served, scenarios: Path, settings_for, capsys: pytest.CaptureFixture[str]
) -> None:
    """A key the server refuses exits 1 with the 401 and what to check, never the key."""
    url, world = served
    wrong = "K2wrongKeyThatMustNotAppear"
    settings_for(url, world.project_id, key=wrong)

    assert pull(YAML_FLOW, scenarios=scenarios) == 1

    output = capsys.readouterr()
    assert "401" in output.err
    assert ENV_MANAGEMENT_KEY in output.err
    assert wrong not in output.out + output.err


def test_a_yaml_flow_of_the_same_name_is_not_shadowed(
    served, scenarios: Path, settings_for, capsys: pytest.CaptureFixture[str]
) -> None:
    """A flows/<flowId>.yaml already defining the flow is refused even with --force, since
    a second definition would stop the world from loading."""
    url, world = served
    settings_for(url, world.project_id)
    (scenarios / "flows").mkdir()
    yaml_file = scenarios / "flows" / f"{YAML_FLOW}.yaml"
    shutil.copy(ROOT / "scenarios" / "flows" / f"{YAML_FLOW}.yaml", yaml_file)

    assert pull(YAML_FLOW, "--force", scenarios=scenarios) == 1

    assert str(yaml_file) in capsys.readouterr().err
    assert not (scenarios / "flows" / f"{YAML_FLOW}.json").exists()


def test_an_export_that_does_not_load_keeps_the_old_file(
    fake, scenarios: Path, settings_for, capsys: pytest.CaptureFixture[str]
) -> None:
    """An export the loader rejects, or one of another flow, fails naming the flow, and
    the old file stays as it was with no temporary file left beside it."""
    settings_for(fake.url, fake.project_id)
    target = scenarios / "flows" / "broken.json"
    target.parent.mkdir()
    target.write_text('{"old": true}\n', encoding="utf-8")
    broken = {"flowId": "broken", "metadata": {}, "contents": {"tasks": "not tasks"}}
    other = json.loads(MINI_EXPORT.read_text(encoding="utf-8"))
    fake.on(EXPORT_PATH, fake.reply({"flow": broken}), fake.reply({"flow": other}))

    assert pull("broken", "--force", scenarios=scenarios) == 1
    err = capsys.readouterr().err
    assert "flow broken: the project's export does not load" in err
    assert ".pull.json" not in err

    assert pull("broken", "--force", scenarios=scenarios) == 1
    assert "export of flow 'mini-step-up'" in capsys.readouterr().err

    assert target.read_text(encoding="utf-8") == '{"old": true}\n'
    assert leftovers(target.parent) == []
    assert [r.body for r in fake.requests(EXPORT_PATH)] == [{"flowId": "broken"}] * 2
    assert fake.requests(EXPORT_PATH)[0].headers["authorization"] == (
        f"Bearer {fake.project_id}:{KEY}"
    )
