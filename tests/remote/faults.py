"""A fault-injecting HTTP/1.1 server on a real loopback socket, for the remote client.

:class:`FaultServer` reads each request off the socket itself, so it can break the
exchange anywhere: never answer, reset the connection halfway through a body, close it
without a word, answer an error status, trickle headers or a body, send malformed JSON or
the wrong content type. Given an ``upstream`` URL (a ``flowspec serve`` on loopback) it is
a proxy: requests pass through unchanged, except those a test scripts a fault for, and a
fault may strike before or after the request reached the server behind it
(``forward=True``). It counts what it received and what it forwarded, so a test can prove
that an interaction reached the server once.

Import it by name (``from faults import ...``): pytest puts ``tests/remote/`` on
``sys.path`` for the tests beside it.
"""

from __future__ import annotations

import http.client
import json
import socket
import socketserver
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlsplit

# How long a fault that holds a connection open may hold it: past any test's timeouts,
# short of hanging the suite if a test forgets to stop the server.
HOLD_SECONDS: Final = 30.0
# Request headers a proxy sets itself rather than passing on.
_HOP_BY_HOP: Final = frozenset({"host", "connection", "content-length", "keep-alive"})
_RESPONSE_HOP_BY_HOP: Final = frozenset(
    {"connection", "content-length", "transfer-encoding", "keep-alive"}
)
# What the server answers without an upstream: a flow response, or a user for /v1/auth/me.
CANNED_FLOW: Final = {
    "executionId": "E1",
    "stepId": "S1",
    "stepName": "Step S1",
    "status": "waiting",
    "action": "screen",
    "screen": {"id": "welcome", "state": {}},
}
CANNED_USER: Final = {"userId": "U1", "loginIds": ["one@faults.test"]}


@dataclass(frozen=True)
class Received:
    """One request as the fault server read it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass(frozen=True)
class Upstream:
    """The answer of the server behind the proxy."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class Exchange:
    """One request in the fault server's hands, and the means to answer or break it."""

    def __init__(self, server: FaultServer, connection: socket.socket, request: Received):
        self.server = server
        self.request = request
        self._connection = connection
        # False once a fault has ended the connection: nothing more is read from it.
        self.open = True

    def forward(self) -> Upstream:
        """Send the request to the upstream server, as it came, and return its answer."""
        return self.server.forward(self.request)

    def body(self, forward: bool) -> tuple[int, bytes]:
        """The status and body to answer with: the upstream's, or the canned one."""
        if forward:
            answer = self.forward()
            return answer.status, answer.body
        canned = CANNED_USER if self.request.path == "/v1/auth/me" else CANNED_FLOW
        return 200, json.dumps(canned).encode()

    def head(
        self,
        status: int,
        length: int,
        content_type: str = "application/json",
        extra: list[tuple[str, str]] | None = None,
    ) -> bytes:
        reason = http.client.responses.get(status, "Unknown")
        lines = [f"HTTP/1.1 {status} {reason}", f"Content-Type: {content_type}"]
        lines += [f"Content-Length: {length}", *(f"{k}: {v}" for k, v in extra or [])]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def send(self, data: bytes) -> None:
        self._connection.sendall(data)

    def answer(
        self,
        status: int,
        body: bytes,
        content_type: str = "application/json",
        extra: list[tuple[str, str]] | None = None,
    ) -> None:
        self.send(self.head(status, len(body), content_type, extra) + body)

    def relay(self, answer: Upstream) -> None:
        """Pass the upstream's answer on, headers and all."""
        kept = [(k, v) for k, v in answer.headers if k.lower() not in _RESPONSE_HOP_BY_HOP]
        content_type = dict((k.lower(), v) for k, v in kept).pop("content-type", "")
        extra = [(k, v) for k, v in kept if k.lower() != "content-type"]
        self.answer(answer.status, answer.body, content_type, extra)

    def reset(self) -> None:
        """End the connection with a TCP reset: the client reads ECONNRESET."""
        self._connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self._connection.close()
        self.open = False

    def close(self) -> None:
        """End the connection in order, without an answer: the client reads end-of-stream."""
        self._connection.shutdown(socket.SHUT_RDWR)
        self.open = False

    def hold(self) -> None:
        """Keep the connection open and silent until the server stops."""
        self.server.stopping.wait(HOLD_SECONDS)
        self.open = False


Fault = Callable[[Exchange], None]


def passthrough(exchange: Exchange) -> None:
    """Forward the request and relay the answer: the proxy's default."""
    exchange.relay(exchange.forward())


def ok(exchange: Exchange) -> None:
    """Answer 200 with the canned JSON: the default without an upstream."""
    status, body = exchange.body(forward=False)
    exchange.answer(status, body)


def hang(forward: bool = False) -> Fault:
    """Read the request (and forward it), then never answer."""

    def act(exchange: Exchange) -> None:
        if forward:
            exchange.forward()
        exchange.hold()

    return act


def drop(forward: bool = False) -> Fault:
    """Read the request (and forward it), then close the connection without an answer."""

    def act(exchange: Exchange) -> None:
        if forward:
            exchange.forward()
        exchange.close()

    return act


