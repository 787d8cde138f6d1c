"""Request bodies: at most 1 MiB of JSON holding one object, and the fields read from it.

A body over the limit is refused from its ``Content-Length`` before a byte of it is
read, or, for a body sent in chunks, as soon as the bytes received pass the limit; it is
never parsed, and at most the limit and one chunk of it is held. Every problem names the
field and what was expected.
"""

from __future__ import annotations

import json
from typing import Any, Final

from starlette.requests import ClientDisconnect, Request

from flowspec.engine.export import describe
from flowspec.serve.problems import BAD_REQUEST, TOO_LARGE, WireError

MAX_BODY_BYTES: Final = 1024 * 1024


async def json_object(request: Request, limit: int = MAX_BODY_BYTES) -> dict[str, Any]:
    """The request's body as a JSON object."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    received = bytearray()
    try:
        async for chunk in request.stream():
            received += chunk
            if len(received) > limit:
                raise _too_large(limit)
    except ClientDisconnect:
        # Nobody is left to read the answer; this keeps a hang-up out of the error log.
        raise WireError(BAD_REQUEST, "the client hung up before its body ended") from None
    if not received.strip():
        raise WireError(BAD_REQUEST, "the body is empty; send a JSON object")
    try:
        value = json.loads(received)
    except json.JSONDecodeError as error:
        raise WireError(
            BAD_REQUEST,
            f"the body is not JSON: {error.msg} at line {error.lineno}, column {error.colno}",
        ) from None
    except (ValueError, RecursionError):
        # Bytes that are no Unicode text, or arrays nested deeper than the parser goes.
        raise WireError(BAD_REQUEST, "the body is not JSON text") from None
    if not isinstance(value, dict):
        raise WireError(BAD_REQUEST, f"the body must be a JSON object, not {describe(value)}")
    return value


def text(body: dict[str, Any], name: str) -> str:
    """The required, non-empty string field ``name``."""
    value = body.get(name)
    if value is None:
        raise WireError(BAD_REQUEST, f'the required field "{name}" is missing')
    if not isinstance(value, str) or not value:
        raise WireError(BAD_REQUEST, f'"{name}" must be a non-empty string, not {describe(value)}')
    return value


def mapping(body: dict[str, Any], name: str) -> dict[str, Any]:
    """The optional object field ``name``; ``{}`` when it is absent or null."""
    value = body.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise WireError(BAD_REQUEST, f'"{name}" must be a JSON object, not {describe(value)}')
    return value


def _too_large(limit: int) -> WireError:
    return WireError(
        TOO_LARGE, f"the body is larger than {limit} bytes, the most this server reads"
    )
