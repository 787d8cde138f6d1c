"""Minting and verifying Descope-shaped session and refresh JWTs.

Verification returns a :class:`Verdict` instead of raising: a scenario that hands a flow
an expired or forged token expects a rejection, so a rejection is a value to assert on.
Time checks use the injected clock rather than pyjwt's, so tests never sleep.

What verification refuses, and why (``docs/wire.md``, "Tokens"): a token over
:data:`MAX_TOKEN_LENGTH`, unread; anything but RS256 (``alg: none``, and HS256 keyed with
the public key, the key-confusion attack, included), since Descope's JWKs declare RS256
and its SDKs verify with the JWK's ``alg``; an unknown ``kid``; a bad signature; an
expired token, one not yet valid (``nbf`` or ``iat`` ahead), beyond
:data:`LEEWAY_SECONDS` either way; another issuer; another audience, when the project
names one; and the other kind of token (``drn``).
"""

from __future__ import annotations

import base64
import json
import marshal
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final, Literal
from urllib.parse import urlsplit

import jwt

from flowspec.errors import json_kind
from flowspec.identity.keys import KeyRing

__all__ = [
    "LEEWAY_SECONDS",
    "MAX_TOKEN_LENGTH",
    "TokenIssuer",
    "TokenKind",
    "Verdict",
    "VerdictCode",
    "decode_claims",
]

TokenKind = Literal["refresh", "session"]
VerdictCode = Literal[
    "accepted",
    "too-large",
    "malformed",
    "bad-signature",
    "unknown-key",
    "expired",
    "not-yet-valid",
    "wrong-issuer",
    "wrong-audience",
    "wrong-kind",
    "unsupported-algorithm",
]

#: Descope's SDKs allow this much clock skew by default.
LEEWAY_SECONDS = 5
#: The longest token verification reads, in characters (a JWT is ASCII, so also bytes).
#: Descope's tokens travel in cookies, which browsers cap near 4 KB; 16 KiB leaves room
#: for many custom claims and still refuses a payload sent to exhaust the parser. The
#: figure is flowspec's: Descope documents no limit.
MAX_TOKEN_LENGTH: Final = 16 * 1024

_DRN: dict[TokenKind, str] = {"refresh": "DSR", "session": "DS"}
_DEFAULT_TTL: dict[TokenKind, int] = {"refresh": 30 * 24 * 3600, "session": 10 * 60}
_ALGORITHM = "RS256"
# How long ago an ``expired=True`` token expired: far beyond any leeway.
_EXPIRED_AGO = 3600
# Header values are attacker-chosen; echo only a short prefix of them in reasons.
_SHOWN = 40


@dataclass(frozen=True)
class Verdict:
    """The outcome of verifying a token; ``claims`` are for display, never for trust."""

    accepted: bool
    reason: str | None
    code: VerdictCode
    claims: Mapping[str, Any] = field(default_factory=dict)

    def as_context(self) -> dict[str, Any]:
        """Return the verdict as the flow context's ``session`` value."""
        return {
            "status": "accepted" if self.accepted else "rejected",
            "code": self.code,
            "reason": self.reason,
        }


def _reject(code: VerdictCode, reason: str, claims: Mapping[str, Any] | None = None) -> Verdict:
    return Verdict(accepted=False, reason=reason, code=code, claims=dict(claims or {}))


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."


def _instant(seconds: float) -> str:
    try:
        moment = datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return f"{seconds:.0f} (seconds since the epoch)"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class _NotAJwtError(ValueError):
    """The text is not a compact JWS; the message says which part of it fails."""


def _b64url_object(segment: str, name: str) -> dict[str, Any]:
    try:
        value = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (ValueError, RecursionError):
        # ValueError covers bad base64, bad UTF-8, bad JSON and over-long integers;
        # RecursionError a payload nested deeper than the JSON parser will go.
        raise _NotAJwtError(f"the token's {name} is not base64url-encoded UTF-8 JSON") from None
    if not isinstance(value, dict):
        raise _NotAJwtError(f"the token's {name} is JSON but not an object")
    return value


