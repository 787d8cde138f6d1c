"""The error shape of every non-2xx answer, and the codes ``flowspec serve`` uses.

Descope answers errors as ``{errorCode, errorDescription, errorMessage}``: the code is
what a client branches on, the description names the kind of error, the message says
what happened here. The codes are Descope's where Descope has one (``E103205``,
``E108201``) and flowspec's own ``FS<status><nn>`` otherwise (``docs/wire.md``).

Messages may quote what a client sent (a button id, a flow id), and a client may send a
token anywhere, so every message passes through ``flowspec.redaction.redact_text``
before it is answered or logged.
"""

from __future__ import annotations

from typing import Final

from starlette.responses import JSONResponse

from flowspec.redaction import redact_text

EXECUTION_GONE: Final = "E103205"
NONCE_MISMATCH: Final = "E108201"
BAD_REQUEST: Final = "FS40000"
UNAUTHORIZED: Final = "FS40100"
NOT_FOUND: Final = "FS40400"
METHOD_NOT_ALLOWED: Final = "FS40500"
TOO_LARGE: Final = "FS41300"
WORLD_CANNOT_RUN: Final = "FS42200"
FLOW_MISBEHAVED: Final = "FS42201"
INTERNAL: Final = "FS50000"

_KINDS: Final[dict[str, tuple[int, str]]] = {
    EXECUTION_GONE: (400, "Flow execution expired or unknown"),
    NONCE_MISMATCH: (400, "Flow nonce mismatch"),
    BAD_REQUEST: (400, "Bad request"),
    UNAUTHORIZED: (401, "Unauthorized"),
    NOT_FOUND: (404, "Not found"),
    METHOD_NOT_ALLOWED: (405, "Method not allowed"),
    TOO_LARGE: (413, "Request body too large"),
    WORLD_CANNOT_RUN: (422, "The test world cannot run this step"),
    FLOW_MISBEHAVED: (422, "The flow misbehaved"),
    INTERNAL: (500, "Internal error"),
}


class WireError(Exception):
    """An error answer: raise it anywhere in a route and the client gets its shape."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.status, self.description = _KINDS[code]
        self.message = redact_text(message)

    def response(self) -> JSONResponse:
        body = {
            "errorCode": self.code,
            "errorDescription": self.description,
            "errorMessage": self.message,
        }
        return JSONResponse(body, status_code=self.status)
