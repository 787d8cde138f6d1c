"""The flow API client over real loopback sockets: headers, retries only where safe,
bounded time, and errors that name the URL and the cause with tokens redacted."""

from __future__ import annotations

import http.server
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from ipaddress import ip_address
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from flowspec.errors import FlowMisbehaved, WorldError
from flowspec.remote import (
    FlowClient,
    RemoteError,
    RemoteFlowMisbehaved,
    RemoteSettings,
    RetryPolicy,
    Secret,
    Timeouts,
)
from flowspec.remote.client import NEXT_PATH, START_PATH, _speaks_tls, environment_proxy

START = {"flowId": "sign-in", "options": {}, "input": {}}
NEXT = {"executionId": "E1", "stepId": "S1", "interactionId": "go", "input": {}}


@contextmanager
def client_for(settings: RemoteSettings) -> Iterator[FlowClient]:
    client = FlowClient(settings)
    try:
        yield client
    finally:
        client.close()


def failure(call: Callable[[], Any]) -> tuple[RemoteError, float]:
    """The RemoteError ``call`` raises, and the seconds it took to raise it."""
    began = time.monotonic()
    with pytest.raises(RemoteError) as caught:
        call()
    return caught.value, time.monotonic() - began


def test_anonymous_start_sends_the_project_id_as_bearer(fake) -> None:
    """Without a token the Authorization header is 'Bearer <projectId>'."""
    fake.on(START_PATH, fake.reply(fake.waiting()))
    with client_for(fake.settings()) as client:
        reply = client.start(START)
    assert reply.body["stepId"] == "S1"
    assert fake.requests(START_PATH)[0].headers["authorization"] == f"Bearer {fake.project_id}"
    assert fake.requests(START_PATH)[0].body == START


def test_a_refresh_jwt_is_sent_after_the_project_id(
    fake, make_jwt: Callable[[dict[str, Any]], str]
) -> None:
    """With a token the header is 'Bearer <projectId>:<refreshJwt>', on start and next."""
    token = make_jwt({"sub": "U1", "drn": "DSR"})
    fake.on(START_PATH, fake.reply(fake.waiting()))
    fake.on(NEXT_PATH, fake.reply(fake.waiting("S2")))
    with client_for(fake.settings()) as client:
        client.start(START, refresh_jwt=token)
        client.next(NEXT, refresh_jwt=token, nonce="N1")
    expected = f"Bearer {fake.project_id}:{token}"
    assert fake.requests(START_PATH)[0].headers["authorization"] == expected
    assert fake.requests(NEXT_PATH)[0].headers["authorization"] == expected
    assert fake.requests(NEXT_PATH)[0].headers["x-descope-flow-nonce"] == "N1"


def test_the_nonce_header_of_an_answer_is_returned(fake) -> None:
    """The X-Descope-Flow-Nonce the server sends is handed back with the reply."""
    fake.on(START_PATH, fake.reply(fake.waiting(), headers={"X-Descope-Flow-Nonce": "N7"}))
    with client_for(fake.settings()) as client:
        assert client.start(START).nonce == "N7"


def test_keep_alive_reuses_one_connection(fake) -> None:
    """Consecutive calls of one client travel over one kept-alive connection."""
    fake.on(START_PATH, fake.reply(fake.waiting()))
    fake.on(NEXT_PATH, fake.reply(fake.waiting("S2")), fake.reply(fake.waiting("S3")))
    with client_for(fake.settings()) as client:
        client.start(START)
        client.next(NEXT)
        client.next(NEXT)
    assert len(fake.seen) == 3
    assert len({request.peer_port for request in fake.seen}) == 1


def test_a_refused_connection_is_retried_then_named(closed_url: str, fake) -> None:
    """A closed port is retried up to the attempt limit, then reported with URL and cause."""
    settings = replace(fake.settings(), base_url=closed_url)
    with client_for(settings) as client:
        error, took = failure(lambda: client.start(START))
    assert error.attempts == 3
    assert f"POST {closed_url}/v1/flow/start failed: could not connect" in str(error)
    assert "refused" in str(error).lower()
    assert "FLOWSPEC_BASE_URL" in str(error)
    assert isinstance(error, WorldError)
    assert took < 3.0


def test_a_refused_next_is_retried_because_nothing_was_sent(closed_url: str, fake) -> None:
    """Even a click is retried when the connection was never made."""
    settings = replace(fake.settings(), base_url=closed_url)
    with client_for(settings) as client:
        error, _ = failure(lambda: client.next(NEXT))
    assert error.attempts == 3
    assert "Not retried" not in str(error)