def reset_mid_body(forward: bool = False) -> Fault:
    """Send the headers and half the body, then reset the connection."""

    def act(exchange: Exchange) -> None:
        status, body = exchange.body(forward)
        exchange.send(exchange.head(status, len(body)) + body[: len(body) // 2])
        exchange.reset()

    return act


def status(code: int, retry_after: str | None = None, forward: bool = False) -> Fault:
    """Answer ``code`` in Descope's error shape, with ``Retry-After`` if given; with
    ``forward``, after the upstream handled the request (a gateway that lost its answer)."""

    def act(exchange: Exchange) -> None:
        if forward:
            exchange.forward()
        error = {"errorCode": f"E{code}", "errorDescription": f"injected {code}"}
        extra = [("Retry-After", retry_after)] if retry_after is not None else []
        exchange.answer(code, json.dumps(error).encode(), extra=extra)

    return act


def trickle_body(pause: float, pieces: int, forward: bool = False) -> Fault:
    """Send the headers at once, then the body in ``pieces`` parts ``pause`` s apart."""

    def act(exchange: Exchange) -> None:
        status, body = exchange.body(forward)
        exchange.send(exchange.head(status, len(body)))
        size = max(1, -(-len(body) // pieces))
        for start in range(0, len(body), size):
            time.sleep(pause)
            exchange.send(body[start : start + size])

    return act


def trickle_headers(pause: float) -> Fault:
    """Send the status line, then one header line every ``pause`` s, never finishing."""

    def act(exchange: Exchange) -> None:
        exchange.send(b"HTTP/1.1 200 OK\r\n")
        deadline = time.monotonic() + HOLD_SECONDS
        line = 0
        while time.monotonic() < deadline and not exchange.server.stopping.is_set():
            exchange.send(f"X-Trickle-{line}: {'x' * 8}\r\n".encode())
            line += 1
            time.sleep(pause)
        exchange.close()

    return act


def malformed_json(exchange: Exchange) -> None:
    """Answer 200 with a JSON body cut short."""
    exchange.answer(200, b'{"executionId": "E1", "status": ')


def wrong_content_type(exchange: Exchange) -> None:
    """Answer 200 with an HTML page, as a captive portal or a misrouted proxy does."""
    exchange.answer(200, b"<html><body>Please sign in to the network</body></html>", "text/html")


class FaultServer:
    """A loopback HTTP/1.1 server that applies a scripted fault to chosen requests.

    :meth:`inject` scripts faults for chosen requests to a path (the n-th, counted from 1
    since the server started, and those after it); every other request passes through to
    ``upstream`` or, without one, gets the canned answer.
    """

    def __init__(self, upstream: str | None = None) -> None:
        self.received: Counter[str] = Counter()
        self.forwarded: Counter[str] = Counter()
        # What went upstream and what came back, in order, for the tests' proofs.
        self.forwarded_requests: list[Received] = []
        self.upstream_answers: list[tuple[str, Upstream]] = []
        self.stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._upstream = urlsplit(upstream) if upstream else None
        self._script: dict[tuple[str, int], Fault] = {}
        self._lock = threading.Lock()
        self._server = _Listener(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def inject(self, path: str, *faults: Fault, at: int | None = None) -> None:
        """Script ``faults`` for the ``at``-th and following requests to ``path``; without
        ``at``, for the next ones."""
        with self._lock:
            first = self.received[path] + 1 if at is None else at
            for offset, fault in enumerate(faults):
                self._script[(path, first + offset)] = fault

    def fault_for(self, request: Received) -> Fault:
        with self._lock:
            self.received[request.path] += 1
            scripted = self._script.pop((request.path, self.received[request.path]), None)
        if scripted is not None:
            return scripted
        return passthrough if self._upstream else ok

    def forward(self, request: Received) -> Upstream:
        assert self._upstream is not None, "forward=True needs an upstream server"
        headers = {k: v for k, v in request.headers.items() if k not in _HOP_BY_HOP}
        upstream = http.client.HTTPConnection(
            self._upstream.hostname or "127.0.0.1", self._upstream.port, timeout=10
        )
        try:
            upstream.request(request.method, request.path, request.body or None, headers)
            response = upstream.getresponse()
            answer = Upstream(response.status, response.getheaders(), response.read())
        finally:
            upstream.close()
        with self._lock:
            self.forwarded[request.path] += 1
            self.forwarded_requests.append(request)
            self.upstream_answers.append((request.path, answer))
        return answer

    def start(self) -> FaultServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening and end every connection, kept-alive ones included."""
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        with self._lock:
            for connection in self._connections:
                try:
                    connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    continue

    def track(self, connection: socket.socket, open_: bool) -> None:
        with self._lock:
            if open_:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)


class _Listener(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def _read_request(connection: socket.socket, buffer: bytearray) -> Received | None:
    """The next request on the connection, or None once the client closed it."""
    while b"\r\n\r\n" not in buffer:
        chunk = connection.recv(65536)
        if not chunk:
            return None
        buffer += chunk
    head, _, rest = bytes(buffer).partition(b"\r\n\r\n")
    request_line, *header_lines = head.decode("latin-1").split("\r\n")
    method, target, _ = request_line.split(" ", 2)
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    body = bytearray(rest)
    while len(body) < length:
        chunk = connection.recv(65536)
        if not chunk:
            return None
        body += chunk
    buffer[:] = body[length:]
    return Received(method, target, headers, bytes(body[:length]))


def _handler_for(server: FaultServer) -> type[socketserver.BaseRequestHandler]:
    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            connection: socket.socket = self.request
            buffer = bytearray()
            server.track(connection, open_=True)
            try:
                while not server.stopping.is_set():
                    request = _read_request(connection, buffer)
                    if request is None:
                        return
                    exchange = Exchange(server, connection, request)
                    server.fault_for(request)(exchange)
                    if not exchange.open:
                        return
            except OSError:
                # The client gave up on a fault (its timeout under test): nothing to answer.
                return
            finally:
                server.track(connection, open_=False)

    return Handler
