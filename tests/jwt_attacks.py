"""The JWT attack matrix: one table of forged, broken and misused refresh JWTs.

Both ``tests/identity/test_identity_attacks.py`` (``TokenIssuer.verify``) and
``tests/serve/test_serve_attacks.py`` (the local runner, and ``flowspec serve`` over a
loopback socket) run every row of :data:`ATTACKS`, so each backend refuses the same
tokens for the same reasons. A row builds its token from what an attacker could hold:
the project's public key and kid, a key of their own, and genuine tokens of the project,
which the builders cut, tamper with or re-sign (:class:`Forge`). Tests import this module
by name (``from jwt_attacks import ...``): pytest puts ``tests/`` on ``sys.path`` because
``tests/conftest.py`` sits there without an ``__init__.py``.

A token here is text; a row sending raw bytes that are no UTF-8 carries them as
``surrogateescape`` characters, which :func:`wire_bytes` turns back into those bytes for
an HTTP header. No row holds a colon: ``Bearer <project>:<token>`` splits at the first.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from flowspec.identity import KeyRing, TokenIssuer, VerdictCode
from flowspec.identity.tokens import LEEWAY_SECONDS, MAX_TOKEN_LENGTH

#: The audience every world of the matrix requires, so a wrong ``aud`` is an attack.
AUDIENCE = "flowspec-attack-matrix"
#: Pieces of a token shorter than this may occur in any message by chance.
_SECRET_PIECE = 20


@dataclass(frozen=True)
class Forge:
    """What the attacker works with: the project's issuer (for its public key, kid,
    clock and genuine tokens), a key ring of their own, and a user of the project."""

    issuer: TokenIssuer
    stranger: KeyRing
    subject: str

    @property
    def now(self) -> float:
        return self.issuer.clock()

    @property
    def kid(self) -> str:
        return self.issuer.keyring.current.kid

    def genuine(self, **claims: Any) -> str:
        """A refresh JWT the project itself signed, with ``claims`` added or replaced."""
        return self.issuer.mint(self.subject, kind="refresh", claims=claims)

    def claims(self, **extra: Any) -> dict[str, Any]:
        """The payload of a genuine refresh JWT, for a forger to sign another way."""
        return {**_decoded(self.genuine().split(".")[1]), **extra}

    def public_pem(self) -> bytes:
        """The project's public key as PEM: published, so any attacker has it."""
        return self.issuer.keyring.current.private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )


@dataclass(frozen=True)
class Attack:
    """One row: what it tries, how the token is built, and the verdict code it must get."""

    name: str
    tries: str
    code: VerdictCode
    build: Callable[[Forge], str]