def test_429_is_retried_after_the_servers_retry_after(fake) -> None:
    """A rate-limited click waits Retry-After seconds, then succeeds on the second try."""
    limited = {"errorCode": "E130429", "errorDescription": "Too many requests"}
    fake.on(
        NEXT_PATH,
        fake.reply(limited, 429, {"Retry-After": "0.15"}),
        fake.reply(fake.waiting("S2")),
    )
    with client_for(fake.settings()) as client:
        began = time.monotonic()
        reply = client.next(NEXT)
        took = time.monotonic() - began
    assert reply.body["stepId"] == "S2"
    assert fake.count(NEXT_PATH) == 2
    assert took >= 0.14


def test_retry_after_is_capped_by_max_wait(fake) -> None:
    """A Retry-After of minutes waits no longer than retries.max-wait."""
    fake.on(
        NEXT_PATH,
        fake.reply({"errorCode": "E130429"}, 429, {"Retry-After": "600"}),
        fake.reply(fake.waiting("S2")),
    )
    with client_for(fake.settings(max_wait=0.1)) as client:
        began = time.monotonic()
        client.next(NEXT)
        assert time.monotonic() - began < 2.0
    assert fake.count(NEXT_PATH) == 2


def test_503_on_next_is_retried_until_it_succeeds(fake) -> None:
    """503 means not processed, so a click is sent again, within the attempt limit."""
    busy = fake.reply({"errorCode": "E000503", "errorDescription": "unavailable"}, 503)
    fake.on(NEXT_PATH, busy, busy, fake.reply(fake.waiting("S2")))
    with client_for(fake.settings()) as client:
        assert client.next(NEXT).body["stepId"] == "S2"
    assert fake.count(NEXT_PATH) == 3


def test_503_gives_up_after_the_attempt_limit(fake) -> None:
    """A server that stays unavailable ends in an error after exactly the allowed attempts."""
    busy = fake.reply({"errorCode": "E000503", "errorDescription": "unavailable"}, 503)
    fake.on(NEXT_PATH, busy, busy, busy, busy)
    with client_for(fake.settings()) as client:
        error, _ = failure(lambda: client.next(NEXT))
    assert fake.count(NEXT_PATH) == 3
    assert "Gave up after 3 attempts" in str(error)
    assert "HTTP 503 Service Unavailable, E000503: unavailable" in str(error)


@pytest.mark.parametrize("status", [502, 504])
def test_a_gateway_error_on_next_is_never_retried(fake, status: int) -> None:
    """After a 502 or 504 the click may have been applied, so it is sent only once."""
    fake.on(NEXT_PATH, fake.reply({}, status), fake.reply(fake.waiting("S2")))
    with client_for(fake.settings()) as client:
        error, _ = failure(lambda: client.next(NEXT))
    assert fake.count(NEXT_PATH) == 1
    assert error.status == status
    assert "Not retried: the server may already have applied this interaction" in str(error)


@pytest.mark.parametrize("status", [502, 504])
def test_a_gateway_error_on_start_is_retried(fake, status: int) -> None:
    """A lost start only orphans an execution, so start is sent again after a 502 or 504."""
    fake.on(START_PATH, fake.reply({}, status), fake.reply(fake.waiting()))
    with client_for(fake.settings()) as client:
        assert client.start(START).body["executionId"] == "E1"
    assert fake.count(START_PATH) == 2


def test_a_read_timeout_on_next_is_not_retried(fake) -> None:
    """A click whose answer never came is not sent again, and the error says why."""
    fake.on(NEXT_PATH, fake.after(1.0, fake.reply(fake.waiting("S2"))))
    with client_for(fake.settings()) as client:
        error, took = failure(lambda: client.next(NEXT))
    assert fake.count(NEXT_PATH) == 1
    assert f"POST {fake.url}/v1/flow/next failed: no response within 0.3 s" in str(error)
    assert "Not retried" in str(error)
    assert took < 1.0


def test_a_read_timeout_on_start_is_retried(fake) -> None:
    """A start that timed out is started again, and the second execution is used."""
    fake.on(
        START_PATH,
        fake.after(0.6, fake.reply(fake.waiting())),
        fake.reply({**fake.waiting(), "executionId": "E2"}),
    )
    with client_for(fake.settings()) as client:
        assert client.start(START).body["executionId"] == "E2"
    assert fake.count(START_PATH) == 2


