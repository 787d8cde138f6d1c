"""Every refusal in Descope's error shape: bad bodies, unknown routes, the engine's own
errors, and failures nobody expected; none of them stops the server or shows a token."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

import flowspec.serve.app
from flowspec.serve.bodies import MAX_BODY_BYTES

ERROR_FIELDS = {"errorCode", "errorDescription", "errorMessage"}


def refusal(response, status: int, code: str) -> str:
    """Check ``response`` is the error shape with ``status`` and ``code``; its message."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == ERROR_FIELDS
    assert body["errorCode"] == code
    return str(body["errorMessage"])


def read_answer(raw: socket.socket) -> tuple[bytes, bytes]:
    """The head and the body of one HTTP/1.1 answer, read up to its Content-Length."""

    def more() -> bytes:
        chunk = raw.recv(4096)
        assert chunk, "the server closed the connection in the middle of its answer"
        return chunk

    received = b""
    while b"\r\n\r\n" not in received:
        received += more()
    head, _, body = received.partition(b"\r\n\r\n")
    length = next(
        int(line.partition(b":")[2])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        body += more()
    return head, body


def post_start(api, content: bytes | Iterator[bytes]):
    return api.http.post("/v1/flow/start", content=content, headers=api.auth())


def test_a_body_that_is_not_json_is_a_bad_request(api) -> None:
    """Malformed JSON answers 400 FS40000 naming where the parse failed."""
    message = refusal(post_start(api, b'{"flowId": '), 400, "FS40000")

    assert "not JSON" in message
    assert "line 1" in message


@pytest.mark.parametrize(
    ("body", "named"),
    [
        (b"[]", "JSON object"),
        (b"", "empty"),
        (b'{"input": {}}', '"flowId"'),
        (b'{"flowId": 7}', '"flowId"'),
        (b'{"flowId": "step-up", "input": []}', '"input"'),
        (b'{"flowId": "step-up", "options": {"deviceInfo": "yes"}}', '"deviceInfo"'),
    ],
)
def test_a_body_without_the_fields_a_start_needs_is_a_bad_request(
    api, body: bytes, named: str
) -> None:
    """A body that is no object, lacks flowId, or holds a field of the wrong type answers
    400 FS40000 naming what is wrong."""
    assert named in refusal(post_start(api, body), 400, "FS40000")


def test_a_next_without_its_execution_id_is_a_bad_request(api) -> None:
    """A next body without executionId answers 400 FS40000 naming the field."""
    body = {"stepId": "x", "interactionId": "y"}
    response = api.http.post("/v1/flow/next", json=body, headers=api.auth())

    assert '"executionId"' in refusal(response, 400, "FS40000")


def test_a_body_over_the_limit_is_refused_with_413(api) -> None:
    """A body one byte over 1 MiB answers 413 FS41300, declared or sent in chunks."""
    declared = post_start(api, b" " * (MAX_BODY_BYTES + 1))
    chunked = post_start(api, iter([b" " * 65536] * (MAX_BODY_BYTES // 65536 + 1)))

    refusal(declared, 413, "FS41300")
    refusal(chunked, 413, "FS41300")
    assert post_start(api, b'{"flowId": "step-up"}').status_code == 200


def test_an_oversized_content_length_is_refused_before_the_body_is_sent(api) -> None:
    """A request declaring 50 MiB is answered 413 at once, while not a byte of the body
    has been sent."""
    address = urlsplit(api.served.url)
    with socket.create_connection((address.hostname, address.port), timeout=5) as raw:
        raw.sendall(
            b"POST /v1/flow/start HTTP/1.1\r\nHost: test\r\n"
            + f"Authorization: Bearer {api.served.project_id}\r\n".encode()
            + f"Content-Length: {50 * 1024 * 1024}\r\n\r\n".encode()
        )
        head, body = read_answer(raw)

    assert head.startswith(b"HTTP/1.1 413")
    assert b"FS41300" in body


def test_an_unknown_route_or_method_answers_in_the_error_shape(api) -> None:
    """No such route answers 404 FS40400; a known route with another method 405 FS40500."""
    refusal(api.http.post("/v1/flow/begin", json={}), 404, "FS40400")
    refusal(api.http.get("/v1/flow/start"), 405, "FS40500")


def test_an_unknown_flow_answers_404_with_a_suggestion(api) -> None:
    """Starting a flow the world lacks answers 404 FS40400 and names the closest flow."""
    message = refusal(api.start("step-upp"), 404, "FS40400")

    assert "'step-up'" in message


def test_an_unstubbed_connector_is_a_422_and_the_server_carries_on(small_api) -> None:
    """A connector the world does not stub answers 422 FS42200 naming the task and the
    step to add, and the server answers the next request as usual."""
    waiting = small_api.start("unstubbed")
    message = refusal(small_api.next(waiting, "go"), 422, "FS42200")

    assert '"Ask CRM"' in message
    assert "Given the connector" in message
    assert small_api.start("unstubbed").status_code == 200


def test_a_flow_that_loops_is_a_422_flow_misbehaved(small_api) -> None:
    """A flow that runs past the step limit answers 422 FS42201, not a failed run."""
    message = refusal(small_api.start("loops"), 422, "FS42201")

    assert "loops" in message


def test_an_unknown_button_is_a_422_and_the_run_still_waits(api) -> None:
    """A click on a button the screen lacks answers 422 FS42200 with a suggestion, and
    the execution still takes the right click with the same nonce."""
    welcome = api.start("sign-up-or-in")
    message = refusal(
        api.next(welcome, "email-me-a-cod", {"email": "bob@acme.test"}), 422, "FS42200"
    )

    assert "'email-me-a-code'" in message
    assert api.next(welcome, "email-me-a-code", {"email": "bob@acme.test"}).status_code == 200


def test_a_click_without_a_required_input_is_a_422(api) -> None:
    """A validating button clicked with a required input empty answers 422 FS42200
    naming the input."""
    welcome = api.start("sign-up-or-in")

    assert '"email"' in refusal(api.next(welcome, "email-me-a-code"), 422, "FS42200")


def test_a_token_sent_anywhere_is_never_quoted_back(api) -> None:
    """A refresh JWT sent as a button id is redacted from the error that quotes it."""
    world = api.served.world
    token = world.refresh_token(world.user("bob@acme.test"))
    response = api.next(api.start("sign-up-or-in"), token)

    assert "<redacted JWT>" in refusal(response, 422, "FS42200")
    assert token not in response.text


def test_an_unexpected_failure_answers_500_and_logs_no_token(
    api, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """An exception nobody planned for answers 500 FS50000, is logged with tokens
    redacted, and the next request is served as usual."""
    world = api.served.world
    token = world.refresh_token(world.user("bob@acme.test"))

    def broken(execution: object) -> dict[str, object]:
        raise RuntimeError(f"cannot write {token}")

    monkeypatch.setattr(flowspec.serve.app, "flow_response", broken)
    with caplog.at_level(logging.ERROR, logger="flowspec.serve"):
        response = api.start("step-up")
    monkeypatch.undo()

    message = refusal(response, 500, "FS50000")
    assert token not in message
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "RuntimeError: cannot write <redacted JWT>" in logged
    assert token not in logged
    assert api.start("step-up").status_code == 200
