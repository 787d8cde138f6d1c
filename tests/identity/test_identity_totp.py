"""Tests for TOTP codes against the RFC test vectors."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from flowspec.identity import totp

RFC_SECRET = base64.b32encode(b"12345678901234567890").decode("ascii")


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1111111111, "14050471"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
        (20000000000, "65353130"),
    ],
    ids=["59", "1111111109", "1111111111", "1234567890", "2000000000", "20000000000"],
)
def test_rfc6238_sha1_vectors(at: int, expected: str) -> None:
    """The 8-digit SHA1 codes match RFC 6238 appendix B."""
    assert totp.code_at(RFC_SECRET, at, digits=8) == expected


@pytest.mark.parametrize(
    ("counter", "expected"),
    list(
        enumerate(
            [
                "755224",
                "287082",
                "359152",
                "969429",
                "338314",
                "254676",
                "287922",
                "162583",
                "399871",
                "520489",
            ]
        )
    ),
    ids=[f"counter-{n}" for n in range(10)],
)
def test_rfc4226_hotp_vectors(counter: int, expected: str) -> None:
    """Six-digit codes at period boundaries match the HOTP values of RFC 4226 appendix D."""
    assert totp.code_at(RFC_SECRET, counter * 30 + 29.9) == expected


def test_secret_is_accepted_as_apps_show_it() -> None:
    """A lower-case, space-grouped, unpadded secret gives the same code."""
    shown = " ".join(RFC_SECRET[i : i + 4] for i in range(0, len(RFC_SECRET), 4)).lower()
    assert totp.code_at(shown, 59, digits=8) == "94287082"


def test_new_secret_is_160_random_bits() -> None:
    """A new secret is base32 text of 20 bytes, different each time."""
    first, second = totp.new_secret(), totp.new_secret()
    assert len(base64.b32decode(first)) == 20
    assert first != second


@pytest.mark.parametrize(
    ("offset", "window", "accepted"),
    [
        (0, 1, True),
        (-30, 1, True),
        (30, 1, True),
        (-60, 1, False),
        (60, 1, False),
        (30, 0, False),
        (60, 2, True),
    ],
    ids=["now", "previous", "next", "two-before", "two-after", "no-window", "wide-window"],
)
def test_verify_window(offset: int, window: int, accepted: bool) -> None:
    """A code verifies within window periods of the time it was made, and not beyond."""
    now = 1_800_000_000.0
    code = totp.code_at(RFC_SECRET, now + offset)
    assert totp.verify(RFC_SECRET, code, now, window=window) is accepted


@pytest.mark.parametrize(
    "code",
    ["", "12345", "1234567", "12a456", " 12345", "١٢٣٤٥٦", "-12345", "12.456"],
    ids=["empty", "short", "long", "letter", "space", "arabic-digits", "sign", "dot"],
)
def test_verify_rejects_non_codes(code: str) -> None:
    """Text that is not six ASCII digits is rejected without raising."""
    assert totp.verify(RFC_SECRET, code, 1_800_000_000.0) is False


def test_verify_at_epoch_start_does_not_look_before_zero() -> None:
    """At time zero the window stays at counter zero instead of going negative."""
    assert totp.verify(RFC_SECRET, totp.code_at(RFC_SECRET, 0), 10)


def test_provisioning_uri() -> None:
    """The otpauth URI labels issuer and account and carries the secret and parameters."""
    uri = totp.provisioning_uri(RFC_SECRET, "ada@example.com", "Acme: Staging")
    parts = urlsplit(uri)
    assert (parts.scheme, parts.netloc) == ("otpauth", "totp")
    assert parts.path == "/Acme%3A%20Staging:ada@example.com"
    assert unquote(parts.path) == "/Acme: Staging:ada@example.com"
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query == {
        "secret": RFC_SECRET,
        "issuer": "Acme: Staging",
        "algorithm": "SHA1",
        "digits": "6",
        "period": "30",
    }
