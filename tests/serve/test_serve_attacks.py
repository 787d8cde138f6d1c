"""The JWT attack matrix end to end, and bodies past the limit, over real loopback sockets.

Every row of ``tests/jwt_attacks.py`` goes through six doors: the local runner, given the
token as the SDK's refresh JWT and as the console runner's input ``jwt``; and
``flowspec serve``, given it on ``/v1/flow/start`` in the ``Authorization`` header and
as the input ``jwt``, and on ``/v1/auth/refresh`` and ``/v1/auth/me``. A flow start goes
on anonymous with the verdict in ``session``; the session endpoints answer 401 in
Descope's error shape. Nothing shows the token, in an answer or a log line, and nothing
fails: no 500, no exception.
"""

from __future__ import annotations

import json
import logging
import re
import select
import socket
import textwrap
import time
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from jwt_attacks import ATTACKS, AUDIENCE, GENUINE, Attack, Forge, secret_pieces, wire_bytes

from flowspec.engine.runner import LocalRunner
from flowspec.engine.world import World
from flowspec.errors import SettingsError
from flowspec.identity import KeyRing
from flowspec.serve import BackgroundServer, create_app
from flowspec.serve.bodies import MAX_BODY_BYTES

PROJECT = "P2serveAttacks"
USER = "U1target"
MANAGEMENT_KEY = "attack-matrix-management-key"
ERROR_FIELDS = {"errorCode", "errorDescription", "errorMessage"}

PROJECT_YAML = f"""
projectId: {PROJECT}
audience: {AUDIENCE}
roles:
  admin: {{permissions: [Impersonate]}}
"""
USERS_YAML = f"""
users:
  - userId: {USER}
    loginIds: [target@attacks.test]
    email: target@attacks.test
    roles: [admin]
"""
# Signed in or not, the run shows it by the screen it waits on.
GATE_YAML = """
flow: gate
start: Signed in?
tasks:
  Signed in?:
    condition:
      - branch: Yes
        when:
          - user.loggedIn: is-true
        then: Welcome back
      - else: Who are you
  Welcome back:
    screen: welcome-back
  Who are you:
    screen: who-are-you
"""
SIGNED_IN, ANONYMOUS = "Welcome back", "Who are you"


def write_world(root: Path, project_yaml: str = PROJECT_YAML) -> Path:
    (root / "flows").mkdir(parents=True, exist_ok=True)
    (root / "project.yaml").write_text(textwrap.dedent(project_yaml))
    (root / "users.yaml").write_text(textwrap.dedent(USERS_YAML))
    (root / "flows" / "gate.yaml").write_text(textwrap.dedent(GATE_YAML))
    return root


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    """A one-user world that requires the matrix's audience, with the gate flow."""
    return World.load(write_world(tmp_path_factory.mktemp("attack-world")))


@pytest.fixture(scope="module")
def server(world: World) -> Iterator[str]:
    """``flowspec serve`` of that world on a free loopback port; its base URL."""
    with BackgroundServer(create_app(world, management_key=MANAGEMENT_KEY)) as running:
        yield running.url


@pytest.fixture(scope="module")
def stranger() -> KeyRing:
    """The attacker's own signing key."""
    return KeyRing.generate("Kstranger")


@pytest.fixture
def http(server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=10.0) as client:
        yield client


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> Iterator[Callable[[], str]]:
    """Everything logged while the test runs, from any thread (the server's included)."""
    with caplog.at_level(logging.DEBUG):
        yield lambda: "\n".join(
            f"{record.getMessage()}\n{record.exc_text or ''}" for record in caplog.records
        )


@dataclass(frozen=True)
class Judged:
    """What a backend made of a token: the verdict code it recorded, whether the run
    was signed in (None where no run starts), and all it showed, as text."""

    code: str
    signed_in: bool | None
    shown: str


def _local(world: World, token: str, *, as_input: bool) -> Judged:
    runner = LocalRunner(world)
    run = (
        runner.start("gate", inputs={"jwt": token})
        if as_input
        else runner.start("gate", refresh_jwt=token)
    )
    context = run.context
    assert context["user"]["loggedIn"] is (context["screen"]["name"] == SIGNED_IN)
    shown = json.dumps(context, ensure_ascii=False, default=str)
    return Judged(context["session"]["code"], context["user"]["loggedIn"], shown)


def _authorization(token: str | None) -> bytes:
    return b"Bearer " + PROJECT.encode() + (b":" + wire_bytes(token) if token else b"")


