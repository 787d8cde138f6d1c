"""A fake Descope on a real loopback socket, scripted per test, and quick settings for it.

Each test scripts, per path, the answers (or faults) the fake gives in turn, then reads
what it received. No mocking library and no httpx transport: the client under test opens
real TCP connections to 127.0.0.1.
"""

from __future__ import annotations

import base64
import json
import socket
import struct
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from flowspec.engine.world import World
from flowspec.remote import RemoteRunner, RemoteSettings, RetryPolicy, Timeouts
from flowspec.remote.settings import ENV_BASE_URL, ENV_MANAGEMENT_KEY, ENV_PROJECT_ID
from flowspec.serve import BackgroundServer, create_app

PROJECT_ID = "P2fakeProject"

ROOT = Path(__file__).resolve().parents[2]
# The management key of the served world the end-to-end tests start.
SERVED_KEY = "K2servedManagementKey"
Action = Callable[[BaseHTTPRequestHandler], None]


@dataclass(frozen=True)
class Seen:
    """One request the fake received."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any
    # The client's port: requests sharing it came over one kept-alive connection.
    peer_port: int


class FakeDescope:
    """Scripted answers per path, and a record of every request received."""

    project_id = PROJECT_ID

    def __init__(self) -> None:
        self.seen: list[Seen] = []
        self._script: dict[str, list[Action]] = defaultdict(list)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        # A short poll interval, so that stopping the fake does not cost half a second.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def on(self, path: str, *actions: Action) -> None:
        """Answer the next requests to ``path`` with these actions, in order."""
        with self._lock:
            self._script[path].extend(actions)

    def count(self, path: str) -> int:
        return sum(1 for request in self.seen if request.path == path)

    def requests(self, path: str) -> list[Seen]:
        return [request for request in self.seen if request.path == path]

    @staticmethod
    def reply(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Action:
        """Answer with ``body`` as JSON."""
        return FakeDescope.raw(status, "application/json", json.dumps(body).encode(), headers)

    @staticmethod
    def raw(
        status: int, content_type: str, data: bytes, headers: dict[str, str] | None = None
    ) -> Action:
        """Answer with exactly these bytes and this content type."""

        def act(handler: BaseHTTPRequestHandler) -> None:
            handler.send_response(status)
            handler.send_header("Content-Type", content_type)
            handler.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(data)

        return act

    @staticmethod
    def after(seconds: float, then: Action) -> Action:
        """Wait, then act: a server slower than the client's read timeout."""

        def act(handler: BaseHTTPRequestHandler) -> None:
            time.sleep(seconds)
            then(handler)

        return act

    @staticmethod
    def reset_mid_body() -> Action:
        """Promise a body, send part of it, then reset the connection."""

        def act(handler: BaseHTTPRequestHandler) -> None:
            handler.send_response(200)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", "1000")
            handler.end_headers()
            handler.wfile.write(b'{"executionId": "x", ')
            # Linger 0: close sends a reset, not an orderly end of stream.
            linger = struct.pack("ii", 1, 0)
            handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
            handler.connection.close()
            handler.close_connection = True

        return act

    @staticmethod
    def slow_body(body: Any, pause: float, pieces: int) -> Action:
        """Send a JSON body in ``pieces`` parts with ``pause`` seconds between them."""

        def act(handler: BaseHTTPRequestHandler) -> None:
            data = json.dumps(body).encode()
            handler.send_response(200)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            size = max(1, len(data) // pieces)
            for start in range(0, len(data), size):
                handler.wfile.write(data[start : start + size])
                handler.wfile.flush()
                time.sleep(pause)

        return act

    def take(self, request: Seen) -> Action:
        with self._lock:
            self.seen.append(request)
            queue = self._script[request.path]
            if queue:
                return queue.pop(0)
        return self.reply({"errorCode": "FAKE", "errorDescription": "unscripted request"}, 599)

    def settings(self, **retries: Any) -> RemoteSettings:
        """Settings for this fake, with timeouts and backoffs small enough for a test suite."""
        policy = {"attempts": 3, "backoff": 0.01, "max_wait": 0.2, "budget": 3.0, **retries}
        return RemoteSettings(
            base_url=self.url,
            project_id=PROJECT_ID,
            timeouts=Timeouts(connect=0.5, read=0.3, write=0.5, pool=0.5),
            retries=RetryPolicy(**policy),
        )

    @staticmethod
    def waiting(
        step: str = "S1", screen: dict[str, Any] | None = None, **extra: Any
    ) -> dict[str, Any]:
        """A flow response waiting on a screen."""
        return {
            "executionId": "E1",
            "stepId": step,
            "stepName": f"Step {step}",
            "status": "waiting",
            "action": "screen",
            "screen": screen if screen is not None else {"id": "welcome", "state": {}},
            **extra,
        }

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def _handler_for(fake: FakeDescope) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self._serve()

        def do_POST(self) -> None:
            self._serve()

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            data = self.rfile.read(length) if length else b""
            seen = Seen(
                self.command,
                self.path,
                {name.lower(): value for name, value in self.headers.items()},
                json.loads(data) if data else None,
                self.client_address[1],
            )
            try:
                fake.take(seen)(self)
            except OSError:
                # The client gave up (a timeout under test); nothing is left to answer.
                self.close_connection = True

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


@pytest.fixture
def fake() -> Iterator[FakeDescope]:
    """A fake Descope listening on a free loopback port for one test."""
    server = FakeDescope()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loopback calls must not be sent to a proxy a developer's shell configures."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def closed_url() -> str:
    """The URL of a loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def _segment(value: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


@pytest.fixture
def make_jwt() -> Callable[[dict[str, Any]], str]:
    """Build real-looking RS256-shaped JWTs (signed by no one) that carry given claims."""
    signature = base64.urlsafe_b64encode(bytes(range(200, 256)) * 4).rstrip(b"=").decode()

    def build(claims: dict[str, Any]) -> str:
        header = {"alg": "RS256", "kid": "K1", "typ": "JWT"}
        return f"{_segment(header)}.{_segment(claims)}.{signature}"

    return build


@pytest.fixture
def runner_for() -> Iterator[Callable[[RemoteSettings], RemoteRunner]]:
    """Runners for given settings, closed when the test ends."""
    made: list[RemoteRunner] = []

    def make(settings: RemoteSettings) -> RemoteRunner:
        made.append(RemoteRunner(settings))
        return made[-1]

    yield make
    for runner in made:
        runner.close()


@pytest.fixture
def served_remote(monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    """The real flowspec serve of ``scenarios/`` with a management key, and the remote
    backend's environment pointing at it (``FLOWSPEC_MANAGEMENT_KEY`` holds the key)."""
    world = World.load(ROOT / "scenarios")
    with BackgroundServer(create_app(world, management_key=SERVED_KEY)) as server:
        monkeypatch.setenv(ENV_BASE_URL, server.url)
        monkeypatch.setenv(ENV_PROJECT_ID, world.project_id)
        monkeypatch.setenv(ENV_MANAGEMENT_KEY, SERVED_KEY)
        yield world
