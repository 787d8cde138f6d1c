"""Tests for minting and verifying Descope-shaped JWTs."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from hypothesis import given, settings
from hypothesis import strategies as st

from flowspec.identity import KeyRing, TokenIssuer, Verdict, decode_claims

PROJECT = "P2flowspecTest"
NOW = 1_800_000_000.0  # 2027-01-15T08:00:00Z
KID = "K1"


@dataclass(frozen=True)
class World:
    """The keys of one test module: ours, an impostor with our kid, and a stranger."""

    ring: KeyRing
    impostor: KeyRing
    stranger: KeyRing

    def issuer(self, ring: KeyRing | None = None, at: float = NOW) -> TokenIssuer:
        return TokenIssuer(PROJECT, ring or self.ring, clock=lambda: at)


@pytest.fixture(scope="module")
def world() -> World:
    return World(KeyRing.generate(KID), KeyRing.generate(KID), KeyRing.generate("K2"))


def _segment(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _decode_segment(segment: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def _compact(header: dict[str, Any], payload: str, sign: Callable[[bytes], bytes]) -> str:
    """Build a compact JWS by hand, so tests can craft what pyjwt refuses to make."""
    signing_input = f"{_segment(json.dumps(header).encode())}.{_segment(payload.encode())}"
    return f"{signing_input}.{_segment(sign(signing_input.encode('ascii')))}"


def _rs256(key: rsa.RSAPrivateKey) -> Callable[[bytes], bytes]:
    return lambda data: key.sign(data, padding.PKCS1v15(), hashes.SHA256())


def _claims(**extra: Any) -> dict[str, Any]:
    return {"sub": "u1", "iss": PROJECT, "iat": NOW - 60, "exp": NOW + 600, "drn": "DSR", **extra}


def _hand_signed(w: World, payload: str) -> str:
    return _compact({"alg": "RS256", "kid": KID}, payload, _rs256(w.ring.current.private_key))


def _tampered(w: World) -> str:
    header, _, signature = w.issuer().mint("u1", kind="refresh").split(".")
    forged = _segment(json.dumps(_claims(sub="admin")).encode())
    return f"{header}.{forged}.{signature}"


def _hs256_with_public_pem(w: World) -> str:
    secret = w.ring.current.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return _compact(
        {"alg": "HS256", "kid": KID},
        json.dumps(_claims()),
        lambda data: hmac.new(secret, data, hashlib.sha256).digest(),
    )


Builder = Callable[[World], str]

REFRESH_MATRIX = [
    pytest.param(lambda w: w.issuer().mint("u1", kind="refresh"), "accepted", id="fresh-refresh"),
    pytest.param(
        lambda w: w.issuer().mint("u1", kind="refresh", expired=True), "expired", id="expired"
    ),
    pytest.param(
        lambda w: w.issuer().mint("u1", kind="refresh", claims={"exp": NOW - 4}),
        "accepted",
        id="expired-within-leeway",
    ),
    pytest.param(
        lambda w: w.issuer().mint("u1", kind="refresh", claims={"exp": NOW - 6}),
        "expired",
        id="expired-just-beyond-leeway",
    ),
    pytest.param(
        lambda w: w.issuer().mint("u1", kind="refresh", claims={"nbf": NOW + 60}),
        "not-yet-valid",
        id="future-nbf",
    ),
    pytest.param(
        lambda w: w.issuer().mint("u1", kind="refresh", claims={"nbf": NOW + 4}),
        "accepted",
        id="nbf-within-leeway",
    ),
    pytest.param(
        lambda w: w.issuer(at=NOW + 60).mint("u1", kind="refresh"),
        "not-yet-valid",
        id="issued-in-the-future",
    ),
    pytest.param(
        lambda w: w.issuer().mint("u1", kind="refresh", claims={"iss": "P2someoneElse"}),
        "wrong-issuer",
        id="wrong-issuer",
    ),
    pytest.param(
        lambda w: w.issuer().mint(
            "u1", kind="refresh", claims={"iss": f"https://api.descope.com/{PROJECT}"}
        ),
        "accepted",
        id="issuer-url-ending-in-project",
    ),
    pytest.param(
        lambda w: w.issuer().mint(
            "u1", kind="refresh", claims={"iss": f"https://api.descope.com/{PROJECT}/v1"}
        ),
        "wrong-issuer",
        id="issuer-url-with-project-inside",
    ),
    pytest.param(
        lambda w: w.issuer().mint("u1", kind="refresh", claims={"iss": f"ftp://x/{PROJECT}"}),
        "wrong-issuer",
        id="issuer-not-http-url",
    ),
    pytest.param(
        lambda w: w.issuer().mint("u1", kind="refresh", claims={"iss": "http://[::1/P2"}),
        "wrong-issuer",
        id="issuer-unparsable-url",
    ),
    pytest.param(_tampered, "bad-signature", id="tampered-payload"),
    pytest.param(
        lambda w: w.issuer(w.impostor).mint("u1", kind="refresh"),
        "bad-signature",
        id="other-key-same-kid",
    ),
    pytest.param(
        lambda w: w.issuer(w.stranger).mint("u1", kind="refresh"), "unknown-key", id="unknown-kid"
    ),
    pytest.param(
        lambda w: _compact(
            {"alg": "RS256"}, json.dumps(_claims()), _rs256(w.ring.current.private_key)
        ),
        "unknown-key",
        id="no-kid",
    ),
    pytest.param(
        lambda w: _compact({"alg": "none", "kid": KID}, json.dumps(_claims()), lambda _: b""),
        "unsupported-algorithm",
        id="alg-none",
    ),
    pytest.param(_hs256_with_public_pem, "unsupported-algorithm", id="hs256-public-pem-secret"),
    pytest.param(
        lambda w: w.issuer().mint("u1", kind="session"), "wrong-kind", id="session-as-refresh"
    ),
    pytest.param(
        lambda w: w.issuer().mint("u1", kind="refresh", claims={"drn": None}),
        "wrong-kind",
        id="no-drn",
    ),
    pytest.param(
        lambda w: w.issuer().mint("u1", kind="refresh", claims={"sub": None}),
        "malformed",
        id="no-sub",
    ),
    pytest.param(
        lambda w: _hand_signed(w, json.dumps(_claims(exp=float("nan")))),
        "malformed",
        id="nan-exp",
    ),
    pytest.param(
        lambda w: _hand_signed(w, json.dumps(_claims(exp=10**400))), "malformed", id="huge-exp"
    ),
    pytest.param(
        lambda w: _hand_signed(w, json.dumps(_claims(nbf="tomorrow"))),
        "malformed",
        id="text-nbf",
    ),
    pytest.param(
        lambda w: _compact(
            {"alg": "RS256", "kid": KID, "b64": False, "crit": ["b64"]},
            json.dumps(_claims()),
            _rs256(w.ring.current.private_key),
        ),
        "malformed",
        id="unencoded-payload-header",
    ),
    pytest.param(
        lambda w: w.issuer().mint("u1", kind="refresh", claims={"pad": "x" * 20_000}),
        "too-large",
        id="20kb-signed",
    ),
    pytest.param(lambda _: "e" * 10_000 + "." + "f" * 10_000, "too-large", id="20kb-garbage"),
    pytest.param(lambda _: "", "malformed", id="empty"),
    pytest.param(lambda _: "not a jwt at all, really", "malformed", id="prose"),
    pytest.param(lambda _: "...", "malformed", id="three-dots"),
    pytest.param(lambda _: "a.b.c", "malformed", id="three-letters"),
    pytest.param(
        lambda _: bytes(range(256)).decode("latin-1"), "malformed", id="non-utf8-as-latin1"
    ),
    pytest.param(lambda _: "\ud800.e30.sig", "malformed", id="lone-surrogate"),
    pytest.param(
        lambda w: w.issuer().mint("u1", kind="refresh").rpartition(".")[0] + ".\ud800",
        "malformed",
        id="lone-surrogate-signature",
    ),
    pytest.param(
        lambda w: w.issuer().mint("u1", kind="refresh").rpartition(".")[0] + ".sïg",
        "malformed",
        id="accented-signature",
    ),
    pytest.param(lambda _: f"{_segment(b'[]')}.e30.c2ln", "malformed", id="header-not-object"),
    pytest.param(
        lambda _: f"e30.{_segment(b'[' * 12_000)}.c2ln", "malformed", id="deeply-nested-payload"
    ),
]


def _assert_reason_hides_token(verdict: Verdict, token: str) -> None:
    # Very short tokens ("a.b.c") may occur in any English sentence; only longer ones matter.
    secrets_shown = [token, *token.split(".")[2:]]
    for secret in (s for s in secrets_shown if len(s) >= 20):
        assert secret not in (verdict.reason or "")


@pytest.mark.parametrize(("build", "code"), REFRESH_MATRIX)
def test_refresh_verification_matrix(world: World, build: Builder, code: str) -> None:
    """Each crafted token gets the verdict code Descope's SDKs would give, with no leak."""
    token = build(world)
    verdict = world.issuer().verify(token, kind="refresh")
    assert verdict.code == code
    assert verdict.accepted is (code == "accepted")
    assert (verdict.reason is None) is verdict.accepted
    _assert_reason_hides_token(verdict, token)


