"""The test world's own YAML files (users.yaml, project.yaml) are read within the same
bounds as flow files: too large, nested too deep, aliases that explode or bytes that are
not UTF-8 are refused with a SettingsError naming the file, never a crash or a hang."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowspec.engine.bounds import MAX_NESTING, MAX_YAML_FILE_BYTES, read_yaml_file
from flowspec.engine.world import World
from flowspec.errors import SettingsError

PROJECT = "projectId: P2files\n"
USERS = "users:\n  - {userId: U1, loginIds: [ann@t.test]}\n"


def world_with(folder: Path, project: str = PROJECT, users: str | bytes = USERS) -> Path:
    (folder / "flows").mkdir(parents=True)
    (folder / "project.yaml").write_text(project, encoding="utf-8")
    target = folder / "users.yaml"
    if isinstance(users, bytes):
        target.write_bytes(users)
    else:
        target.write_text(users, encoding="utf-8")
    return folder


def refusal(folder: Path) -> str:
    with pytest.raises(SettingsError) as caught:
        World.load(folder)
    return str(caught.value)


def test_a_world_within_the_bounds_loads(tmp_path: Path) -> None:
    assert World.load(world_with(tmp_path)).user("ann@t.test").user_id == "U1"


def test_users_yaml_whose_aliases_explode_is_refused_at_the_alias(tmp_path: Path) -> None:
    levels = ["l0: &l0 [" + ", ".join(["x"] * 10) + "]"]
    levels += [f"l{n}: &l{n} [" + ", ".join([f"*l{n - 1}"] * 10) + "]" for n in range(1, 9)]
    message = refusal(world_with(tmp_path, users=USERS + "\n".join(levels) + "\n"))
    assert "users.yaml" in message
    assert "alias" in message


def test_project_yaml_nested_too_deep_is_refused_naming_the_line(tmp_path: Path) -> None:
    deep = "roles: " + "[" * (MAX_NESTING + 1) + "]" * (MAX_NESTING + 1) + "\n"
    message = refusal(world_with(tmp_path, project=PROJECT + deep))
    assert "project.yaml" in message
    assert "line 2" in message


def test_users_yaml_over_the_limit_is_refused_unread(tmp_path: Path) -> None:
    padding = "#" + "x" * 99 + "\n"
    big = USERS + padding * (MAX_YAML_FILE_BYTES // len(padding) + 1)
    message = refusal(world_with(tmp_path, users=big))
    assert "users.yaml is over 1024 KiB" in message


def test_users_yaml_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    message = refusal(world_with(tmp_path, users=USERS.encode() + b"# caf\xe9\n"))
    assert "users.yaml is not UTF-8 text" in message


def test_a_file_at_the_limit_is_read(tmp_path: Path) -> None:
    target = tmp_path / "at-limit.yaml"
    body = "key: value\n"
    target.write_text(body + "#" * (MAX_YAML_FILE_BYTES - len(body) - 1) + "\n")
    assert read_yaml_file(target) == {"key": "value"}