def test_a_read_timeout_on_me_is_retried(fake) -> None:
    """/v1/auth/me changes nothing, so a slow answer is simply asked for again."""
    fake.on("/v1/auth/me", fake.after(0.6, fake.reply({})), fake.reply({"userId": "U1"}))
    with client_for(fake.settings()) as client:
        assert client.me("token") == {"userId": "U1"}
    assert fake.count("/v1/auth/me") == 2


def test_a_connection_reset_mid_body_on_next_is_not_retried(fake) -> None:
    """A response cut off mid-body means the click arrived; it is not sent again."""
    fake.on(NEXT_PATH, fake.reset_mid_body(), fake.reply(fake.waiting("S2")))
    with client_for(fake.settings()) as client:
        error, _ = failure(lambda: client.next(NEXT))
    assert fake.count(NEXT_PATH) == 1
    assert "the connection broke before the response was complete" in str(error)


def test_a_connection_reset_mid_body_on_start_is_retried(fake) -> None:
    """A start cut off mid-body is started again."""
    fake.on(START_PATH, fake.reset_mid_body(), fake.reply(fake.waiting()))
    with client_for(fake.settings()) as client:
        assert client.start(START).body["stepId"] == "S1"
    assert fake.count(START_PATH) == 2


def test_500_is_never_retried_and_carries_descopes_error(fake) -> None:
    """A 500 is an answer, not a transient failure: one request, errorCode in the message."""
    fake.on(
        START_PATH,
        fake.reply(
            {"errorCode": "E011003", "errorDescription": "Internal", "errorMessage": "x"}, 500
        ),
        fake.reply(fake.waiting()),
    )
    with client_for(fake.settings()) as client:
        error, _ = failure(lambda: client.start(START))
    assert fake.count(START_PATH) == 1
    assert "HTTP 500 Internal Server Error, E011003: Internal (x)" in str(error)
    assert error.error_code == "E011003"
    assert "Gave up" not in str(error)


def test_a_nonce_mismatch_says_what_to_do(fake) -> None:
    """E108201 explains the nonce and tells the user to start a new run."""
    fake.on(NEXT_PATH, fake.reply({"errorCode": "E108201", "errorDescription": "nonce"}, 400))
    with client_for(fake.settings()) as client:
        error, _ = failure(lambda: client.next(NEXT))
    assert "flow nonce did not match" in str(error)
    assert "start a new run" in str(error)


def test_tokens_in_an_error_are_redacted(fake, make_jwt: Callable[[dict[str, Any]], str]) -> None:
    """Neither the refresh JWT sent, nor a JWT or key the server echoes, reaches the message."""
    token = make_jwt({"sub": "U1", "drn": "DSR"})
    issued = make_jwt({"sub": "U1", "drn": "DS"})
    key = "K2mgmtKeyValue"
    echo = {
        "errorCode": "E061005",
        "errorDescription": f"bad token {token} (session {issued}) key {key}",
    }
    fake.on(NEXT_PATH, fake.reply(echo, 401))
    settings = replace(fake.settings(), management_key=Secret(key))
    with client_for(settings) as client:
        error, _ = failure(lambda: client.next(NEXT, refresh_jwt=token))
    message = str(error)
    assert token not in message
    assert issued not in message
    assert token.split(".")[1] not in message
    assert key not in message
    assert "bad token [redacted] (session <redacted JWT>) key [redacted]" in message
    assert f"{fake.url}/v1/flow/next" in message


def test_malformed_json_is_named(fake) -> None:
    """A JSON content type with a broken body reports malformed JSON and where it broke."""
    fake.on(START_PATH, fake.raw(200, "application/json", b'{"executionId": "E1",'))
    with client_for(fake.settings()) as client:
        error, _ = failure(lambda: client.start(START))
    assert "malformed JSON (Expecting property name" in str(error)
    assert fake.count(START_PATH) == 1


def test_an_html_page_is_named_as_the_wrong_content_type(fake) -> None:
    """A 200 with an HTML page says the content type and how the page starts."""
    page = b"<html><body><h1>Sign in to the corporate proxy</h1></body></html>"
    fake.on(START_PATH, fake.raw(200, "text/html; charset=utf-8", page))
    with client_for(fake.settings()) as client:
        error, _ = failure(lambda: client.start(START))
    assert "answered with text/html, not JSON: '<html><body><h1>Sign in" in str(error)
    assert "web page, a proxy or a portal" in str(error)