def test_session_token_accepted_where_session_is_required(world: World) -> None:
    """A session JWT verifies as a session token."""
    token = world.issuer().mint("u1", kind="session")
    assert world.issuer().verify(token, kind="session").accepted


def test_refresh_token_rejected_where_session_is_required(world: World) -> None:
    """A refresh JWT is the wrong kind where a session JWT is required."""
    token = world.issuer().mint("u1", kind="refresh")
    verdict = world.issuer().verify(token, kind="session")
    assert verdict.code == "wrong-kind"
    assert "'DS'" in (verdict.reason or "")


def test_expired_reason_names_the_instant_and_age(world: World) -> None:
    """The expiry reason gives the UTC instant and how long ago it was."""
    token = world.issuer().mint("u1", kind="session", claims={"exp": NOW - 3600})
    verdict = world.issuer().verify(token, kind="session")
    assert verdict.reason == "the token expired at 2027-01-15T07:00:00Z, 3600 s ago"


def test_expired_token_is_valid_before_its_expiry(world: World) -> None:
    """A session minted expired lived its full ttl and ended an hour ago; only time rejects it."""
    token = world.issuer().mint("u1", kind="session", expired=True)
    claims = decode_claims(token)
    assert (claims["iat"], claims["exp"]) == (NOW - 4200, NOW - 3600)
    assert world.issuer(at=NOW - 3900).verify(token, kind="session").accepted


