"""Tests for signing keys, key rings and their JWKS documents."""

from __future__ import annotations

import base64
import threading
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from flowspec.errors import SettingsError
from flowspec.identity import KeyRing, keys
from flowspec.identity.keys import make_key_ahead, settle_key_ahead


@pytest.fixture(scope="module")
def ring() -> KeyRing:
    return KeyRing.generate()


@pytest.fixture(scope="module")
def other() -> KeyRing:
    return KeyRing.generate("K-other")


def _pem(
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, password: bytes | None = None
) -> bytes:
    encryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )


def _uint(text: str) -> int:
    return int.from_bytes(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)), "big")


def test_generate_makes_rsa_2048_with_derived_kid(ring: KeyRing) -> None:
    """A generated ring signs with an RSA-2048 key whose kid starts with K."""
    assert ring.current.private_key.key_size == 2048
    assert ring.current.kid.startswith("K")
    assert len(ring.current.kid) == 17


def test_generate_keeps_given_kid(other: KeyRing) -> None:
    """A kid passed to generate is the kid of the signing key."""
    assert other.current.kid == "K-other"


def test_public_jwk_shape(ring: KeyRing) -> None:
    """The public JWK has exactly Descope's members, unpadded, holding the key's numbers."""
    jwk = ring.current.public_jwk()
    numbers = ring.current.private_key.public_key().public_numbers()
    assert set(jwk) == {"kty", "kid", "alg", "use", "n", "e"}
    assert (jwk["kty"], jwk["alg"], jwk["use"], jwk["kid"]) == (
        "RSA",
        "RS256",
        "sig",
        ring.current.kid,
    )
    assert "=" not in jwk["n"] + jwk["e"]
    assert jwk["e"] == "AQAB"
    assert (_uint(jwk["n"]), _uint(jwk["e"])) == (numbers.n, numbers.e)


def test_jwks_lists_current_key_then_extras(ring: KeyRing, other: KeyRing) -> None:
    """The JWKS holds the signing key first, then each extra public key."""
    extra = other.current.private_key.public_key()
    combined = ring.with_public_key("K-other", extra)
    assert [k["kid"] for k in combined.jwks()["keys"]] == [ring.current.kid, "K-other"]
    assert [k["kid"] for k in ring.jwks()["keys"]] == [ring.current.kid]


def test_public_key_lookup(ring: KeyRing, other: KeyRing) -> None:
    """public_key finds the keys the ring holds and gives None for other kids."""
    extra = other.current.private_key.public_key()
    combined = KeyRing(ring.current, {"K-other": extra})
    assert combined.public_key("K-other") is extra
    assert combined.public_key(ring.current.kid) is not None
    assert combined.public_key("K-missing") is None


def test_extra_key_cannot_reuse_signing_kid(ring: KeyRing, other: KeyRing) -> None:
    """Two keys under one kid would make verification ambiguous, so the ring refuses."""
    with pytest.raises(SettingsError, match="give each key its own kid"):
        ring.with_public_key(ring.current.kid, other.current.private_key.public_key())


def test_from_pem_round_trip_gives_same_derived_kid(ring: KeyRing, tmp_path: Path) -> None:
    """Loading the same PEM twice gives the same kid, the one generate derived."""
    path = tmp_path / "signing.pem"
    path.write_bytes(_pem(ring.current.private_key))
    first, second = KeyRing.from_pem(path), KeyRing.from_pem(str(path))
    assert first.current.kid == second.current.kid == ring.current.kid
    assert first.current.public_jwk() == ring.current.public_jwk()


def test_from_pem_keeps_given_kid(ring: KeyRing, tmp_path: Path) -> None:
    """A kid passed to from_pem overrides the derived one."""
    path = tmp_path / "signing.pem"
    path.write_bytes(_pem(ring.current.private_key))
    assert KeyRing.from_pem(path, kid="K-file").current.kid == "K-file"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read the signing key"),
        (b"not a pem", "not an unencrypted PEM private key"),
        (_pem(ec.generate_private_key(ec.SECP256R1())), "not an RSA private key"),
        (_pem(ec.generate_private_key(ec.SECP256R1()), b"pw"), "not an unencrypted PEM"),
    ],
    ids=["missing", "garbage", "ec-key", "encrypted"],
)
def test_from_pem_rejects_bad_files(tmp_path: Path, content: bytes | None, message: str) -> None:
    """A missing or unsuitable key file is a settings error that names the file."""
    path = tmp_path / "key.pem"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(SettingsError, match=message) as caught:
        KeyRing.from_pem(path)
    assert str(path) in str(caught.value)


@pytest.fixture
def makers(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The thread that made each fresh private key, in order, with nothing made ahead yet."""
    made: list[str] = []
    real = keys._new_private_key

    def spy() -> rsa.RSAPrivateKey:
        made.append(threading.current_thread().name)
        return real()

    monkeypatch.setattr(keys, "_new_private_key", spy)
    monkeypatch.setattr(keys, "_spare", keys._SpareKey())
    return made


def test_a_key_made_ahead_is_the_next_fresh_key_and_only_that_one(
    makers: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(keys, "usable_cores", lambda: 2)
    make_key_ahead()
    first = KeyRing.generate()
    second = KeyRing.generate()
    assert makers == ["flowspec-key", threading.current_thread().name]
    assert first.current.kid != second.current.kid
    signature = first.current.private_key.sign(b"x", padding.PKCS1v15(), hashes.SHA256())
    public = first.public_key(first.current.kid)
    assert public is not None
    public.verify(signature, b"x", padding.PKCS1v15(), hashes.SHA256())


def test_on_one_core_no_key_is_made_ahead(
    makers: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(keys, "usable_cores", lambda: 1)
    make_key_ahead()
    KeyRing.generate()
    assert makers == [threading.current_thread().name]


def test_a_key_made_ahead_is_handed_out_once_whichever_threads_take_keys(
    makers: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two threads making rings at once (a forger's ring beside the world's) never get
    the same key: one takes the key made ahead, the other makes its own."""
    monkeypatch.setattr(keys, "usable_cores", lambda: 2)
    make_key_ahead()
    rings: list[KeyRing] = []
    takers = [threading.Thread(target=lambda: rings.append(KeyRing.generate())) for _ in "ab"]
    for taker in takers:
        taker.start()
    for taker in takers:
        taker.join()
    assert len({ring.current.kid for ring in rings}) == 2
    assert sorted(makers).count("flowspec-key") == 1


def test_a_key_made_ahead_that_nothing_took_is_settled_and_never_handed_out(
    makers: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A world that gives its own key takes none: settling waits for the thread making
    one (flowspec run may then fork) and drops the key, so the next ring makes its own."""
    monkeypatch.setattr(keys, "usable_cores", lambda: 2)
    make_key_ahead()
    settle_key_ahead()
    assert "flowspec-key" not in [thread.name for thread in threading.enumerate()]
    KeyRing.generate()
    assert makers == ["flowspec-key", threading.current_thread().name]
