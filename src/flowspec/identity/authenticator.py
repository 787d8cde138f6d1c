"""A virtual WebAuthn authenticator and the server-side checks of its ceremonies.

Simplified but real: a passkey is an ECDSA P-256 key pair, and an assertion signs
``authenticatorData || sha256(clientDataJSON)`` as WebAuthn does. What is left out is
CBOR: registration answers with ``attestation: "none"`` and hands over the public key as
base64url SPKI (what ``AuthenticatorAttestationResponse.getPublicKey()`` returns) instead
of an attestation object. Like most passkey providers it reports a sign count of 0.

The server-side checks return results rather than raising, because a scenario that feeds
a flow a forged assertion expects a rejection to assert on.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from flowspec.errors import FlowMisbehaved, UnknownNameError

__all__ = [
    "AssertionResult",
    "RegistrationResult",
    "StoredCredential",
    "VirtualAuthenticator",
    "authentication_options",
    "registration_options",
    "verify_assertion",
    "verify_registration",
]

_ES256 = -7
_FLAG_USER_PRESENT = 0x01
_FLAG_USER_VERIFIED = 0x04
_AUTH_DATA_LENGTH = 37  # rpIdHash (32) + flags (1) + signCount (4)
_TIMEOUT_MS = 60_000
_P256_COORDINATE_BYTES = 32
_SHOWN = 40


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _from_b64url(text: object) -> bytes | None:
    if not isinstance(text, str) or not text.isascii():
        return None
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError:
        return None


def _shown(value: object) -> str:
    # Responses are attacker-controlled; echo only a short prefix of what they hold.
    text = repr(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."


def _encoded_challenge(challenge: str) -> str:
    return _b64url(challenge.encode("utf-8"))


def registration_options(
    challenge: str, rp_id: str, user_id: str, user_name: str
) -> dict[str, Any]:
    """Return PublicKeyCredentialCreationOptions for a passkey; the challenge goes base64url."""
    return {
        "challenge": _encoded_challenge(challenge),
        "rp": {"id": rp_id, "name": rp_id},
        "user": {
            "id": _b64url(user_id.encode("utf-8")),
            "name": user_name,
            "displayName": user_name,
        },
        "pubKeyCredParams": [{"type": "public-key", "alg": _ES256}],
        "authenticatorSelection": {"residentKey": "required", "userVerification": "preferred"},
        "attestation": "none",
        "timeout": _TIMEOUT_MS,
    }


def authentication_options(
    challenge: str, rp_id: str, credential_ids: Iterable[str] = ()
) -> dict[str, Any]:
    """Return PublicKeyCredentialRequestOptions; no credential ids means any passkey of rp_id."""
    return {
        "challenge": _encoded_challenge(challenge),
        "rpId": rp_id,
        "allowCredentials": [{"type": "public-key", "id": cid} for cid in credential_ids],
        "userVerification": "preferred",
        "timeout": _TIMEOUT_MS,
    }


def _authenticator_data(rp_id: str) -> bytes:
    flags = _FLAG_USER_PRESENT | _FLAG_USER_VERIFIED
    return hashlib.sha256(rp_id.encode("utf-8")).digest() + bytes([flags]) + bytes(4)


def _option(options: Mapping[str, Any], *path: str) -> str:
    value: Any = options
    for name in path:
        value = value.get(name) if isinstance(value, Mapping) else None
    if not isinstance(value, str) or not value:
        raise FlowMisbehaved(
            f"the WebAuthn options have no {'.'.join(path)} text, so a browser would refuse "
            f"them; they hold the keys {sorted(map(str, options))}"
        )
    return value


def _public_key_options(options: Mapping[str, Any]) -> Mapping[str, Any]:
    # Descope wraps the options as {"publicKey": {...}}, like navigator.credentials does.
    inner = options.get("publicKey")
    return inner if isinstance(inner, Mapping) else options


@dataclass(frozen=True)
class _Passkey:
    rp_id: str
    user_handle: str
    private_key: ec.EllipticCurvePrivateKey


class VirtualAuthenticator:
    """A device that holds passkeys and answers WebAuthn create and get requests."""

    def __init__(self, origin: str | None = None) -> None:
        # None means each ceremony comes from https://<rp id>, as a browser on that site.
        self._origin = origin
        self._passkeys: dict[str, _Passkey] = {}

    @property
    def credential_ids(self) -> tuple[str, ...]:
        """The ids of the passkeys held, oldest first."""
        return tuple(self._passkeys)

    def _client_data(self, ceremony: str, challenge: str, rp_id: str) -> bytes:
        origin = self._origin or f"https://{rp_id}"
        document = {"type": ceremony, "challenge": challenge, "origin": origin}
        return json.dumps(document, separators=(",", ":")).encode("utf-8")

    def create(self, options: Mapping[str, Any]) -> dict[str, Any]:
        """Make a new passkey for the options' relying party and user; return the response."""
        request = _public_key_options(options)
        challenge = _option(request, "challenge")
        rp_id = _option(request, "rp", "id")
        user_handle = _option(request, "user", "id")
        private_key = ec.generate_private_key(ec.SECP256R1())
        credential_id = _b64url(secrets.token_bytes(16))
        self._passkeys[credential_id] = _Passkey(rp_id, user_handle, private_key)
        spki = private_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return {
            "id": credential_id,
            "rawId": credential_id,
            "type": "public-key",
            "response": {
                "clientDataJSON": _b64url(self._client_data("webauthn.create", challenge, rp_id)),
                "authenticatorData": _b64url(_authenticator_data(rp_id)),
                "publicKey": _b64url(spki),
                "publicKeyAlgorithm": _ES256,
                "transports": ["internal"],
            },
            "clientExtensionResults": {},
        }

    def get(self, options: Mapping[str, Any]) -> dict[str, Any]:
        """Sign the options' challenge with a passkey they allow; UnknownNameError if none."""
        request = _public_key_options(options)
        challenge = _option(request, "challenge")
        rp_id = _option(request, "rpId")
        entries = request.get("allowCredentials") or []
        if not isinstance(entries, list):
            raise FlowMisbehaved(
                f"the WebAuthn options' allowCredentials is {_shown(entries)}, not a list, "
                "so a browser would refuse them"
            )
        allowed = [
            entry["id"]
            for entry in entries
            if isinstance(entry, Mapping) and isinstance(entry.get("id"), str)
        ]
        own = [cid for cid, key in self._passkeys.items() if key.rp_id == rp_id]
        usable = [cid for cid in allowed if cid in own] if allowed else own[::-1]
        if not usable:
            raise UnknownNameError(
                "passkey",
                " or ".join(allowed) or "<any>",
                own,
                where=f"for relying party {rp_id!r} in the virtual authenticator",
            )
        credential_id = usable[0]
        passkey = self._passkeys[credential_id]
        client_data = self._client_data("webauthn.get", challenge, rp_id)
        auth_data = _authenticator_data(rp_id)
        signature = passkey.private_key.sign(
            auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
        )
        return {
            "id": credential_id,
            "rawId": credential_id,
            "type": "public-key",
            "response": {
                "clientDataJSON": _b64url(client_data),
                "authenticatorData": _b64url(auth_data),
                "signature": _b64url(signature),
                "userHandle": passkey.user_handle,
            },
            "clientExtensionResults": {},
        }