def _start(http: httpx.Client, token: str, *, as_input: bool) -> Judged:
    body = {"flowId": "gate", **({"input": {"jwt": token}} if as_input else {})}
    response = http.post(
        "/v1/flow/start",
        # ASCII JSON: raw bytes that are no UTF-8 travel as \\udcXX escapes.
        content=json.dumps(body).encode("ascii"),
        headers={
            "Authorization": _authorization(None if as_input else token),
            "Content-Type": "application/json",
        },
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    signed_in = answer["screen"]["name"] == SIGNED_IN
    assert ("user" in answer["flowspec"]) is signed_in
    return Judged(answer["flowspec"]["session"]["code"], signed_in, response.text)


def _session_endpoint(http: httpx.Client, method: str, path: str, token: str) -> Judged:
    response = http.request(method, path, headers={"Authorization": _authorization(token)})
    if response.status_code == 200:
        return Judged("accepted", None, response.text)
    assert response.status_code == 401, response.text
    answer = response.json()
    assert set(answer) == ERROR_FIELDS
    assert answer["errorCode"] == "FS40100"
    found = re.match(r"the refresh JWT is rejected \(([a-z-]+)\): .+", answer["errorMessage"])
    assert found, answer["errorMessage"]
    return Judged(found[1], None, response.text)


Backend = Callable[[World, httpx.Client, str], Judged]
BACKENDS: dict[str, Backend] = {
    "local-refresh-jwt": lambda world, _, token: _local(world, token, as_input=False),
    "local-jwt-input": lambda world, _, token: _local(world, token, as_input=True),
    "serve-start-header": lambda _, http, token: _start(http, token, as_input=False),
    "serve-start-jwt-input": lambda _, http, token: _start(http, token, as_input=True),
    "serve-refresh": lambda _, http, token: _session_endpoint(
        http, "POST", "/v1/auth/refresh", token
    ),
    "serve-me": lambda _, http, token: _session_endpoint(http, "GET", "/v1/auth/me", token),
}


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("attack", ATTACKS, ids=lambda attack: attack.name)
def test_each_attack_is_refused_by_each_backend_and_never_shown(
    world: World,
    stranger: KeyRing,
    http: httpx.Client,
    logs: Callable[[], str],
    attack: Attack,
    backend: str,
) -> None:
    """The row's token is refused with its verdict code: a run goes on anonymous, a
    session endpoint answers 401 FS40100; neither the answer nor any log line shows it."""
    token = attack.build(Forge(world.issuer, stranger, USER))
    judged = BACKENDS[backend](world, http, token)

    assert judged.code == attack.code
    assert judged.signed_in is not True
    for piece in secret_pieces(token):
        assert piece not in judged.shown
        assert piece not in logs()


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_genuine_row_is_accepted_by_each_backend(
    world: World, stranger: KeyRing, http: httpx.Client, backend: str
) -> None:
    """A token the project signed passes every door: the harness refuses nothing itself."""
    judged = BACKENDS[backend](world, http, GENUINE.build(Forge(world.issuer, stranger, USER)))

    assert judged.code == "accepted"
    assert judged.signed_in is not False


@pytest.mark.parametrize(
    ("value", "named"),
    [(42, "a number"), ({"jwt": "x"}, "an object"), (["x"], "an array"), (True, "a boolean")],
    ids=["number", "object", "array", "boolean"],
)
def test_a_jwt_input_that_is_no_string_starts_anonymous_saying_what_it_is(
    world: World, http: httpx.Client, value: object, named: str
) -> None:
    """An input ``jwt`` of any other JSON type starts the run anonymous, locally and
    through ``flowspec serve``, with a malformed verdict naming the type."""
    local = LocalRunner(world).start("gate", inputs={"jwt": value}).context
    served = http.post(
        "/v1/flow/start",
        json={"flowId": "gate", "input": {"jwt": value}},
        headers={"Authorization": f"Bearer {PROJECT}"},
    )

    assert served.status_code == 200, served.text
    for session, screen in (
        (local["session"], local["screen"]["name"]),
        (served.json()["flowspec"]["session"], served.json()["screen"]["name"]),
    ):
        assert screen == ANONYMOUS
        assert (session["code"], session["reason"]) == (
            "malformed",
            f"the token is {named}, not a string",
        )


def test_the_world_reads_its_audience_and_mints_with_it(world: World) -> None:
    """``audience`` in project.yaml reaches the issuer, and the world's tokens carry it."""
    token = world.refresh_token(world.user(USER))

    assert world.issuer.audience == AUDIENCE
    assert world.issuer.verify(token).claims["aud"] == AUDIENCE


@pytest.mark.parametrize("value", ["42", '""', "[a, b]"], ids=["number", "empty", "list"])
def test_an_audience_that_is_no_string_is_a_settings_error(tmp_path: Path, value: str) -> None:
    """An audience that is not a non-empty string stops the world loading, naming the
    file and what to write."""
    root = write_world(tmp_path, PROJECT_YAML.replace(AUDIENCE, value))

    with pytest.raises(SettingsError, match=r"project\.yaml: audience must be a non-empty"):
        World.load(root)


# Bounded request bodies: refused with 413 in Descope's error shape, unread.

BODY_ROUTES = [
    "/v1/flow/start",
    "/v1/flow/next",
    "/v2/mgmt/flow/export",
    "/v1/mgmt/tests/generate/otp",
    "/v1/auth/otp/verify/email",
    "/v1/mgmt/flowspec/sign-in",
]


def _connect(server: str) -> socket.socket:
    address = urlsplit(server)
    assert address.hostname
    assert address.port
    return socket.create_connection((address.hostname, address.port), timeout=10)


def _head(path: str, framing: str) -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: attacks\r\n"
        f"Authorization: Bearer {PROJECT}:{MANAGEMENT_KEY}\r\n"
        f"Content-Type: application/json\r\n{framing}\r\n\r\n"
    ).encode()


