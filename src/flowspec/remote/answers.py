"""What an answer of the flow API says: a JSON object, or a failure named for people.

The client hands each answer it received here; a success becomes the JSON object it
carries, anything else a :class:`Failure` holding the cause (the status with Descope's
``errorCode``/``errorDescription``, malformed JSON, a body that is not JSON) and what to
do about it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Final

import httpx

from flowspec.remote.retries import Fate, fate_of_status

__all__ = ["CHECK_URL", "Answer", "Failure", "json_object", "status_failure"]

CHECK_URL: Final = (
    "check that the server runs and that FLOWSPEC_BASE_URL (or base-url under "
    "[tool.flowspec.remote]) points at it"
)

_SNIPPET: Final = 160


@dataclass(frozen=True)
class Answer:
    """An HTTP answer as received, before it is judged."""

    status: int
    headers: httpx.Headers
    content: bytes
    refresh_cookie: str | None = field(repr=False)


@dataclass(frozen=True)
class Failure:
    """Why a call failed, what that proves about the server, and what to do."""

    fate: Fate | None
    cause: str
    fix: str
    status: int | None = None
    error_code: str | None = None
    retry_after: str | None = None


def _media_type(answer: Answer) -> str:
    header = str(answer.headers.get("content-type", ""))
    return header.partition(";")[0].strip().lower()


def _is_json(media_type: str) -> bool:
    return media_type == "application/json" or media_type.endswith("+json")


def _snippet(content: bytes) -> str:
    text = " ".join(content[: _SNIPPET * 4].decode("utf-8", "replace").split())
    return text if len(text) <= _SNIPPET else text[: _SNIPPET - 3] + "..."


def json_object(answer: Answer) -> dict[str, Any] | Failure:
    """The body of a success as a JSON object, or the failure that says why it is not one."""
    media_type = _media_type(answer)
    if not _is_json(media_type):
        return Failure(
            None,
            f"HTTP {answer.status} answered with {media_type or 'no content type'}, not JSON: "
            f"{_snippet(answer.content)!r}",
            "The base URL reaches a web page, a proxy or a portal rather than Descope's API; "
            + CHECK_URL,
            status=answer.status,
        )
    try:
        body = json.loads(answer.content.decode("utf-8"))
    except UnicodeDecodeError:
        return Failure(
            None,
            f"HTTP {answer.status} answered with a body that is not UTF-8: "
            f"{_snippet(answer.content)!r}",
            "The server or a proxy in between garbled the answer; check its logs",
            status=answer.status,
        )
    except json.JSONDecodeError as error:
        return Failure(
            None,
            f"HTTP {answer.status} answered with malformed JSON ({error.msg} at line "
            f"{error.lineno} column {error.colno}): {_snippet(answer.content)!r}",
            "The server or a proxy in between cut or garbled the answer; check its logs",
            status=answer.status,
        )
    if not isinstance(body, dict):
        return Failure(
            None,
            f"HTTP {answer.status} answered with JSON that is not an object: "
            f"{_snippet(answer.content)!r}",
            f"The base URL answers, but not with Descope's flow API; {CHECK_URL}",
            status=answer.status,
        )
    return body


def status_failure(answer: Answer, path: str) -> Failure:
    """An HTTP error status, with Descope's ``errorCode``/``errorDescription`` when sent."""
    details: dict[str, Any] = {}
    if _is_json(_media_type(answer)):
        try:
            parsed = json.loads(answer.content.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            parsed = None
        details = parsed if isinstance(parsed, dict) else {}
    code = details.get("errorCode")
    code = str(code) if code else None
    phrase = httpx.codes.get_reason_phrase(answer.status)
    cause = f"HTTP {answer.status} {phrase}".rstrip()
    description = details.get("errorDescription")
    if code or description:
        cause += ", " + ": ".join(str(part) for part in (code, description) if part)
        message = details.get("errorMessage")
        if message and message != description:
            cause += f" ({message})"
    elif answer.content:
        shown = _media_type(answer) or "untyped"
        cause += f", body ({shown}): {_snippet(answer.content)!r}"
    return Failure(
        fate_of_status(answer.status),
        cause,
        _fix_for(answer, code, path),
        status=answer.status,
        error_code=code,
        retry_after=answer.headers.get("retry-after"),
    )


_FIXES_BY_CODE: Final = {
    "E108201": "The flow nonce did not match: another client continued this execution, or "
    "an earlier copy of this request was applied; start a new run",
    "E103205": "The execution expired or is unknown to the server; start a new run, and keep "
    "the steps of one run closer together",
    "E102004": "The execution runs an older version of the flow; start a new run",
    "FS42200": "The server's engine says the scenario or the test world is wrong, as "
    "described; fix the step or the world as for the local runner",
    "FS42201": "The flow misbehaved on the server, as described; fix the flow",
}
_FIXES_BY_STATUS: Final = {
    400: "The server rejected the request; check the button ids and inputs the scenario "
    "sends against the flow's screen",
    401: "Check FLOWSPEC_PROJECT_ID (or project-id under [tool.flowspec.remote]) and the "
    "token the scenario gives",
    403: "The project refuses this call; check the token and the project's settings",
    404: "Check the flow id, and that the base URL is the API's root",
    429: "The project is rate limited; run fewer scenarios at once, or raise retries.max-wait "
    "and retries.budget",
}


def _fix_for(answer: Answer, code: str | None, path: str) -> str:
    status = answer.status
    if code in _FIXES_BY_CODE:
        return _FIXES_BY_CODE[code]
    if 300 <= status < 400:
        target = answer.headers.get("location") or "elsewhere"
        return f"The server redirects to {target}; set the base URL to the API's own root"
    if status in _FIXES_BY_STATUS:
        return _FIXES_BY_STATUS[status]
    if status >= 500:
        return "The server failed; try again later, and check its logs or Descope's status page"
    return f"The server refused {path}; check the request the scenario makes"
