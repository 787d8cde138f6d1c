"""A token verified again skips only its signature check: its key must still be the ring's,
and its claims are judged anew against the clock, every time."""

from __future__ import annotations

from typing import Any

import pytest

from flowspec.identity import KeyRing, TokenIssuer
from flowspec.identity import tokens as tokens_module

NOW = 1_900_000_000.0


@pytest.fixture(scope="module")
def keyring() -> KeyRing:
    return KeyRing.generate()


@pytest.fixture
def signature_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every token whose signature pyjwt checked, in order: a spy on PyJWS.decode."""
    checked: list[str] = []
    decode = tokens_module.jwt.PyJWS.decode

    def counting(self: Any, token: str, *args: Any, **options: Any) -> Any:
        checked.append(token)
        return decode(self, token, *args, **options)

    monkeypatch.setattr(tokens_module.jwt.PyJWS, "decode", counting)
    return checked


def issuer_at(keyring: KeyRing, now: list[float]) -> TokenIssuer:
    """An issuer whose clock reads ``now[0]``, which the test moves."""
    return TokenIssuer("P2test", keyring, clock=lambda: now[0])


def test_a_token_verified_again_has_its_signature_checked_once(
    keyring: KeyRing, signature_checks: list[str]
) -> None:
    issuer = issuer_at(keyring, [NOW])
    token = issuer.mint("U1", kind="refresh", claims={"roles": ["admin"]})
    first, again = issuer.verify(token), issuer.verify(token)
    assert first.accepted
    assert again.accepted
    assert again.claims == first.claims
    assert signature_checks == [token]


def test_a_token_seen_before_still_expires(keyring: KeyRing, signature_checks: list[str]) -> None:
    now = [NOW]
    issuer = issuer_at(keyring, now)
    token = issuer.mint("U1", kind="session", ttl_seconds=60)
    assert issuer.verify(token, kind="session").accepted
    now[0] += 60 + tokens_module.LEEWAY_SECONDS + 1
    verdict = issuer.verify(token, kind="session")
    assert (verdict.accepted, verdict.code) == (False, "expired")
    assert len(signature_checks) == 1


def test_a_token_seen_before_is_judged_by_kind_each_time(keyring: KeyRing) -> None:
    issuer = issuer_at(keyring, [NOW])
    token = issuer.mint("U1", kind="refresh")
    assert issuer.verify(token, kind="refresh").accepted
    assert issuer.verify(token, kind="session").code == "wrong-kind"


def test_each_verdict_holds_claims_of_its_own(keyring: KeyRing) -> None:
    issuer = issuer_at(keyring, [NOW])
    token = issuer.mint("U1", kind="refresh", claims={"tenants": {"T1": {"roles": ["a"]}}})
    first = issuer.verify(token)
    first.claims["tenants"]["T1"]["roles"].append("forged")  # type: ignore[index]
    assert issuer.verify(token).claims["tenants"] == {"T1": {"roles": ["a"]}}


def test_a_token_whose_key_left_the_ring_is_refused_though_seen_before(
    keyring: KeyRing,
) -> None:
    issuer = issuer_at(keyring, [NOW])
    token = issuer.mint("U1", kind="refresh")
    assert issuer.verify(token).accepted
    issuer.keyring = KeyRing.generate()
    assert issuer.verify(token).code == "unknown-key"


def test_another_signature_on_a_token_seen_before_is_checked(keyring: KeyRing) -> None:
    issuer = issuer_at(keyring, [NOW])
    token = issuer.mint("U1", kind="refresh")
    assert issuer.verify(token).accepted
    head, payload, signature = token.split(".")
    forged = f"{head}.{payload}.{signature[:-4]}{'AAAA' if signature[-4:] != 'AAAA' else 'BBBB'}"
    assert issuer.verify(forged).code == "bad-signature"
