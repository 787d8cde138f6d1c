"""The JWT attack matrix against ``TokenIssuer.verify``: every row refused, for its reason,
without an exception and without the token in the reason; and the two limits the matrix
leans on (16 KiB, the audience) at their edges."""

from __future__ import annotations

import pytest
from jwt_attacks import ATTACKS, AUDIENCE, GENUINE, Attack, Forge, secret_pieces

import flowspec.identity.tokens
from flowspec.identity import KeyRing, TokenIssuer
from flowspec.identity.tokens import MAX_TOKEN_LENGTH

PROJECT = "P2attackMatrix"
NOW = 1_800_000_000.0  # 2027-01-15T08:00:00Z


@pytest.fixture(scope="module")
def keys() -> tuple[KeyRing, KeyRing]:
    """The project's key ring, and the attacker's own."""
    return KeyRing.generate("K1"), KeyRing.generate("K2")


@pytest.fixture
def forge(keys: tuple[KeyRing, KeyRing]) -> Forge:
    """The attacker's means against a project that requires the matrix's audience."""
    project, stranger = keys
    issuer = TokenIssuer(PROJECT, project, clock=lambda: NOW, audience=AUDIENCE)
    return Forge(issuer, stranger, "U1")


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda attack: attack.name)
def test_each_attack_is_refused_for_its_reason(forge: Forge, attack: Attack) -> None:
    """Each row's token is refused with the row's verdict code and a reason that shows
    none of the token."""
    token = attack.build(forge)
    verdict = forge.issuer.verify(token, kind="refresh")

    assert (verdict.accepted, verdict.code) == (False, attack.code), verdict.reason
    assert verdict.reason
    for piece in secret_pieces(token):
        assert piece not in verdict.reason


def test_the_genuine_row_is_accepted(forge: Forge) -> None:
    """The matrix's control row, a token the project signed, verifies: a refusal in the
    matrix is the attack's doing, not the harness's."""
    verdict = forge.issuer.verify(GENUINE.build(forge), kind="refresh")

    assert (verdict.accepted, verdict.code) == (True, "accepted")
    assert verdict.claims["aud"] == AUDIENCE


def test_a_token_over_16_kib_is_refused_before_it_is_parsed(
    forge: Forge, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A token one character over the limit is refused as too-large with its length,
    and nothing decodes it: the parser is not called."""

    def parse(token: str) -> object:
        raise AssertionError("a token over the limit reached the parser")

    monkeypatch.setattr(flowspec.identity.tokens, "_parse", parse)
    verdict = forge.issuer.verify("e" * (MAX_TOKEN_LENGTH + 1))

    assert verdict.code == "too-large"
    assert verdict.reason == (
        f"the token is {MAX_TOKEN_LENGTH + 1} characters long, over the {MAX_TOKEN_LENGTH} "
        "this project reads; it was refused unread"
    )


def test_a_signed_token_just_under_16_kib_verifies(forge: Forge) -> None:
    """The limit refuses only what is over it: a genuine token padded to within a few
    characters of 16 KiB is accepted, and text of exactly 16 KiB is read (and found
    malformed), not refused for its size."""
    # Base64url makes 4 characters of 3 bytes: start near the limit, then step to it.
    pad = (MAX_TOKEN_LENGTH - len(forge.genuine(pad=""))) * 3 // 4
    while len(forge.genuine(pad="x" * pad)) > MAX_TOKEN_LENGTH:
        pad -= 1
    while len(forge.genuine(pad="x" * (pad + 1))) <= MAX_TOKEN_LENGTH:
        pad += 1
    token = forge.genuine(pad="x" * pad)

    assert MAX_TOKEN_LENGTH - 3 <= len(token) <= MAX_TOKEN_LENGTH
    assert forge.issuer.verify(token).accepted
    assert forge.issuer.verify("e" * MAX_TOKEN_LENGTH).code == "malformed"


@pytest.mark.parametrize(
    ("token", "named"),
    [(None, "null"), (True, "a boolean"), (42, "a number"), ({}, "an object"), ([], "an array")],
    ids=["null", "boolean", "number", "object", "array"],
)
def test_a_token_that_is_no_string_is_malformed_and_named(
    forge: Forge, token: object, named: str
) -> None:
    """The input ``jwt`` may be any JSON value; one that is no string is refused as
    malformed, saying what it is."""
    verdict = forge.issuer.verify(token)

    assert verdict.code == "malformed"
    assert verdict.reason == f"the token is {named}, not a string"


def test_an_audience_list_naming_the_project_is_accepted(forge: Forge) -> None:
    """``aud`` may be a list (RFC 7519); one that names the project's audience passes."""
    token = forge.genuine(aud=["another-api", AUDIENCE])

    assert forge.issuer.verify(token).accepted


def test_the_audience_reason_names_both_audiences(forge: Forge) -> None:
    """A wrong audience is refused naming the token's audience and the required one; a
    missing one says the token has none."""
    wrong = forge.issuer.verify(forge.genuine(aud="another-api"))
    assert wrong.reason == (
        f"the token's audience is 'another-api'; this project requires the audience {AUDIENCE!r}"
    )
    bare = TokenIssuer(PROJECT, forge.issuer.keyring, clock=lambda: NOW).mint("U1", kind="refresh")
    assert forge.issuer.verify(bare).reason == (
        f"the token has no aud claim; this project requires the audience {AUDIENCE!r}"
    )


def test_without_an_audience_aud_is_not_checked(keys: tuple[KeyRing, KeyRing]) -> None:
    """A project that names no audience mints no ``aud`` and accepts any: the check is
    on only when the project asks for it."""
    issuer = TokenIssuer(PROJECT, keys[0], clock=lambda: NOW)
    minted = issuer.mint("U1", kind="refresh")
    foreign = issuer.mint("U1", kind="refresh", claims={"aud": "another-api"})

    assert "aud" not in issuer.verify(minted).claims
    assert issuer.verify(foreign).accepted