def test_accepted_verdict_carries_verified_claims(world: World) -> None:
    """An accepted verdict exposes the claims, custom ones included."""
    tenants = {"T1": {"roles": ["admin"], "permissions": ["Impersonate"]}}
    token = world.issuer().mint(
        "u1", kind="session", claims={"roles": ["viewer"], "tenants": tenants, "amr": ["email"]}
    )
    claims = world.issuer().verify(token, kind="session").claims
    assert claims["sub"] == "u1"
    assert claims["roles"] == ["viewer"]
    assert claims["tenants"] == tenants
    assert claims["amr"] == ["email"]


def test_rejected_verdict_keeps_unverified_claims_for_display(world: World) -> None:
    """A token rejected after decoding still shows its claims; garbage shows none."""
    expired = world.issuer().verify(world.issuer().mint("u9", kind="refresh", expired=True))
    assert expired.claims["sub"] == "u9"
    assert world.issuer().verify("garbage").claims == {}


def test_verdict_as_context() -> None:
    """A verdict becomes the flow context's session value with status, code and reason."""
    rejected = Verdict(accepted=False, reason="the token expired", code="expired")
    accepted = Verdict(accepted=True, reason=None, code="accepted")
    assert rejected.as_context() == {
        "status": "rejected",
        "code": "expired",
        "reason": "the token expired",
    }
    assert accepted.as_context() == {"status": "accepted", "code": "accepted", "reason": None}


