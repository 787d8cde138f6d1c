"""Where the remote backend is, and how long to wait for it.

Settings come from ``[tool.flowspec.remote]`` in a pyproject.toml and from the environment,
which wins, so CI can point a committed configuration at another project. The management
key is read from the environment only: a pyproject.toml is committed, and a key committed
with it is a leaked key.
"""

from __future__ import annotations

import hmac
import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

from flowspec.errors import SettingsError, did_you_mean

__all__ = [
    "ENV_BASE_URL",
    "ENV_MANAGEMENT_KEY",
    "ENV_PROJECT_ID",
    "RemoteSettings",
    "RetryPolicy",
    "Secret",
    "Timeouts",
    "load_settings",
]

ENV_BASE_URL: Final = "FLOWSPEC_BASE_URL"
ENV_PROJECT_ID: Final = "FLOWSPEC_PROJECT_ID"
ENV_MANAGEMENT_KEY: Final = "FLOWSPEC_MANAGEMENT_KEY"

_TABLE: Final = "[tool.flowspec.remote]"
_TOP_KEYS: Final = ("base-url", "project-id", "timeouts", "retries")
_TIMEOUT_KEYS: Final = ("connect", "read", "write", "pool")
_RETRY_KEYS: Final = ("attempts", "backoff", "max-wait", "budget")


