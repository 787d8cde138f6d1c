"""Equal claims minted within one second are signed once, and the token reused is byte for
byte what a fresh signature of that second gives."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from flowspec.identity import KeyRing, TokenIssuer, decode_claims
from flowspec.identity import tokens as tokens_module

NOW = 1_900_000_000.25


@pytest.fixture(scope="module")
def keyring() -> KeyRing:
    return KeyRing.generate()


@pytest.fixture
def signatures(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The payload of every RSA signature made, in order: a spy on pyjwt's encode."""
    made: list[dict[str, Any]] = []
    encode = tokens_module.jwt.encode

    def counting(payload: dict[str, Any], *args: Any, **options: Any) -> str:
        made.append(payload)
        return encode(payload, *args, **options)

    monkeypatch.setattr(tokens_module.jwt, "encode", counting)
    return made


def issuer_at(keyring: KeyRing, now: list[float]) -> TokenIssuer:
    """An issuer whose clock reads ``now[0]``, which the test moves."""
    return TokenIssuer("P2test", keyring, clock=lambda: now[0])


def test_equal_claims_in_one_second_are_signed_once_as_a_fresh_signature_reads(
    keyring: KeyRing, signatures: list[dict[str, Any]]
) -> None:
    """Two mints of the same claims 0.7 s apart are one signature, and the token equals
    what another issuer, with nothing reused, signs in that second; it verifies."""
    now = [NOW]
    issuer = issuer_at(keyring, now)
    first = issuer.mint("U1", kind="session", claims={"roles": ["admin"]})
    now[0] += 0.7
    again = issuer.mint("U1", kind="session", claims={"roles": ["admin"]})
    assert again == first
    assert len(signatures) == 1
    fresh = issuer_at(keyring, now).mint("U1", kind="session", claims={"roles": ["admin"]})
    assert fresh == first
    assert len(signatures) == 2
    assert issuer.verify(first, kind="session").accepted


def test_a_new_second_other_claims_kind_or_expiry_sign_anew(
    keyring: KeyRing, signatures: list[dict[str, Any]]
) -> None:
    """The next second, other claims, the other kind or an expired token each get a
    signature of their own, carrying what was asked for."""
    now = [NOW]
    issuer = issuer_at(keyring, now)
    first = issuer.mint("U1", kind="refresh")
    tokens = {
        first,
        issuer.mint("U1", kind="refresh", claims={"dct": "t1"}),
        issuer.mint("U1", kind="session"),
        issuer.mint("U1", kind="refresh", expired=True),
        issuer.mint("U2", kind="refresh"),
    }
    now[0] += 1
    later = issuer.mint("U1", kind="refresh")
    tokens.add(later)
    assert len(tokens) == 6
    assert len(signatures) == 6
    assert decode_claims(later)["iat"] == decode_claims(first)["iat"] + 1


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ({"su": True}, {"su": 1}),
        ({"level": 1.0}, {"level": 1}),
        ({"roles": ["a", "b"]}, {"roles": ["b", "a"]}),
        ({"act": {"sub": "U1"}}, {"act": {"sub": "U2"}}),
    ],
)
def test_claims_that_json_tells_apart_are_never_one_token(
    keyring: KeyRing, one: dict[str, Any], other: dict[str, Any]
) -> None:
    """Equal to Python is not equal in the token: true is not 1, nor 1.0 the integer 1."""
    issuer = issuer_at(keyring, [NOW])
    first = issuer.mint("U1", kind="session", claims=one)
    second = issuer.mint("U1", kind="session", claims=other)
    assert first != second
    assert decode_claims(first)["iat"] == decode_claims(second)["iat"]
    assert {k: decode_claims(second)[k] for k in other} == other


def test_claims_marshal_cannot_write_still_sign_once(
    keyring: KeyRing, signatures: list[dict[str, Any]]
) -> None:
    """A date pyjwt accepts for nbf keys the reuse by its text instead."""
    issuer = issuer_at(keyring, [NOW])
    moment = datetime.fromtimestamp(NOW - 60, tz=UTC)
    first = issuer.mint("U1", kind="session", claims={"nbf": moment})
    assert issuer.mint("U1", kind="session", claims={"nbf": moment}) == first
    assert len(signatures) == 1
    assert decode_claims(first)["nbf"] == int(NOW - 60)
