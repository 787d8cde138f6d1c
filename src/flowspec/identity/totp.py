"""Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP, HMAC-SHA1).

SHA1 with 6 digits and 30-second periods is what authenticator apps assume when a
provisioning URI names nothing else, so it is the only variant offered.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
from urllib.parse import quote, urlencode

__all__ = ["code_at", "new_secret", "provisioning_uri", "verify"]

_SECRET_BYTES = 20  # 160 bits, the length RFC 4226 recommends for HMAC-SHA1.


def new_secret() -> str:
    """Return a fresh random 160-bit secret, base32-encoded as authenticator apps expect."""
    return base64.b32encode(secrets.token_bytes(_SECRET_BYTES)).decode("ascii")


def _key(secret: str) -> bytes:
    # Apps show secrets in lower case, grouped by spaces and without padding; accept that.
    compact = secret.replace(" ", "").upper()
    return base64.b32decode(compact + "=" * (-len(compact) % 8))


def _hotp(key: bytes, counter: int, digits: int) -> str:
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def code_at(secret: str, at: float, digits: int = 6, period: int = 30) -> str:
    """Return the code for the base32 ``secret`` at the Unix time ``at``."""
    return _hotp(_key(secret), int(at // period), digits)


def verify(
    secret: str, code: str, at: float, window: int = 1, digits: int = 6, period: int = 30
) -> bool:
    """Tell whether ``code`` is the code at ``at`` or up to ``window`` periods either side."""
    if len(code) != digits or not (code.isascii() and code.isdigit()):
        return False
    key = _key(secret)
    counter = int(at // period)
    return any(
        hmac.compare_digest(_hotp(key, step, digits), code)
        for step in range(max(counter - window, 0), counter + window + 1)
    )


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    """Return the otpauth:// URI an authenticator app scans from a QR code."""
    # Encoded apart, so a colon inside the issuer cannot be read as the separator.
    label = f"{quote(issuer, safe='')}:{quote(account, safe='@')}"
    query = urlencode(
        {"secret": secret, "issuer": issuer, "algorithm": "SHA1", "digits": 6, "period": 30},
        quote_via=quote,
    )
    return f"otpauth://totp/{label}?{query}"