@dataclass(frozen=True)
class StoredCredential:
    """What a relying party keeps of a registered passkey."""

    credential_id: str
    public_jwk: Mapping[str, str]


@dataclass(frozen=True)
class RegistrationResult:
    """The outcome of a registration check; ``credential`` is set exactly when ``ok``."""

    ok: bool
    credential: StoredCredential | None
    reason: str


@dataclass(frozen=True)
class AssertionResult:
    """The outcome of an assertion check."""

    ok: bool
    reason: str


class _RejectionError(Exception):
    """Carries a rejection reason out of the nested checks; never leaves this module."""


def _inner(response: object) -> tuple[str, Mapping[str, Any]]:
    if not isinstance(response, Mapping):
        raise _RejectionError("the response is not a JSON object")
    credential_id = response.get("id")
    if not isinstance(credential_id, str) or _from_b64url(credential_id) is None:
        raise _RejectionError("the response has no base64url credential id")
    if response.get("type") != "public-key":
        raise _RejectionError(
            f"the response type is {_shown(response.get('type'))}, not 'public-key'"
        )
    inner = response.get("response")
    if not isinstance(inner, Mapping):
        raise _RejectionError("the response has no 'response' object")
    return credential_id, inner


def _client_data(inner: Mapping[str, Any]) -> tuple[bytes, Mapping[str, Any]]:
    raw = _from_b64url(inner.get("clientDataJSON"))
    if raw is None:
        raise _RejectionError("clientDataJSON is missing or not base64url")
    try:
        document = json.loads(raw)
    except (ValueError, RecursionError) as error:
        raise _RejectionError("clientDataJSON does not hold JSON") from error
    if not isinstance(document, Mapping):
        raise _RejectionError("clientDataJSON does not hold a JSON object")
    return raw, document


