"""Keys, tokens, one-time passwords and passkeys for the test world.

The only package that imports pyjwt. TOTP is offered as a module
(``from flowspec.identity import totp``) because its functions are named for that context.
"""

from __future__ import annotations

from flowspec.identity import totp
from flowspec.identity.authenticator import (
    AssertionResult,
    RegistrationResult,
    StoredCredential,
    VirtualAuthenticator,
    authentication_options,
    registration_options,
    verify_assertion,
    verify_registration,
)
from flowspec.identity.keys import KeyRing, SigningKey
from flowspec.identity.tokens import (
    TokenIssuer,
    TokenKind,
    Verdict,
    VerdictCode,
    decode_claims,
)

__all__ = [
    "AssertionResult",
    "KeyRing",
    "RegistrationResult",
    "SigningKey",
    "StoredCredential",
    "TokenIssuer",
    "TokenKind",
    "Verdict",
    "VerdictCode",
    "VirtualAuthenticator",
    "authentication_options",
    "decode_claims",
    "registration_options",
    "totp",
    "verify_assertion",
    "verify_registration",
]
