"""A refresh token at its size limit, sent in a header that arrives in pieces, still gets
Descope's error shape: serve's HTTP parser has room for it."""

from __future__ import annotations

import json
import socket
import time
from typing import Any
from urllib.parse import urlsplit

# tests/serve/conftest.py's Served: the url and the world of a running server.
Served = Any


def test_a_large_authorization_header_sent_in_pieces_gets_a_json_401(
    scenarios_served: Served,
) -> None:
    """A bogus token of 16 KiB (the most a token may be), whose header block arrives all
    but its last line break first, is answered 401 in Descope's shape, not with the HTTP
    parser's plain-text refusal of a long unfinished header."""
    where = urlsplit(scenarios_served.url)
    token = "eyJ" + "A" * (16 * 1024 - 3)
    head = (
        "GET /v1/auth/me HTTP/1.1\r\n"
        f"Host: {where.netloc}\r\n"
        f"Authorization: Bearer {scenarios_served.project_id}:{token}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    with socket.create_connection((where.hostname, where.port), timeout=10) as connection:
        connection.sendall(head[:-2])
        time.sleep(0.2)
        connection.sendall(head[-2:])
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line.startswith(b"HTTP/1.1 401"), answer[:300]
    body = json.loads(rest.partition(b"\r\n\r\n")[2])
    assert set(body) >= {"errorCode", "errorDescription", "errorMessage"}
    assert token not in rest.decode()


def test_a_header_that_never_ends_is_refused_and_the_connection_closed(
    scenarios_served: Served,
) -> None:
    """A client sending one header without end gets the HTTP parser's plain 400 once the
    unfinished head passes 32 KiB (serve.protocol.HEAD_BYTES), and its connection is
    closed: the server never holds more than that and a piece."""
    where = urlsplit(scenarios_served.url)
    head = f"GET /v1/auth/me HTTP/1.1\r\nHost: {where.netloc}\r\nX-Endless: ".encode()
    sent = 0
    with socket.create_connection((where.hostname, where.port), timeout=10) as connection:
        connection.sendall(head)
        answer = b""
        try:
            while sent < 4 * 1024 * 1024:
                connection.sendall(b"a" * 4096)
                sent += 4096
                time.sleep(0.001)
        except OSError:  # the server closed the connection while the client still sent
            pass
        try:
            while chunk := connection.recv(65536):
                answer += chunk
        except OSError:
            pass
    assert answer.startswith(b"HTTP/1.1 400"), answer[:300]
    assert b"Invalid HTTP request received." in answer
    assert sent < 1024 * 1024