def _check_client_data(
    document: Mapping[str, Any], ceremony: str, challenge: str, origin: str | None
) -> None:
    if document.get("type") != ceremony:
        raise _RejectionError(
            f"clientDataJSON.type is {_shown(document.get('type'))}, not {ceremony!r}"
        )
    if document.get("challenge") != _encoded_challenge(challenge):
        raise _RejectionError("clientDataJSON.challenge is not the challenge this ceremony issued")
    if origin is not None and document.get("origin") != origin:
        raise _RejectionError(
            f"clientDataJSON.origin is {_shown(document.get('origin'))}, not {origin!r}"
        )


def _check_authenticator_data(raw: bytes | None, rp_id: str | None) -> bytes:
    if raw is None or len(raw) < _AUTH_DATA_LENGTH:
        raise _RejectionError("authenticatorData is missing or shorter than 37 bytes")
    if rp_id is not None and raw[:32] != hashlib.sha256(rp_id.encode("utf-8")).digest():
        raise _RejectionError(f"authenticatorData is for another relying party than {rp_id!r}")
    if not raw[32] & _FLAG_USER_PRESENT:
        raise _RejectionError("authenticatorData does not have the user-present flag")
    return raw


def _jwk_of(spki: bytes | None) -> dict[str, str]:
    try:
        key = serialization.load_der_public_key(spki or b"")
    except (ValueError, UnsupportedAlgorithm) as error:
        raise _RejectionError("publicKey is not a base64url SPKI public key") from error
    if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name != "secp256r1":
        raise _RejectionError("publicKey is not an EC P-256 key, the only algorithm offered")
    numbers = key.public_numbers()
    return {
        "kty": "EC",
        "crv": "P-256",
        "x": _b64url(numbers.x.to_bytes(_P256_COORDINATE_BYTES, "big")),
        "y": _b64url(numbers.y.to_bytes(_P256_COORDINATE_BYTES, "big")),
    }


def _key_of(jwk: Mapping[str, str]) -> ec.EllipticCurvePublicKey:
    x, y = _from_b64url(jwk.get("x")), _from_b64url(jwk.get("y"))
    if jwk.get("kty") != "EC" or jwk.get("crv") != "P-256" or x is None or y is None:
        raise _RejectionError("the stored public key is not a P-256 JWK")
    try:
        numbers = ec.EllipticCurvePublicNumbers(
            int.from_bytes(x, "big"), int.from_bytes(y, "big"), ec.SECP256R1()
        )
        return numbers.public_key()
    except ValueError as error:
        raise _RejectionError("the stored public key is not a point on P-256") from error


def verify_registration(
    challenge: str,
    response: Mapping[str, Any],
    *,
    rp_id: str | None = None,
    origin: str | None = None,
) -> RegistrationResult:
    """Check a create() response against the issued challenge (and rp id, origin if given)."""
    try:
        credential_id, inner = _inner(response)
        _, document = _client_data(inner)
        _check_client_data(document, "webauthn.create", challenge, origin)
        _check_authenticator_data(_from_b64url(inner.get("authenticatorData")), rp_id)
        jwk = _jwk_of(_from_b64url(inner.get("publicKey")))
    except _RejectionError as rejection:
        return RegistrationResult(ok=False, credential=None, reason=str(rejection))
    return RegistrationResult(
        ok=True,
        credential=StoredCredential(credential_id, jwk),
        reason=f"passkey {credential_id} registered",
    )


def verify_assertion(
    credential: StoredCredential,
    challenge: str,
    response: Mapping[str, Any],
    *,
    rp_id: str | None = None,
    origin: str | None = None,
) -> AssertionResult:
    """Check a get() response: the credential, the challenge and the passkey's signature."""
    try:
        credential_id, inner = _inner(response)
        if credential_id != credential.credential_id:
            raise _RejectionError(
                f"the response is signed by credential {_shown(credential_id)}, "
                f"not the registered {credential.credential_id!r}"
            )
        raw_client_data, document = _client_data(inner)
        _check_client_data(document, "webauthn.get", challenge, origin)
        auth_data = _check_authenticator_data(_from_b64url(inner.get("authenticatorData")), rp_id)
        signature = _from_b64url(inner.get("signature"))
        key = _key_of(credential.public_jwk)
        try:
            key.verify(
                signature or b"",
                auth_data + hashlib.sha256(raw_client_data).digest(),
                ec.ECDSA(hashes.SHA256()),
            )
        except InvalidSignature as error:
            raise _RejectionError(
                "the signature does not verify with the registered key"
            ) from error
    except _RejectionError as rejection:
        return AssertionResult(ok=False, reason=str(rejection))
    return AssertionResult(ok=True, reason=f"passkey {credential_id} signed the challenge")