@pytest.mark.parametrize(
    ("kind", "drn", "ttl"),
    [("refresh", "DSR", 30 * 24 * 3600), ("session", "DS", 600)],
    ids=["refresh", "session"],
)
def test_mint_gives_descope_shape(world: World, kind: Any, drn: str, ttl: int) -> None:
    """A minted token carries sub, iss, iat, exp and drn, with the kind's default lifetime."""
    token = world.issuer().mint("u1", kind=kind)
    header = _decode_segment(token.split(".")[0])
    assert header["alg"] == "RS256"
    assert header["kid"] == KID
    assert decode_claims(token) == {
        "sub": "u1",
        "iss": PROJECT,
        "iat": NOW,
        "exp": NOW + ttl,
        "drn": drn,
    }


def test_mint_honours_ttl_and_issuer(world: World) -> None:
    """An explicit ttl sets exp, and a configured issuer is written to iss and accepted."""
    url = f"https://api.descope.com/{PROJECT}"
    issuer = TokenIssuer(PROJECT, world.ring, issuer=url, clock=lambda: NOW)
    token = issuer.mint("u1", kind="session", ttl_seconds=42)
    assert decode_claims(token)["exp"] == NOW + 42
    assert decode_claims(token)["iss"] == url
    assert issuer.verify(token, kind="session").accepted


def test_mint_signature_verifies_with_published_jwk(world: World) -> None:
    """The signature checks out against the n and e the JWKS publishes, without pyjwt."""
    token = world.issuer().mint("u1", kind="refresh")
    jwk = world.ring.jwks()["keys"][0]
    numbers = rsa.RSAPublicNumbers(
        int.from_bytes(base64.urlsafe_b64decode(jwk["e"] + "=="), "big"),
        int.from_bytes(base64.urlsafe_b64decode(jwk["n"] + "=="), "big"),
    )
    signing_input, _, signature = token.rpartition(".")
    numbers.public_key().verify(
        base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)),
        signing_input.encode("ascii"),
        padding.PKCS1v15(),
        hashes.SHA256(),
    )


def test_rotated_out_key_still_verifies(world: World) -> None:
    """A ring that keeps an old public key accepts tokens signed before the rotation."""
    old = world.issuer(world.stranger).mint("u1", kind="refresh")
    rotated = world.ring.with_public_key("K2", world.stranger.current.private_key.public_key())
    assert world.issuer(rotated).verify(old).accepted


@pytest.mark.parametrize(
    "token",
    ["", "garbage", "a.b", "e30.e30.", "e30.e30.e30.e30", "\x00\xff", "é.é.é"],
    ids=["empty", "word", "two-parts", "no-signature", "four-parts", "control-bytes", "accents"],
)
def test_decode_claims_of_garbage_is_empty(token: str) -> None:
    """Decoding claims of something that is not a JWT gives an empty mapping."""
    assert decode_claims(token) == {}


def test_decode_claims_of_unsigned_token() -> None:
    """Claims decode without any key, e.g. for a token a remote server issued."""
    token = _compact({"alg": "none"}, json.dumps({"sub": "u1"}), lambda _: b"")
    assert decode_claims(token) == {"sub": "u1"}


@settings(max_examples=300, deadline=None)
@given(token=st.text())
def test_verify_never_raises_on_any_text(world: World, token: str) -> None:
    """Verifying any text at all yields a verdict, never an exception."""
    verdict = world.issuer().verify(token)
    assert verdict.code != "accepted"
    assert verdict.reason


@settings(max_examples=300, deadline=None)
@given(parts=st.lists(st.text(alphabet="abcXYZ019-_=+/.", max_size=30), min_size=3, max_size=3))
def test_verify_never_raises_on_jwt_shaped_text(world: World, parts: list[str]) -> None:
    """Three dot-joined base64-ish segments are rejected without an exception."""
    assert world.issuer().verify(".".join(parts)).code != "accepted"