def test_a_non_json_error_body_is_shown(fake) -> None:
    """An HTTP error whose body is plain text shows the status and the text."""
    fake.on(NEXT_PATH, fake.raw(500, "text/plain", b"upstream exploded"))
    with client_for(fake.settings()) as client:
        error, _ = failure(lambda: client.next(NEXT))
    assert "HTTP 500 Internal Server Error, body (text/plain): 'upstream exploded'" in str(error)


def test_json_that_is_not_an_object_is_refused(fake) -> None:
    """A JSON array is not a flow response."""
    fake.on(START_PATH, fake.reply([1, 2]))
    with client_for(fake.settings()) as client:
        error, _ = failure(lambda: client.start(START))
    assert "JSON that is not an object" in str(error)


def test_an_object_without_an_execution_is_no_flow_response(fake) -> None:
    """A JSON object lacking executionId and status is refused by name."""
    fake.on(START_PATH, fake.reply({"hello": "world"}))
    with client_for(fake.settings()) as client:
        error, _ = failure(lambda: client.start(START))
    assert "no flow response: it has no executionId or status" in str(error)


def test_a_slow_body_is_abandoned_at_the_budget(fake) -> None:
    """A body trickling in under the read timeout still ends at the call's budget."""
    fake.on(START_PATH, fake.slow_body(fake.waiting(), pause=0.2, pieces=20))
    with client_for(fake.settings(budget=0.8)) as client:
        error, took = failure(lambda: client.start(START))
    assert "the response body was still arriving after 0.8 s" in str(error)
    assert took < 0.8 + 0.3 + 0.5


def test_a_slow_body_within_the_budget_is_read(fake) -> None:
    """A body that trickles but finishes in time is decoded as usual."""
    fake.on(START_PATH, fake.slow_body(fake.waiting(), pause=0.05, pieces=4))
    with client_for(fake.settings()) as client:
        assert client.start(START).body["stepId"] == "S1"


def test_retries_stop_at_the_budget_whatever_the_attempt_limit(fake) -> None:
    """With many attempts allowed, a server that stays busy still fails within the budget,
    and no retry starts unless a whole attempt (1.8 s of timeouts here) still fits."""
    busy = fake.reply({"errorCode": "E000503"}, 503)
    fake.on(NEXT_PATH, *[busy] * 100)
    settings = fake.settings(attempts=100, backoff=0.1, max_wait=0.1, budget=2.3)
    with client_for(settings) as client:
        error, took = failure(lambda: client.next(NEXT))
    assert took < 2.3
    assert "would pass the 2.3 s budget (retries.budget)" in str(error)
    assert 2 <= fake.count(NEXT_PATH) < 100


def test_a_timeout_cut_short_by_the_budget_says_so(fake) -> None:
    """When the budget is shorter than the read timeout, the error names the budget."""
    fake.on(START_PATH, fake.after(1.0, fake.reply(fake.waiting())))
    with client_for(fake.settings(budget=0.2)) as client:
        error, took = failure(lambda: client.start(START))
    assert "no response within 0.20 s, what was left of the 0.2 s budget" in str(error)
    assert took < 0.2 + 0.3


def test_me_returns_none_for_a_refused_token(fake) -> None:
    """A 401 from /v1/auth/me means the token is not accepted, not an error."""
    fake.on("/v1/auth/me", fake.reply({"errorCode": "E061004"}, 401))
    with client_for(fake.settings()) as client:
        assert client.me("token") is None


def test_a_redirect_is_not_followed_and_names_its_target(fake) -> None:
    """A 3xx is an error naming where it points; the credentials never follow it."""
    target = "https://elsewhere.test/v1/flow/start"
    fake.on(START_PATH, fake.raw(301, "text/html", b"moved", {"Location": target}))
    with client_for(fake.settings()) as client:
        error, _ = failure(lambda: client.start(START))
    assert f"The server redirects to {target}" in str(error)
    assert fake.count(START_PATH) == 1