def _parse(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return the unverified header and payload; raise ``_NotAJwtError`` saying why not."""
    parts = token.split(".")
    if len(parts) != 3:
        raise _NotAJwtError(
            f"the token has {len(parts)} dot-separated part{'s' * (len(parts) != 1)}, "
            "not the 3 of a JWT (header.payload.signature)"
        )
    # JWTs are ASCII by definition; anything else (lone surrogates included) never
    # reaches the base64 and UTF-8 codecs, whose errors differ by input.
    if not token.isascii():
        raise _NotAJwtError("the token holds characters that are not ASCII, which no JWT does")
    return _b64url_object(parts[0], "header"), _b64url_object(parts[1], "payload")


def decode_claims(token: str) -> dict[str, Any]:
    """Return the token's payload without verifying it, or ``{}`` if it does not decode."""
    if not isinstance(token, str):
        return {}
    try:
        return _parse(token)[1]
    except _NotAJwtError:
        return {}


def _names(audience: object, required: str) -> bool:
    """Whether a token's ``aud`` (a string or a list of them) names ``required``."""
    if isinstance(audience, str):
        return audience == required
    return isinstance(audience, list) and required in audience


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    # json.loads accepts NaN and Infinity, which would make every time comparison pass.
    return number if math.isfinite(number) else None


def _payload_key(payload: dict[str, Any]) -> bytes | str:
    """What tells two payloads apart for ``_SameSecondTokens``: ``marshal``'s bytes, which
    tell ``1`` from ``True`` and ``1.0`` as JSON does, in a quarter of the time of sorted
    JSON; equal claims set in another order then merely sign again. A value marshal cannot
    write, such as the dates pyjwt accepts for exp or nbf, makes it sorted JSON, with
    ``repr`` for what JSON cannot write either."""
    try:
        return marshal.dumps(payload)
    except ValueError:
        return json.dumps(payload, sort_keys=True, default=repr)


class _SameSecondTokens:
    """The tokens signed in the current second of the issuer's clock, by key and payload.

    A token's only times are whole seconds (``iat``, ``exp``) and RS256 signatures
    (PKCS#1 v1.5) are deterministic, so signing equal claims again within the same second
    yields the very same token: reusing it saves an RSA signature (about 0.2 ms) and no
    one can tell. A suite mints the same few users' tokens thousands of times. Only one
    second's tokens are kept; a race between threads at worst signs twice.
    """

    def __init__(self) -> None:
        self._second: int | None = None
        self._tokens: dict[tuple[str, bytes | str], str] = {}

    def get(self, second: int, key: tuple[str, bytes | str], sign: Callable[[], str]) -> str:
        if second != self._second:
            self._second, self._tokens = second, {}
        token = self._tokens.get(key)
        if token is None:
            token = self._tokens[key] = sign()
        return token


class _CheckedSignatures:
    """The payloads of tokens whose signature this issuer has already checked, by token.

    A signature check is a pure function of the token and the key, so a token seen again
    (a suite hands the same user's token to thousands of runs) needs only its key looked
    up again, in case the ring no longer holds it, and its claims checked anew against
    the clock. The tokens are kept in memory only, never written anywhere; past
    ``limit`` of them the store starts afresh.
    """

    def __init__(self, limit: int = 1024) -> None:
        self._limit = limit
        self._payloads: dict[str, tuple[str, object, bytes]] = {}

    def payload(self, token: str, keyring: KeyRing) -> bytes | None:
        found = self._payloads.get(token)
        if found is None:
            return None
        kid, key, payload = found
        return payload if keyring.public_key(kid) is key else None

    def keep(self, token: str, kid: str, key: object, payload: bytes) -> None:
        if len(self._payloads) >= self._limit:
            self._payloads = {}
        self._payloads[token] = (kid, key, payload)


class TokenIssuer:
    """Mints and verifies a project's tokens with the keys of one key ring.

    Verification accepts as issuer the project id, an http(s) URL whose last path segment
    is the project id (Descope's two forms), or the ``issuer`` this instance mints with.

    With an ``audience``, every token minted carries it as ``aud`` and verification
    requires it, as ``aud`` itself or in an ``aud`` list (RFC 7519, and pyjwt's
    ``audience=`` check that Descope's Python SDK uses). Without one, ``aud`` is not
    checked. Descope's Python SDK, given no audience, still refuses a token whose ``aud``
    is present and is not the project id (``_decode_and_verify_token``); flowspec does not
    follow it there, so a world without an audience accepts every ``aud``.
    """

    def __init__(
        self,
        project_id: str,
        keyring: KeyRing,
        issuer: str | None = None,
        clock: Callable[[], float] = time.time,
        audience: str | None = None,
    ) -> None:
        self.project_id = project_id
        self.keyring = keyring
        self.issuer = issuer or project_id
        self.clock = clock
        self.audience = audience
        self._minted = _SameSecondTokens()
        self._checked = _CheckedSignatures()

    def mint(
        self,
        subject: str,
        *,
        kind: TokenKind,
        claims: Mapping[str, Any] | None = None,
        ttl_seconds: int | None = None,
        expired: bool = False,
    ) -> str:
        """Return a signed JWT of ``kind`` for ``subject``.

        ``claims`` are added last and may replace the registered ones, so a scenario can
        craft a token with a foreign ``iss`` or a future ``nbf`` on purpose. Equal claims
        minted within one second of the clock are signed once (see ``_SameSecondTokens``).
        """
        ttl = _DEFAULT_TTL[kind] if ttl_seconds is None else ttl_seconds
        now = int(self.clock())
        expires = now - _EXPIRED_AGO if expired else now + ttl
        payload: dict[str, Any] = {
            "sub": subject,
            "iss": self.issuer,
            "iat": expires - ttl,
            "exp": expires,
            "drn": _DRN[kind],
            **({"aud": self.audience} if self.audience else {}),
            **(claims or {}),
        }
        signer = self.keyring.current
        key = (signer.kid, _payload_key(payload))
        return self._minted.get(
            now,
            key,
            lambda: jwt.encode(
                payload, signer.private_key, algorithm=_ALGORITHM, headers={"kid": signer.kid}
            ),
        )

    def verify(self, token: object, *, kind: TokenKind = "refresh") -> Verdict:
        """Check a token as Descope's SDKs would, and say why it is rejected; never raises.

        ``token`` may be anything a client sent (the input ``jwt`` is any JSON value); all
        but a string is refused, and so is a string over :data:`MAX_TOKEN_LENGTH`, before
        any of it is decoded.
        """
        if not isinstance(token, str):
            return _reject("malformed", f"the token is {json_kind(token)}, not a string")
        if len(token) > MAX_TOKEN_LENGTH:
            return _reject(
                "too-large",
                f"the token is {len(token)} characters long, over the {MAX_TOKEN_LENGTH} "
                "this project reads; it was refused unread",
            )
        payload = self._checked.payload(token, self.keyring)
        if payload is None:
            signed = self._signed_payload(token)
            if isinstance(signed, Verdict):
                return signed
            payload = signed
        return self._check_claims(json.loads(payload), kind)

    def _signed_payload(self, token: str) -> bytes | Verdict:
        """The payload of a token signed by a key of the ring, or why it is not one."""
        try:
            header, unverified = _parse(token)
        except _NotAJwtError as error:
            return _reject("malformed", str(error))
        alg = header.get("alg")
        if alg != _ALGORITHM:
            return _reject(
                "unsupported-algorithm",
                f"the token is signed with alg {_shown(alg)}; only {_ALGORITHM} is accepted",
                unverified,
            )
        kid = header.get("kid")
        if not isinstance(kid, str):
            return _reject("unknown-key", "the token's header names no kid", unverified)
        key = self.keyring.public_key(kid)
        if key is None:
            return _reject(
                "unknown-key",
                f"the token names kid {_shown(kid)}, which is not a key of this project",
                unverified,
            )
        try:
            payload: bytes = jwt.PyJWS().decode(token, key, algorithms=[_ALGORITHM])
        except jwt.InvalidSignatureError:
            return _reject(
                "bad-signature", f"the signature does not match key {_shown(kid)}", unverified
            )
        except jwt.PyJWTError:
            return _reject("malformed", "the token is not a well-formed JWS", unverified)
        self._checked.keep(token, kid, key, payload)
        return payload

    def _check_claims(self, claims: dict[str, Any], kind: TokenKind) -> Verdict:
        now = self.clock()
        if not isinstance(claims.get("sub"), str):
            return _reject("malformed", "the token has no sub (user id) claim", claims)
        expires = _number(claims.get("exp"))
        if expires is None:
            return _reject("malformed", "the token has no numeric exp claim", claims)
        if now > expires + LEEWAY_SECONDS:
            return _reject(
                "expired",
                f"the token expired at {_instant(expires)}, {now - expires:.0f} s ago",
                claims,
            )
        for name, meaning in (("nbf", "is not valid before"), ("iat", "was issued at")):
            if name not in claims:
                continue
            moment = _number(claims[name])
            if moment is None:
                return _reject("malformed", f"the token's {name} claim is not a number", claims)
            if moment > now + LEEWAY_SECONDS:
                return _reject(
                    "not-yet-valid",
                    f"the token {meaning} {_instant(moment)}, {moment - now:.0f} s from now",
                    claims,
                )
        issuer = claims.get("iss")
        if not self._is_own_issuer(issuer):
            return _reject(
                "wrong-issuer",
                f"the token's issuer is {_shown(issuer)}, not project {self.project_id!r}",
                claims,
            )
        if self.audience is not None and not _names(claims.get("aud"), self.audience):
            found = (
                f"the token's audience is {_shown(claims['aud'])}"
                if "aud" in claims
                else "the token has no aud claim"
            )
            return _reject(
                "wrong-audience",
                f"{found}; this project requires the audience {self.audience!r}",
                claims,
            )
        drn = claims.get("drn")
        if drn != _DRN[kind]:
            return _reject(
                "wrong-kind",
                f"a {kind} token (drn {_DRN[kind]!r}) is required, "
                f"but this token has drn {_shown(drn)}",
                claims,
            )
        return Verdict(accepted=True, reason=None, code="accepted", claims=claims)

    def _is_own_issuer(self, issuer: object) -> bool:
        if not isinstance(issuer, str):
            return False
        if issuer in (self.project_id, self.issuer):
            return True
        try:
            url = urlsplit(issuer)
        except ValueError:
            return False
        if url.scheme not in ("http", "https") or not url.netloc:
            return False
        return url.path.rstrip("/").rsplit("/", 1)[-1] == self.project_id
