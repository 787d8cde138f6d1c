"""Running the app on uvicorn: in the foreground for ``flowspec serve``, or on a background
thread for tests and benchmarks that talk to it over a real loopback socket."""

from __future__ import annotations

import logging
import threading
import time
from types import TracebackType
from typing import Any, Final

import uvicorn
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.utils import get_client_addr, get_path_with_query_string

from flowspec.serve.protocol import BoundedHttpTools

DEFAULT_HOST: Final = "127.0.0.1"
DEFAULT_PORT: Final = 8787
_STARTUP_SECONDS: Final = 10.0
_POLL_SECONDS: Final = 0.005
_ACCESS_LOGGER: Final = "uvicorn.access"
# What uvicorn answers an app that fails before it answers.
_UNANSWERED: Final = 500


def serve(app: ASGIApp, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
    """Serve ``app`` until interrupted (Ctrl-C), logging each request as uvicorn does,
    once its answer is sent (:class:`AccessLog`)."""
    config = uvicorn.Config(
        AccessLog(app), host=host, port=port, lifespan="off", http=BoundedHttpTools
    )
    uvicorn.Server(config).run()


class AccessLog:
    """``app``, with uvicorn's access log line for each request, on uvicorn's own logger
    and formatter, written once the answer has gone rather than before its first byte.

    uvicorn formats and writes the line before it sends the status line, so every client
    waits for it: a tenth of the time serve takes for a small answer. Logged afterwards,
    the line is written while the client reads the answer. (serve's protocol,
    ``BoundedHttpTools``, leaves the logging to this.)
    """

    def __init__(self, app: ASGIApp) -> None:
        self._app = app
        self._logger = logging.getLogger(_ACCESS_LOGGER)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        status = _UNANSWERED

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self._app(scope, receive, sending)
        finally:
            # uvicorn's helpers take its own scope type, which an HTTP scope is.
            http_scope: Any = scope
            self._logger.info(
                '%s - "%s %s HTTP/%s" %d',
                get_client_addr(http_scope),
                scope["method"],
                get_path_with_query_string(http_scope),
                scope["http_version"],
                status,
            )


class BackgroundServer:
    """``app`` served on a thread of this process while the ``with`` block runs.

    Port 0 lets the system pick a free port; :attr:`url` names the one it picked. The
    server logs only warnings, through the logging set-up it finds, never its own.
    """

    def __init__(self, app: ASGIApp, host: str = DEFAULT_HOST, port: int = 0) -> None:
        config = uvicorn.Config(
            app,
            host=host,
            port=port,
            lifespan="off",
            log_config=None,
            log_level="warning",
            http=BoundedHttpTools,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="flowspec-serve", daemon=True)
        self.url = ""

    def __enter__(self) -> BackgroundServer:
        self._thread.start()
        deadline = time.monotonic() + _STARTUP_SECONDS
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError("flowspec serve stopped while starting; its log says why")
            if time.monotonic() > deadline:
                self._stop()
                raise RuntimeError(f"flowspec serve did not start within {_STARTUP_SECONDS:g} s")
            time.sleep(_POLL_SECONDS)
        host, port = self._server.servers[0].sockets[0].getsockname()[:2]
        self.url = f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stop()

    def _stop(self) -> None:
        self._server.should_exit = True
        self._thread.join()