def test_a_flow_the_server_says_misbehaved_fails_the_step(fake) -> None:
    """FS42201 raises a FlowMisbehaved (behave: failed), FS42200 a WorldError (error)."""
    fake.on(
        NEXT_PATH,
        fake.reply({"errorCode": "FS42201", "errorDescription": "the flow loops"}, 422),
        fake.reply({"errorCode": "FS42200", "errorDescription": "unknown button 'x'"}, 422),
    )
    with client_for(fake.settings()) as client:
        with pytest.raises(RemoteFlowMisbehaved) as misbehaved:
            client.next(NEXT)
        with pytest.raises(RemoteError) as wrong:
            client.next(NEXT)
    assert isinstance(misbehaved.value, FlowMisbehaved)
    assert isinstance(misbehaved.value, AssertionError)
    assert "FS42201: the flow loops" in str(misbehaved.value)
    assert not isinstance(wrong.value, FlowMisbehaved)
    assert "FS42200: unknown button 'x'" in str(wrong.value)


def test_the_proxy_the_environment_names_carries_the_calls(fake, monkeypatch) -> None:
    """With HTTP_PROXY set, as httpx's client would, a call goes to that proxy (the fake,
    here) asking for the base URL's absolute form."""
    monkeypatch.setenv("HTTP_PROXY", fake.url)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    proxied = "http://flows.example.test/v1/flow/start"
    fake.on(proxied, fake.reply(fake.waiting()))

    with client_for(replace(fake.settings(), base_url="http://flows.example.test")) as client:
        assert client.start(START).body["stepId"] == "S1"
    assert fake.count(proxied) == 1


@pytest.mark.parametrize(
    ("variables", "proxy"),
    [
        ({}, None),
        ({"HTTPS_PROXY": "proxy.example:3128"}, "http://proxy.example:3128"),
        ({"ALL_PROXY": "http://all.example:8080"}, "http://all.example:8080"),
        ({"HTTPS_PROXY": "http://proxy.example:3128", "NO_PROXY": "descope.example"}, None),
    ],
)
def test_the_proxy_is_the_environments_for_the_scheme_unless_no_proxy_names_the_host(
    monkeypatch, variables: dict[str, str], proxy: str | None
) -> None:
    """HTTPS_PROXY for an https base URL, else ALL_PROXY, none when NO_PROXY covers the
    host; a proxy named without a scheme is an HTTP proxy."""
    for name in ("NO_PROXY", "no_proxy", "all_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)

    assert environment_proxy("https://api.descope.example") == proxy


@pytest.mark.parametrize(
    ("base_url", "proxy", "tls"),
    [
        ("http://127.0.0.1:8787", None, False),
        ("http://flows.example.test", "http://proxy.example:3128", False),
        ("http://flows.example.test", "https://proxy.example:3128", True),
        ("https://api.descope.example", None, True),
        ("https://api.descope.example", "http://proxy.example:3128", True),
    ],
)
def test_certificates_are_checked_wherever_tls_may_be_spoken(
    base_url: str, proxy: str | None, tls: bool
) -> None:
    """Plain HTTP to the server and to any proxy speaks no TLS, so no certificate
    authorities are loaded (70 ms); an https URL on either side keeps them checked."""
    assert _speaks_tls(base_url, proxy) is tls


def test_a_server_whose_certificate_nobody_signed_is_refused_over_https(
    tmp_path: Path,
) -> None:
    """Over https the client checks the server's certificate: a self-signed one fails
    the call before any request leaves, and says so."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ip_address("127.0.0.1"))]), False
        )
        .sign(key, hashes.SHA256())
    )
    (tmp_path / "cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    server = http.server.HTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    settings = RemoteSettings(
        base_url=f"https://127.0.0.1:{server.server_address[1]}",
        project_id="P2test",
        timeouts=Timeouts(connect=2.0, read=2.0, write=2.0, pool=2.0),
        retries=RetryPolicy(attempts=1, backoff=0.01, max_wait=0.1, budget=5.0),
    )
    try:
        with client_for(settings) as client, pytest.raises(RemoteError) as refused:
            client.start(START)
    finally:
        server.shutdown()
        server.server_close()
    assert "CERTIFICATE_VERIFY_FAILED" in str(refused.value)


def test_a_closed_client_leaves_no_thread_behind(fake) -> None:
    """The watchdog's thread starts with the first call and is gone once the client is
    closed, so the process may fork again (to write its reports side by side)."""

    def watchdogs() -> set[threading.Thread]:
        """Watchdog threads this test started (another test's client may not be closed)."""
        return {t for t in threading.enumerate() if t.name == "flowspec-remote-watchdog"}

    others = watchdogs()
    fake.on(START_PATH, fake.reply(fake.waiting()))
    with client_for(fake.settings()) as client:
        client.start(START)
        assert len(watchdogs() - others) == 1
    assert watchdogs() - others == set()
