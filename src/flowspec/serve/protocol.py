"""The HTTP/1.1 protocol serve speaks: uvicorn's, on httptools, with a bound on the head.

uvicorn parses HTTP with httptools (llhttp, in C) or with h11 (in Python); on httptools a
loopback request costs serve about a third less. h11 refuses a request line and headers
still unfinished past a bound (``h11_max_incomplete_event_size``); llhttp sets none, so
a client could send one header without end and serve would hold it all.
``BoundedHttpTools`` sets such a bound: once a head still unfinished has taken more than
``HEAD_BYTES``, the client gets h11's plain ``400`` and the connection is closed. A head
that arrives whole is read whatever its size, as h11 reads it.

It leaves the access log to ``flowspec.serve.server.AccessLog``, which writes uvicorn's
line once the answer is sent.
"""

from __future__ import annotations

from typing import Any, Final

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

# Room for a token at its 16 KiB limit in an Authorization header, with the other headers.
HEAD_BYTES: Final = 32 * 1024
_REFUSAL: Final = "Invalid HTTP request received."


class BoundedHttpTools(HttpToolsProtocol):
    """uvicorn's httptools protocol, refusing a head that runs on past ``HEAD_BYTES``, and
    logging no request itself."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.access_log = False
        # Bytes received while the current request's head was unfinished.
        self._unfinished_head = 0
        self._in_head = True

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if not self._in_head or self.transport.is_closing():
            return
        self._unfinished_head += len(data)
        if self._unfinished_head > HEAD_BYTES:
            self.logger.warning(_REFUSAL)
            self.send_400_response(_REFUSAL)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head = True
        self._unfinished_head = 0

    def on_headers_complete(self) -> None:
        self._in_head = False
        super().on_headers_complete()
