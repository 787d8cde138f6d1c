"""Remote settings: pyproject.toml and the environment, the key kept out of files and reprs."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowspec.errors import SettingsError
from flowspec.remote import RemoteSettings, RetryPolicy, Secret, Timeouts, load_settings

KEY = "K2managementKeyThatMustNeverShow"


def pyproject(tmp_path: Path, table: str) -> Path:
    path = tmp_path / "pyproject.toml"
    path.write_text('[project]\nname = "x"\n\n[tool.flowspec.remote]\n' + table)
    return path


def test_reads_base_url_project_id_timeouts_and_retries_from_pyproject(tmp_path: Path) -> None:
    """Every setting under [tool.flowspec.remote] and its sub-tables is read."""
    path = pyproject(
        tmp_path,
        'base-url = "https://api.descope.com/"\nproject-id = "P2file"\n'
        "[tool.flowspec.remote.timeouts]\nconnect = 1\nread = 2.5\n"
        "[tool.flowspec.remote.retries]\nattempts = 2\nmax-wait = 3\nbudget = 9\n",
    )
    settings = load_settings(path, environ={})
    assert settings.base_url == "https://api.descope.com"
    assert settings.project_id == "P2file"
    assert settings.timeouts == Timeouts(connect=1, read=2.5)
    assert settings.retries == RetryPolicy(attempts=2, max_wait=3, budget=9)
    assert settings.management_key is None


def test_environment_overrides_the_file(tmp_path: Path) -> None:
    """FLOWSPEC_BASE_URL and FLOWSPEC_PROJECT_ID win over the pyproject values."""
    path = pyproject(tmp_path, 'base-url = "https://a.test"\nproject-id = "P2file"\n')
    env = {"FLOWSPEC_BASE_URL": "http://127.0.0.1:8787", "FLOWSPEC_PROJECT_ID": "P2env"}
    settings = load_settings(path, environ=env)
    assert (settings.base_url, settings.project_id) == ("http://127.0.0.1:8787", "P2env")


def test_environment_alone_is_enough() -> None:
    """Without a pyproject, the environment supplies everything, the key included."""
    env = {
        "FLOWSPEC_BASE_URL": "https://api.descope.com",
        "FLOWSPEC_PROJECT_ID": "P2env",
        "FLOWSPEC_MANAGEMENT_KEY": KEY,
    }
    settings = load_settings(None, environ=env)
    assert settings.management_key is not None
    assert settings.management_key.reveal() == KEY


@pytest.mark.parametrize("name", ["management-key", "management_key", "managementKey"])
def test_a_management_key_in_pyproject_is_an_error_that_says_to_move_it(
    tmp_path: Path, name: str
) -> None:
    """A key written in pyproject.toml is refused, pointing at the environment variable,
    without echoing the key."""
    path = pyproject(
        tmp_path, f'base-url = "https://a.test"\nproject-id = "P2"\n{name} = "{KEY}"\n'
    )
    with pytest.raises(SettingsError) as caught:
        load_settings(path, environ={"FLOWSPEC_MANAGEMENT_KEY": "other"})
    message = str(caught.value)
    assert "FLOWSPEC_MANAGEMENT_KEY" in message
    assert name in message
    assert KEY not in message


def test_repr_and_str_never_show_the_management_key() -> None:
    """The settings' repr and str, and the secret's own, hide the key but show it is set."""
    settings = load_settings(
        None,
        environ={
            "FLOWSPEC_BASE_URL": "https://api.descope.com",
            "FLOWSPEC_PROJECT_ID": "P2env",
            "FLOWSPEC_MANAGEMENT_KEY": KEY,
        },
    )
    for text in (repr(settings), str(settings), repr(settings.management_key), f"{settings}"):
        assert KEY not in text
    assert "management_key=Secret('********')" in repr(settings)


def test_secrets_compare_by_value() -> None:
    """Two secrets holding the same key are equal, so settings compare as values."""
    assert Secret(KEY) == Secret(KEY)
    assert Secret(KEY) != Secret("other")


def test_missing_base_url_names_both_places_to_set_it(tmp_path: Path) -> None:
    """Without a base URL the error names the environment variable and the pyproject key."""
    path = pyproject(tmp_path, 'project-id = "P2"\n')
    with pytest.raises(SettingsError) as caught:
        load_settings(path, environ={})
    message = str(caught.value)
    assert "FLOWSPEC_BASE_URL" in message
    assert f"base-url under [tool.flowspec.remote] in {path}" in message
    assert "project id" not in message


def test_missing_project_id_names_both_places_to_set_it() -> None:
    """Without a project id the error names FLOWSPEC_PROJECT_ID and project-id."""
    with pytest.raises(SettingsError) as caught:
        load_settings(None, environ={"FLOWSPEC_BASE_URL": "https://a.test"})
    message = str(caught.value)
    assert "FLOWSPEC_PROJECT_ID" in message
    assert "project-id under [tool.flowspec.remote]" in message


def test_both_missing_are_reported_together() -> None:
    """One error lists every missing setting, so one fix-up round is enough."""
    with pytest.raises(SettingsError) as caught:
        load_settings(None, environ={})
    assert "FLOWSPEC_BASE_URL" in str(caught.value)
    assert "FLOWSPEC_PROJECT_ID" in str(caught.value)


def test_an_unknown_setting_suggests_the_intended_one(tmp_path: Path) -> None:
    """A misspelt key is an error with a did-you-mean."""
    path = pyproject(tmp_path, 'base_url = "https://a.test"\nproject-id = "P2"\n')
    with pytest.raises(SettingsError, match="Did you mean 'base-url'"):
        load_settings(path, environ={})


def test_an_unknown_timeout_is_an_error(tmp_path: Path) -> None:
    """Keys of the timeouts table are checked too."""
    path = pyproject(
        tmp_path,
        'base-url = "https://a.test"\nproject-id = "P2"\n'
        "[tool.flowspec.remote.timeouts]\nreed = 3\n",
    )
    with pytest.raises(SettingsError, match="Did you mean 'read'"):
        load_settings(path, environ={})


@pytest.mark.parametrize("value", ["0", "-1", '"soon"', "true", "nan"])
def test_a_timeout_must_be_a_positive_number(tmp_path: Path, value: str) -> None:
    """Zero, negative, non-numeric and NaN timeouts are refused by name."""
    path = pyproject(
        tmp_path,
        'base-url = "https://a.test"\nproject-id = "P2"\n'
        f"[tool.flowspec.remote.timeouts]\nread = {value}\n",
    )
    with pytest.raises(SettingsError, match=r"timeouts\.read must be a positive number"):
        load_settings(path, environ={})


def test_attempts_must_be_at_least_one() -> None:
    """A retry policy with no attempt at all is refused."""
    with pytest.raises(SettingsError, match=r"retries\.attempts"):
        RemoteSettings("https://a.test", "P2", retries=RetryPolicy(attempts=0))


def test_credentials_in_the_base_url_are_refused_without_echo() -> None:
    """A base URL with user:password is an error, and the password is not repeated."""
    with pytest.raises(SettingsError) as caught:
        load_settings(
            None,
            environ={
                "FLOWSPEC_BASE_URL": "https://me:hunter2secret@api.descope.com",
                "FLOWSPEC_PROJECT_ID": "P2",
            },
        )
    assert "hunter2secret" not in str(caught.value)
    assert "user name or password" in str(caught.value)


@pytest.mark.parametrize("url", ["api.descope.com", "ftp://a.test", "https://"])
def test_the_base_url_must_be_http(url: str) -> None:
    """A base URL without an http(s) scheme and a host is refused."""
    with pytest.raises(SettingsError, match="not an http"):
        RemoteSettings(url, "P2")


@pytest.mark.parametrize("project_id", ["P2 x", "P2:x"])
def test_a_project_id_cannot_hold_a_space_or_colon(project_id: str) -> None:
    """The project id is the Bearer value before ':', so ':' and spaces are refused."""
    with pytest.raises(SettingsError, match="not a project id"):
        RemoteSettings("https://a.test", project_id)


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    """A pyproject that does not parse is a SettingsError naming it."""
    path = tmp_path / "pyproject.toml"
    path.write_text("[tool.flowspec.remote\n")
    with pytest.raises(SettingsError, match="not valid TOML"):
        load_settings(path, environ={})


def test_a_missing_pyproject_is_an_error(tmp_path: Path) -> None:
    """A pyproject path that does not exist is reported, not silently skipped."""
    with pytest.raises(SettingsError, match="cannot read it"):
        load_settings(tmp_path / "absent.toml", environ={})
