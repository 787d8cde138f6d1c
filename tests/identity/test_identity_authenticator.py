"""Tests for the virtual WebAuthn authenticator and the server-side ceremony checks."""

from __future__ import annotations

import base64
import copy
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from hypothesis import given, settings
from hypothesis import strategies as st

from flowspec.errors import FlowMisbehaved, UnknownNameError
from flowspec.identity import (
    StoredCredential,
    VirtualAuthenticator,
    authentication_options,
    registration_options,
    verify_assertion,
    verify_registration,
)

RP = "app.example.com"
ORIGIN = f"https://{RP}"
CHALLENGE = "server-challenge-1"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _client_data(response: dict[str, Any]) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(_unb64(response["response"]["clientDataJSON"]))
    return document


def _with_client_data(response: dict[str, Any], **changes: Any) -> dict[str, Any]:
    changed = copy.deepcopy(response)
    document = {**_client_data(response), **changes}
    changed["response"]["clientDataJSON"] = _b64(json.dumps(document).encode())
    return changed


def _with(response: dict[str, Any], field: str, value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(response)
    changed["response"][field] = value
    return changed


def _flip_last_byte(text: str) -> str:
    raw = bytearray(_unb64(text))
    raw[-1] ^= 0x01
    return _b64(bytes(raw))


def _register(device: VirtualAuthenticator, user: str = "u1") -> StoredCredential:
    response = device.create(registration_options(CHALLENGE, RP, user, f"{user}@example.com"))
    result = verify_registration(CHALLENGE, response, rp_id=RP, origin=ORIGIN)
    assert result.credential is not None
    return result.credential


def test_registration_options_shape() -> None:
    """Creation options name the relying party, the user and ES256, with a base64url challenge."""
    options = registration_options("c1", RP, "u1", "ada@example.com")
    assert options["challenge"] == _b64(b"c1")
    assert options["rp"]["id"] == RP
    assert options["user"] == {
        "id": _b64(b"u1"),
        "name": "ada@example.com",
        "displayName": "ada@example.com",
    }
    assert options["pubKeyCredParams"] == [{"type": "public-key", "alg": -7}]
    json.dumps(options)


def test_create_answers_with_client_data_and_public_key() -> None:
    """A create response is JSON with webauthn.create client data for the RP's origin."""
    device = VirtualAuthenticator()
    response = device.create(registration_options(CHALLENGE, RP, "u1", "ada"))
    json.dumps(response)
    assert response["type"] == "public-key"
    assert response["id"] in device.credential_ids
    assert _client_data(response) == {
        "type": "webauthn.create",
        "challenge": _b64(CHALLENGE.encode()),
        "origin": ORIGIN,
    }
    assert response["response"]["publicKey"]


def test_registration_round_trip_stores_p256_jwk() -> None:
    """A genuine create response registers, and the stored key is a P-256 JWK."""
    device = VirtualAuthenticator()
    response = device.create(registration_options(CHALLENGE, RP, "u1", "ada"))
    result = verify_registration(CHALLENGE, response, rp_id=RP, origin=ORIGIN)
    assert result.ok, result.reason
    assert result.credential is not None
    assert result.credential.credential_id == response["id"]
    assert set(result.credential.public_jwk) == {"kty", "crv", "x", "y"}
    assert result.credential.public_jwk["crv"] == "P-256"


def test_descope_wrapped_options_are_understood() -> None:
    """Options wrapped as {"publicKey": ...}, as Descope sends them, work for create and get."""
    device = VirtualAuthenticator()
    created = device.create({"publicKey": registration_options(CHALLENGE, RP, "u1", "ada")})
    credential = verify_registration(CHALLENGE, created).credential
    assert credential is not None
    asserted = device.get(
        {"publicKey": authentication_options("c2", RP, [credential.credential_id])}
    )
    assert verify_assertion(credential, "c2", asserted).ok


def _ed25519_spki() -> str:
    key = ed25519.Ed25519PrivateKey.generate().public_key()
    return _b64(
        key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )


Tamper = Callable[[dict[str, Any]], Any]

REGISTRATION_REJECTIONS = [
    pytest.param(
        lambda r: _with_client_data(r, challenge=_b64(b"old")), "challenge", id="wrong-challenge"
    ),
    pytest.param(lambda r: _with_client_data(r, type="webauthn.get"), "type", id="wrong-type"),
    pytest.param(
        lambda r: _with_client_data(r, origin="https://evil.example"), "origin", id="wrong-origin"
    ),
    pytest.param(lambda r: _with(r, "publicKey", _ed25519_spki()), "P-256", id="ed25519-key"),
    pytest.param(lambda r: _with(r, "publicKey", _b64(b"junk")), "SPKI", id="junk-key"),
    pytest.param(lambda r: _with(r, "publicKey", None), "SPKI", id="no-key"),
    pytest.param(
        lambda r: _with(r, "authenticatorData", _b64(bytes(37))), "relying party", id="other-rp"
    ),
    pytest.param(
        lambda r: _with(r, "authenticatorData", _b64(b"short")), "37 bytes", id="short-auth-data"
    ),
    pytest.param(
        lambda r: _with(r, "clientDataJSON", "!!!"), "clientDataJSON", id="clientdata-not-base64"
    ),
    pytest.param(
        lambda r: _with(r, "clientDataJSON", _b64(b"[1]")), "JSON object", id="clientdata-array"
    ),
    pytest.param(
        lambda r: _with(r, "clientDataJSON", _b64(b"\xff{")), "JSON", id="clientdata-bad-utf8"
    ),
    pytest.param(lambda r: {**r, "type": "password"}, "type", id="not-public-key"),
    pytest.param(lambda r: {**r, "id": 42}, "credential id", id="numeric-id"),
    pytest.param(lambda r: {**r, "response": "x"}, "'response'", id="response-not-object"),
    pytest.param(lambda r: [r], "JSON object", id="list"),
    pytest.param(lambda r: None, "JSON object", id="none"),
]


@pytest.mark.parametrize(("tamper", "needle"), REGISTRATION_REJECTIONS)
def test_registration_rejections(tamper: Tamper, needle: str) -> None:
    """A forged or malformed create response is rejected with a reason, never an exception."""
    device = VirtualAuthenticator()
    genuine = device.create(registration_options(CHALLENGE, RP, "u1", "ada"))
    result = verify_registration(CHALLENGE, tamper(genuine), rp_id=RP, origin=ORIGIN)
    assert not result.ok
    assert result.credential is None
    assert needle in result.reason


def test_assertion_round_trip() -> None:
    """A passkey's get response verifies against the registered credential."""
    device = VirtualAuthenticator()
    credential = _register(device)
    response = device.get(authentication_options("c2", RP, [credential.credential_id]))
    json.dumps(response)
    result = verify_assertion(credential, "c2", response, rp_id=RP, origin=ORIGIN)
    assert result.ok, result.reason


def _stranger_response(_: dict[str, Any]) -> dict[str, Any]:
    other = VirtualAuthenticator()
    stranger = _register(other)
    return other.get(authentication_options("c2", RP, [stranger.credential_id]))


def _resigned_by_stranger(response: dict[str, Any]) -> dict[str, Any]:
    forged = _stranger_response(response)
    forged["id"] = forged["rawId"] = response["id"]
    return forged


ASSERTION_REJECTIONS = [
    pytest.param(
        lambda r: _with_client_data(r, challenge=_b64(b"c1")), "challenge", id="wrong-challenge"
    ),
    pytest.param(lambda r: _with_client_data(r, type="webauthn.create"), "type", id="wrong-type"),
    pytest.param(
        lambda r: _with_client_data(r, origin="https://evil.example"), "origin", id="wrong-origin"
    ),
    pytest.param(
        lambda r: _with(r, "signature", _flip_last_byte(r["response"]["signature"])),
        "signature",
        id="tampered-signature",
    ),
    pytest.param(lambda r: _with(r, "signature", None), "signature", id="no-signature"),
    pytest.param(
        lambda r: _with(
            r, "authenticatorData", _flip_last_byte(r["response"]["authenticatorData"])
        ),
        "signature",
        id="tampered-auth-data",
    ),
    pytest.param(
        lambda r: _with(r, "authenticatorData", _b64(bytes(37))), "relying party", id="other-rp"
    ),
    pytest.param(_stranger_response, "not the registered", id="unknown-credential-id"),
    pytest.param(_resigned_by_stranger, "signature", id="signed-by-other-key"),
    pytest.param(lambda r: {**r, "response": {}}, "clientDataJSON", id="empty-response"),
    pytest.param(lambda r: "garbage", "JSON object", id="string"),
]


@pytest.mark.parametrize(("tamper", "needle"), ASSERTION_REJECTIONS)
def test_assertion_rejections(tamper: Tamper, needle: str) -> None:
    """A forged or malformed get response is rejected with a reason, never an exception."""
    device = VirtualAuthenticator()
    credential = _register(device)
    genuine = device.get(authentication_options("c2", RP, [credential.credential_id]))
    result = verify_assertion(credential, "c2", tamper(genuine), rp_id=RP, origin=ORIGIN)
    assert not result.ok
    assert needle in result.reason


def test_assertion_without_user_presence_is_rejected() -> None:
    """authenticatorData without the user-present flag is rejected before the signature."""
    device = VirtualAuthenticator()
    credential = _register(device)
    genuine = device.get(authentication_options("c2", RP, [credential.credential_id]))
    raw = bytearray(_unb64(genuine["response"]["authenticatorData"]))
    raw[32] &= 0xFE
    result = verify_assertion(
        credential, "c2", _with(genuine, "authenticatorData", _b64(bytes(raw)))
    )
    assert not result.ok
    assert "user-present" in result.reason


@pytest.mark.parametrize(
    "jwk",
    [
        {},
        {"kty": "RSA", "crv": "P-256", "x": "AA", "y": "AA"},
        {"kty": "EC", "crv": "P-256", "x": "AQ", "y": "AQ"},
        {"kty": "EC", "crv": "P-256", "x": "é", "y": "AQ"},
    ],
    ids=["empty", "rsa", "off-curve", "non-ascii"],
)
def test_bad_stored_key_is_rejected(jwk: dict[str, str]) -> None:
    """A stored credential whose key is not a P-256 point fails without raising."""
    device = VirtualAuthenticator()
    credential = _register(device)
    response = device.get(authentication_options("c2", RP, [credential.credential_id]))
    broken = StoredCredential(credential.credential_id, jwk)
    result = verify_assertion(broken, "c2", response)
    assert not result.ok
    assert "stored public key" in result.reason


def test_get_picks_the_allowed_passkey_among_many() -> None:
    """With several passkeys, get signs with the one the options allow."""
    device = VirtualAuthenticator()
    first, second = _register(device, "u1"), _register(device, "u2")
    response = device.get(authentication_options("c2", RP, [second.credential_id]))
    assert response["id"] == second.credential_id
    assert response["response"]["userHandle"] == _b64(b"u2")
    assert verify_assertion(second, "c2", response).ok
    assert not verify_assertion(first, "c2", response).ok


def test_get_without_allow_list_uses_newest_passkey_of_the_rp() -> None:
    """An empty allow list means a discoverable passkey: the newest one for that RP."""
    device = VirtualAuthenticator()
    _register(device, "u1")
    newest = _register(device, "u2")
    device.create(registration_options(CHALLENGE, "other.example", "u3", "u3"))
    assert device.get(authentication_options("c2", RP))["id"] == newest.credential_id


def test_get_without_a_matching_passkey_names_what_is_held() -> None:
    """Asking for a passkey the device lacks is an unknown-name error listing its passkeys."""
    device = VirtualAuthenticator()
    held = _register(device)
    with pytest.raises(UnknownNameError, match="unknown passkey 'missing'") as caught:
        device.get(authentication_options("c2", RP, ["missing"]))
    assert caught.value.known == [held.credential_id]


def test_get_ignores_passkeys_of_other_relying_parties() -> None:
    """A passkey made for one relying party does not answer another's request."""
    device = VirtualAuthenticator()
    held = _register(device)
    with pytest.raises(UnknownNameError, match=re.escape("other.example")):
        device.get(authentication_options("c2", "other.example", [held.credential_id]))


def test_custom_origin_is_reported_and_checked() -> None:
    """A device on another origin says so in client data, and an origin check catches it."""
    device = VirtualAuthenticator(origin="https://phish.example")
    response = device.create(registration_options(CHALLENGE, RP, "u1", "ada"))
    assert _client_data(response)["origin"] == "https://phish.example"
    assert verify_registration(CHALLENGE, response).ok
    assert not verify_registration(CHALLENGE, response, origin=ORIGIN).ok


@pytest.mark.parametrize(
    ("options", "needle"),
    [
        ({"rp": {"id": RP}, "user": {"id": "dTE"}}, "challenge"),
        ({"challenge": "Yw", "rp": "app", "user": {"id": "dTE"}}, "rp.id"),
        ({"challenge": "Yw", "rp": {"id": RP}}, "user.id"),
    ],
    ids=["no-challenge", "rp-not-object", "no-user"],
)
def test_create_refuses_malformed_options(options: dict[str, Any], needle: str) -> None:
    """Options a browser would refuse make the flow misbehave, naming the missing field."""
    with pytest.raises(FlowMisbehaved, match=re.escape(needle)):
        VirtualAuthenticator().create(options)


def test_get_refuses_allow_list_that_is_not_a_list() -> None:
    """An allowCredentials value that is not a list makes the flow misbehave."""
    with pytest.raises(FlowMisbehaved, match="allowCredentials"):
        VirtualAuthenticator().get({"challenge": "Yw", "rpId": RP, "allowCredentials": "x"})


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)
B64ISH = st.text(alphabet="AaBb09-_=+/.!é", max_size=80) | JSON_VALUES
SHAPED_RESPONSES = st.fixed_dictionaries(
    {
        "id": B64ISH,
        "type": st.just("public-key") | JSON_VALUES,
        "response": st.fixed_dictionaries(
            {
                "clientDataJSON": B64ISH,
                "authenticatorData": B64ISH,
                "signature": B64ISH,
                "publicKey": B64ISH,
            }
        )
        | JSON_VALUES,
    }
)


@pytest.fixture(scope="module")
def stored() -> StoredCredential:
    return _register(VirtualAuthenticator())


@settings(max_examples=300, deadline=None)
@given(response=SHAPED_RESPONSES | JSON_VALUES)
def test_ceremony_checks_never_raise(stored: StoredCredential, response: Any) -> None:
    """Any JSON-like response is rejected with a reason instead of an exception."""
    registration = verify_registration(CHALLENGE, response)
    assertion = verify_assertion(stored, CHALLENGE, response)
    assert not registration.ok
    assert not assertion.ok
    assert registration.reason
    assert assertion.reason