def _answer(raw: socket.socket) -> tuple[int, dict[str, object]]:
    """The status and JSON body of the one HTTP/1.1 answer on ``raw``."""
    received = b""
    while b"\r\n\r\n" not in received:
        chunk = raw.recv(65536)
        assert chunk, "the server closed the connection without an answer"
        received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    length = int(re.search(rb"(?i)content-length: *(\d+)", head)[1])  # type: ignore[index]
    while len(body) < length:
        body += raw.recv(65536)
    return int(head.split()[1]), json.loads(body[:length])


def _too_large(status: int, answer: dict[str, object]) -> None:
    assert status == 413
    assert set(answer) == ERROR_FIELDS
    assert answer["errorCode"] == "FS41300"
    assert answer["errorMessage"] == (
        f"the body is larger than {MAX_BODY_BYTES} bytes, the most this server reads"
    )


@pytest.mark.parametrize("path", BODY_ROUTES)
def test_a_declared_oversize_body_is_refused_on_every_route_before_it_is_sent(
    server: str, path: str
) -> None:
    """A Content-Length of 1 GiB on any route that reads a body is answered 413
    FS41300 at once, while not a byte of the body has been sent."""
    with _connect(server) as raw:
        raw.sendall(_head(path, f"Content-Length: {1024**3}"))
        _too_large(*_answer(raw))


def test_a_chunked_body_is_refused_once_past_the_limit_before_it_ends(server: str) -> None:
    """A body streamed in chunks, with no Content-Length and no end, is answered 413
    FS41300 once the server has read past 1 MiB; the process holds a few MiB at most
    while it streams, never the body offered (up to 64 MiB)."""
    chunk = b" " * 65536
    framed = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    offered = 0
    tracemalloc.start()
    try:
        with _connect(server) as raw:
            raw.sendall(_head("/v1/flow/start", "Transfer-Encoding: chunked"))
            while offered < 64 * 1024 * 1024 and not select.select([raw], [], [], 0)[0]:
                try:
                    raw.sendall(framed)
                except (BrokenPipeError, ConnectionResetError):
                    break
                offered += len(chunk)
            _too_large(*_answer(raw))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert MAX_BODY_BYTES < offered < 16 * MAX_BODY_BYTES
    assert peak < 4 * MAX_BODY_BYTES


@pytest.mark.parametrize(("size", "status"), [(MAX_BODY_BYTES, 200), (MAX_BODY_BYTES + 1, 413)])
def test_the_limit_is_exactly_1_mib(http: httpx.Client, size: int, status: int) -> None:
    """A body of exactly 1 MiB is read; one byte more is refused."""
    start = b'{"flowId": "gate"}'
    body = start + b" " * (size - len(start))
    response = http.post(
        "/v1/flow/start", content=body, headers={"Authorization": f"Bearer {PROJECT}"}
    )

    assert response.status_code == status, response.text


def test_a_client_that_abandons_its_body_costs_no_error(
    server: str, http: httpx.Client, logs: Callable[[], str]
) -> None:
    """A client that hangs up halfway through a chunked body leaves no error in the log,
    and the server answers the next request as usual."""
    with _connect(server) as raw:
        raw.sendall(_head("/v1/flow/start", "Transfer-Encoding: chunked") + b'10\r\n{"flowId"')
    time.sleep(0.2)

    assert "Traceback" not in logs()
    started = http.post(
        "/v1/flow/start", json={"flowId": "gate"}, headers={"Authorization": f"Bearer {PROJECT}"}
    )
    assert started.status_code == 200