def _segment(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _json_segment(value: object) -> str:
    return _segment(json.dumps(value).encode())


def _decoded(segment: str) -> dict[str, Any]:
    raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    decoded: dict[str, Any] = json.loads(raw)
    return decoded


def _compact(header: dict[str, Any], payload: object, sign: Callable[[bytes], bytes]) -> str:
    """A compact JWS built by hand, for what pyjwt refuses to make."""
    signing_input = f"{_json_segment(header)}.{_json_segment(payload)}"
    return f"{signing_input}.{_segment(sign(signing_input.encode('ascii')))}"


def _unsigned(forge: Forge) -> str:
    return _compact({"alg": "none", "kid": forge.kid}, forge.claims(), lambda _: b"")


def _none_with_real_signature(forge: Forge) -> str:
    _, payload, signature = forge.genuine().split(".")
    return f"{_json_segment({'alg': 'None', 'kid': forge.kid})}.{payload}.{signature}"


def _key_confusion(forge: Forge) -> str:
    secret = forge.public_pem()
    return _compact(
        {"alg": "HS256", "typ": "JWT", "kid": forge.kid},
        forge.claims(),
        lambda data: hmac.new(secret, data, hashlib.sha256).digest(),
    )


def _stranger_signed(forge: Forge, kid: str | None) -> str:
    header = {"alg": "RS256"} if kid is None else {"alg": "RS256", "kid": kid}
    key = forge.stranger.current.private_key
    return _compact(
        header, forge.claims(), lambda data: key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    )


def _tampered(token: str, **changes: Any) -> str:
    """``token`` with claims changed after it was signed: its header and signature kept."""
    header, payload, signature = token.split(".")
    return f"{header}.{_json_segment({**_decoded(payload), **changes})}.{signature}"


def _without_audience(forge: Forge) -> str:
    # Signed by the project itself, before it required an audience.
    before = TokenIssuer(
        forge.issuer.project_id,
        forge.issuer.keyring,
        issuer=forge.issuer.issuer,
        clock=forge.issuer.clock,
    )
    return before.mint(forge.subject, kind="refresh")


def _truncated_signature(forge: Forge) -> str:
    # 342 base64url characters less 6 still decode, to a signature too short to match.
    return forge.genuine()[:-6]


def _truncated_payload(forge: Forge) -> str:
    header, payload, _ = forge.genuine().split(".")
    return f"{header}.{payload[: len(payload) // 2]}"


def _base64_garbage(forge: Forge) -> str:
    digest = hashlib.sha512(b"flowspec").digest()
    return ".".join(_segment(digest[i : i + 20]) for i in (0, 20, 40))


def _not_utf8_inside(forge: Forge) -> str:
    header = _segment(b'{"alg": "RS256", "kid": "\xff\xfe"}')
    _, payload, signature = forge.genuine().split(".")
    return f"{header}.{payload}.{signature}"


def _not_utf8_bytes(forge: Forge) -> str:
    header, payload, signature = forge.genuine().split(".")
    raw = b"\xff\xfe\xc3\x28"  # no UTF-8: a BOM the wrong way round, a broken pair
    return f"{header}.{payload}{raw.decode('utf-8', 'surrogateescape')}.{signature}"


def _padded_past_limit(forge: Forge) -> str:
    return forge.genuine(pad="x" * MAX_TOKEN_LENGTH)


ATTACKS: tuple[Attack, ...] = (
    Attack("alg-none", "an unsigned token, alg none", "unsupported-algorithm", _unsigned),
    Attack(
        "alg-none-real-signature",
        'alg "None" over a genuine payload and signature',
        "unsupported-algorithm",
        _none_with_real_signature,
    ),
    Attack(
        "hs256-key-confusion",
        "HS256 keyed with the PEM of the project's public key",
        "unsupported-algorithm",
        _key_confusion,
    ),
    Attack(
        "unknown-kid",
        "signed by another key, under that key's kid",
        "unknown-key",
        lambda forge: _stranger_signed(forge, forge.stranger.current.kid),
    ),
    Attack(
        "no-kid",
        "signed by another key, naming no kid",
        "unknown-key",
        lambda forge: _stranger_signed(forge, None),
    ),
    Attack(
        "project-kid-other-key",
        "signed by another key, under the project's kid",
        "bad-signature",
        lambda forge: _stranger_signed(forge, forge.kid),
    ),
    Attack(
        "expired-beyond-leeway",
        f"exp {LEEWAY_SECONDS + 1} s ago, one second past the leeway",
        "expired",
        lambda forge: forge.genuine(exp=int(forge.now) - LEEWAY_SECONDS - 1),
    ),
    Attack(
        "expired-long-ago",
        "exp an hour ago",
        "expired",
        lambda forge: forge.genuine(iat=int(forge.now) - 7200, exp=int(forge.now) - 3600),
    ),
    Attack(
        "nbf-in-the-future",
        "nbf a minute ahead",
        "not-yet-valid",
        lambda forge: forge.genuine(nbf=int(forge.now) + 60),
    ),
    Attack(
        "iat-in-the-future",
        "iat a minute ahead",
        "not-yet-valid",
        lambda forge: forge.genuine(iat=int(forge.now) + 60),
    ),
    Attack(
        "wrong-issuer",
        "another project's id as iss",
        "wrong-issuer",
        lambda forge: forge.genuine(iss="P2someoneElse"),
    ),
    Attack(
        "wrong-issuer-url",
        "a Descope issuer URL of another project",
        "wrong-issuer",
        lambda forge: forge.genuine(iss="https://api.descope.com/P2someoneElse"),
    ),
    Attack(
        "wrong-audience",
        "an aud other than the project's audience",
        "wrong-audience",
        lambda forge: forge.genuine(aud="someone-elses-api"),
    ),
    Attack(
        "wrong-audience-list",
        "an aud list without the project's audience",
        "wrong-audience",
        lambda forge: forge.genuine(aud=["someone-elses-api", AUDIENCE.upper()]),
    ),
    Attack(
        "no-audience",
        "no aud, where the project requires one",
        "wrong-audience",
        _without_audience,
    ),
    Attack(
        "truncated-signature",
        "a genuine token less its last 6 characters",
        "bad-signature",
        _truncated_signature,
    ),
    Attack(
        "truncated-payload",
        "a genuine token cut inside its payload",
        "malformed",
        _truncated_payload,
    ),
    Attack("garbage-text", "words, not a token", "malformed", lambda _: "not a token at all"),
    Attack(
        "garbage-base64",
        "three base64url segments of random bytes",
        "malformed",
        _base64_garbage,
    ),
    Attack(
        "not-utf8-inside",
        "a header that decodes to bytes that are no UTF-8",
        "malformed",
        _not_utf8_inside,
    ),
    Attack(
        "not-utf8-bytes",
        "raw bytes that are no UTF-8 in the token",
        "malformed",
        _not_utf8_bytes,
    ),
    Attack(
        "over-16-kib-signed",
        "a genuine token padded past 16 KiB",
        "too-large",
        _padded_past_limit,
    ),
    Attack(
        "over-16-kib-garbage",
        "16 KiB and one character of dots",
        "too-large",
        lambda _: "." * (MAX_TOKEN_LENGTH + 1),
    ),
    Attack(
        "session-as-refresh",
        'a session JWT (drn "DS") where a refresh JWT is required',
        "wrong-kind",
        lambda forge: forge.issuer.mint(forge.subject, kind="session"),
    ),
    Attack(
        "tampered-subject",
        "a genuine token whose sub was changed after signing",
        "bad-signature",
        lambda forge: _tampered(forge.genuine(), sub="U0admin"),
    ),
    Attack(
        "tampered-roles",
        "a genuine token given the admin role after signing",
        "bad-signature",
        lambda forge: _tampered(forge.genuine(), roles=["admin"], permissions=["Impersonate"]),
    ),
    Attack(
        "tampered-expiry",
        "a genuine expired token whose exp was moved on after signing",
        "bad-signature",
        lambda forge: _tampered(
            forge.genuine(iat=int(forge.now) - 7200, exp=int(forge.now) - 3600),
            exp=int(forge.now) + 3600,
        ),
    ),
)

#: The row every backend must accept, so a refusal in the matrix is the attack's doing.
GENUINE = Attack("genuine", "a refresh JWT the project signed", "accepted", Forge.genuine)


def wire_bytes(token: str) -> bytes:
    """The token as the bytes a client sends, raw non-UTF-8 bytes included."""
    return token.encode("utf-8", "surrogateescape")


def secret_pieces(token: str) -> list[str]:
    """What of ``token`` must never be shown: all of it, and each segment long enough
    not to occur in a message by chance."""
    return [piece for piece in (token, *token.split(".")) if len(piece) >= _SECRET_PIECE]
