"""RSA signing keys and the key ring a token issuer signs and verifies with.

Descope publishes its keys as RSA JWKs and signs with RS256, so the test world does the
same: one current private key signs, and the ring may also hold public keys of other kids
(a rotated-out key, another project's key) that verification still knows.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from flowspec.errors import SettingsError
from flowspec.machine import usable_cores

__all__ = ["KeyRing", "SigningKey", "make_key_ahead", "settle_key_ahead"]

_KEY_SIZE = 2048
_PUBLIC_EXPONENT = 65537


class _SpareKey:
    """One fresh key made ahead, on another core, while this process does other work.

    Making an RSA-2048 key takes some 30 ms, often more, and OpenSSL does it without
    Python's lock, so a thread can make the key a run will need while behave loads the
    steps and parses the features. The next fresh key taken is that one, waited for if
    need be; a key nobody takes is only the work of a spare core. The thread is not a
    daemon: Python waits for it at exit, as it must, since the key's code cannot be
    stopped midway by the interpreter shutting down (the process would abort).
    """

    def __init__(self) -> None:
        # The thread making the key, and the list it puts the key in: a key is handed
        # out once, whichever thread takes it.
        self._pending: tuple[threading.Thread, list[rsa.RSAPrivateKey]] | None = None
        self._lock = threading.Lock()

    def prepare(self) -> None:
        with self._lock:
            if self._pending is None:
                made: list[rsa.RSAPrivateKey] = []
                maker = threading.Thread(
                    target=lambda: made.append(_new_private_key()), name="flowspec-key"
                )
                maker.start()
                self._pending = (maker, made)

    def take(self) -> rsa.RSAPrivateKey:
        with self._lock:
            pending, self._pending = self._pending, None
        if pending is not None:
            maker, made = pending
            maker.join()
            if made:
                return made[0]
        return _new_private_key()

    def settle(self) -> None:
        """Wait for a key being made that nobody took, and drop it."""
        with self._lock:
            pending, self._pending = self._pending, None
        if pending is not None:
            pending[0].join()


def _new_private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=_PUBLIC_EXPONENT, key_size=_KEY_SIZE)


_spare = _SpareKey()


def make_key_ahead() -> None:
    """Start making the next fresh key (``KeyRing.generate``'s) on another core; on a
    machine with one core for this process, there is no other: nothing is made ahead."""
    if usable_cores() > 1:
        _spare.prepare()


def settle_key_ahead() -> None:
    """Let no key made ahead outlive the work it was made for: one that was not taken (a
    world that gives its own key) is waited for and dropped, so the thread making it is
    gone before this process forks."""
    _spare.settle()


def _b64url_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8 or 1, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _rsa_jwk_members(key: rsa.RSAPublicKey) -> dict[str, str]:
    numbers = key.public_numbers()
    return {"kty": "RSA", "n": _b64url_uint(numbers.n), "e": _b64url_uint(numbers.e)}


def _derived_kid(key: rsa.RSAPublicKey) -> str:
    # The RFC 7638 thumbprint: the same key always gets the same kid, across runs and
    # machines, so a PEM checked into a test world yields stable JWKS documents.
    canonical = json.dumps(_rsa_jwk_members(key), sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode("ascii")).digest()
    return "K" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")[:16]


def _public_jwk(kid: str, key: rsa.RSAPublicKey) -> dict[str, str]:
    return {"alg": "RS256", "kid": kid, "use": "sig", **_rsa_jwk_members(key)}


@dataclass(frozen=True)
class SigningKey:
    """An RSA private key and the kid its tokens name in their header."""

    kid: str
    private_key: rsa.RSAPrivateKey

    def public_jwk(self) -> dict[str, str]:
        """Return the public half as a JWK, in the shape Descope publishes."""
        return _public_jwk(self.kid, self.private_key.public_key())


class KeyRing:
    """One current signing key, plus public keys of other kids that still verify."""

    def __init__(
        self, current: SigningKey, others: Mapping[str, rsa.RSAPublicKey] | None = None
    ) -> None:
        extra = dict(others or {})
        if current.kid in extra:
            raise SettingsError(
                f"key ring: kid {current.kid!r} is both the signing key and an extra public "
                "key; give each key its own kid."
            )
        self._current = current
        self._public = {current.kid: current.private_key.public_key(), **extra}

    @classmethod
    def generate(cls, kid: str | None = None) -> KeyRing:
        """Return a ring around a fresh RSA-2048 key; the kid derives from the key if not given."""
        private_key = _spare.take()
        return cls(SigningKey(kid or _derived_kid(private_key.public_key()), private_key))

    @classmethod
    def from_pem(cls, path: str | Path, kid: str | None = None) -> KeyRing:
        """Return a ring around the unencrypted RSA private key in the PEM file at ``path``."""
        source = Path(path)
        try:
            data = source.read_bytes()
        except OSError as error:
            raise SettingsError(
                f"{source}: cannot read the signing key ({error.strerror or error}). "
                "Point the project settings at an RSA private key in PEM format."
            ) from error
        try:
            private_key = serialization.load_pem_private_key(data, password=None)
        except (ValueError, TypeError) as error:
            # TypeError is how cryptography reports a key that needs a password.
            raise SettingsError(
                f"{source}: not an unencrypted PEM private key ({error}). Write one with "
                "`openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048`."
            ) from error
        if not isinstance(private_key, rsa.RSAPrivateKey):
            raise SettingsError(
                f"{source}: holds a {type(private_key).__name__}, not an RSA private key; "
                "Descope tokens are RS256, so the signing key must be RSA."
            )
        return cls(SigningKey(kid or _derived_kid(private_key.public_key()), private_key))

    @property
    def current(self) -> SigningKey:
        """The key that signs new tokens."""
        return self._current

    def with_public_key(self, kid: str, key: rsa.RSAPublicKey) -> KeyRing:
        """Return a copy of this ring that also verifies tokens signed under ``kid``."""
        others = {k: v for k, v in self._public.items() if k != self._current.kid}
        return KeyRing(self._current, {**others, kid: key})

    def public_key(self, kid: str) -> rsa.RSAPublicKey | None:
        """Return the public key for ``kid``, or None if the ring does not know it."""
        return self._public.get(kid)

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        """Return every public key of the ring as a JWKS document, the current key first."""
        return {"keys": [_public_jwk(kid, key) for kid, key in self._public.items()]}