class Secret:
    """A credential: compared and used, never shown by ``repr``, ``str`` or a report."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The credential itself, for the one header that needs it."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        # Equal secrets must hash alike; a constant does, and derives nothing from the key.
        return hash(Secret)


@dataclass(frozen=True)
class Timeouts:
    """Seconds to wait for each phase of one HTTP exchange (httpx's four timeouts)."""

    connect: float = 5.0
    read: float = 30.0
    write: float = 5.0
    pool: float = 5.0


@dataclass(frozen=True)
class RetryPolicy:
    """How a failed call is tried again, where trying again is safe.

    ``attempts`` counts the first try; the wait before retry ``n`` is ``backoff * 2**(n-1)``
    with jitter, or the server's ``Retry-After``, never more than ``max_wait``. ``budget``
    bounds one call, waits included: a retry starts only if its wait and a whole attempt
    (the four timeouts added up) fit in what is left, no timeout reaches past it, and a
    response still arriving at its end, headers or body, is cut off
    (:mod:`flowspec.remote.watchdog`).
    """

    attempts: int = 4
    backoff: float = 0.5
    max_wait: float = 10.0
    budget: float = 90.0


@dataclass(frozen=True)
class RemoteSettings:
    """How to reach a Descope project (or ``flowspec serve``) over the flow API."""

    base_url: str
    project_id: str
    management_key: Secret | None = None
    timeouts: Timeouts = field(default_factory=Timeouts)
    retries: RetryPolicy = field(default_factory=RetryPolicy)

    def __post_init__(self) -> None:
        object.__setattr__(self, "base_url", _checked_base_url(self.base_url, "base_url"))
        _check_project_id(self.project_id, "project_id")
        for name in _TIMEOUT_KEYS:
            _positive(getattr(self.timeouts, name), f"timeouts.{name}")
        _positive(self.retries.backoff, "retries.backoff")
        _positive(self.retries.max_wait, "retries.max-wait")
        _positive(self.retries.budget, "retries.budget")
        attempts = self.retries.attempts
        if isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 1:
            raise SettingsError(
                f"retries.attempts must be a whole number of at least 1 (1 never retries), "
                f"not {attempts!r}"
            )


def load_settings(
    pyproject: Path | None = None, environ: Mapping[str, str] | None = None
) -> RemoteSettings:
    """Read the settings from ``pyproject`` (if given) and the environment, which wins."""
    env = os.environ if environ is None else environ
    source = str(pyproject) if pyproject is not None else "pyproject.toml"
    table = _remote_table(pyproject) if pyproject is not None else {}
    where = f"{_TABLE} in {source}"
    base_url = env.get(ENV_BASE_URL) or _string(table, "base-url", where)
    project_id = env.get(ENV_PROJECT_ID) or _string(table, "project-id", where)
    missing = []
    if not base_url:
        missing.append(
            f"a base URL: set {ENV_BASE_URL} in the environment, or base-url under {where} "
            '(e.g. "https://api.descope.com", or "http://127.0.0.1:8787" for flowspec serve)'
        )
    if not project_id:
        missing.append(
            f"a project id: set {ENV_PROJECT_ID} in the environment, or project-id under {where}"
        )
    if missing:
        raise SettingsError("the remote backend needs " + "; and ".join(missing))
    key = env.get(ENV_MANAGEMENT_KEY)
    return RemoteSettings(
        base_url=str(base_url),
        project_id=str(project_id),
        management_key=Secret(key) if key else None,
        timeouts=Timeouts(**_numbers(table, "timeouts", _TIMEOUT_KEYS, source)),
        retries=RetryPolicy(**_numbers(table, "retries", _RETRY_KEYS, source)),
    )


def _remote_table(pyproject: Path) -> dict[str, Any]:
    try:
        document = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except OSError as error:
        raise SettingsError(
            f"{pyproject}: cannot read it ({error.strerror}); check the path given for "
            "the remote backend's settings"
        ) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise SettingsError(f"{pyproject}: not valid TOML: {error}") from None
    table = document.get("tool", {}).get("flowspec", {}).get("remote", {})
    if not isinstance(table, dict):
        raise SettingsError(f"{pyproject}: {_TABLE} must be a table of settings")
    _refuse_key(table, pyproject)
    _known_keys(table, _TOP_KEYS, f"{_TABLE} in {pyproject}")
    return table


def _refuse_key(table: Mapping[str, Any], pyproject: Path) -> None:
    """A management key in a committed file is an error, not a setting; its value is never
    echoed, since the message may land in a CI log."""
    for name in table:
        if name.replace("-", "").replace("_", "").lower() == "managementkey":
            raise SettingsError(
                f"{pyproject}: {_TABLE} holds a management key ({name}). A key in a "
                f"committed file is a leaked key: delete it from {pyproject.name}, revoke it "
                "in the Descope console if the file was ever committed or shared, and set "
                f"{ENV_MANAGEMENT_KEY} in the environment instead"
            )


def _known_keys(table: Mapping[str, Any], known: tuple[str, ...], where: str) -> None:
    for name in table:
        if name not in known:
            raise SettingsError(
                f"unknown setting {name!r} under {where}. "
                + (did_you_mean(name, known) or f"Known settings: {', '.join(known)}.")
            )


def _string(table: Mapping[str, Any], name: str, where: str) -> str | None:
    value = table.get(name)
    if value is not None and not isinstance(value, str):
        raise SettingsError(f"{name} under {where} must be a string, not {value!r}")
    return value


def _numbers(
    table: Mapping[str, Any], name: str, known: tuple[str, ...], source: str
) -> dict[str, Any]:
    section = table.get(name, {})
    place = f"[tool.flowspec.remote.{name}] in {source}"
    if not isinstance(section, dict):
        raise SettingsError(f"{name} under {_TABLE} in {source} must be a table, such as {place}")
    _known_keys(section, known, place)
    return {key.replace("-", "_"): value for key, value in section.items()}


def _positive(value: object, name: str) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise SettingsError(f"{name} must be a positive number of seconds, not {value!r}")


def _checked_base_url(url: str, name: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingsError(
            f"{name} {url!r} is not an http(s) URL; give the API's root, such as "
            '"https://api.descope.com" or "http://127.0.0.1:8787"'
        )
    if parts.username is not None or parts.password is not None:
        # Never echo the URL here: the part before "@" is a credential.
        raise SettingsError(
            f"{name} holds a user name or password before its host; remove it: the flow "
            "API authenticates with the project id, and a URL ends up in error messages"
        )
    if parts.query or parts.fragment:
        raise SettingsError(f"{name} {url!r} must not carry a query or a fragment")
    return url.rstrip("/")


def _check_project_id(project_id: str, name: str) -> None:
    # The id is the part of the Bearer value before the first ":", so it cannot hold one.
    if not project_id or any(c.isspace() or c == ":" for c in project_id):
        raise SettingsError(
            f"{name} {project_id!r} is not a project id: it must be non-empty, without spaces "
            "or ':' (copy it from the project page of the Descope console)"
        )
