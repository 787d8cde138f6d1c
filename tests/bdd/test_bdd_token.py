"""`flowspec token` prints a refresh JWT of the test world, alone on stdout, that a
separately started `flowspec serve` of the same world accepts when both read its key."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from flowspec.engine.world import World
from flowspec.identity import decode_claims
from flowspec.serve import BackgroundServer, create_app

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def world_with_key(tmp_path: Path) -> Path:
    """A copy of the project's test world whose project.yaml names a signing key file."""
    scenarios = tmp_path / "scenarios"
    shutil.copytree(ROOT / "scenarios", scenarios)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    (scenarios / "signing-key.pem").write_bytes(pem)
    project = scenarios / "project.yaml"
    project.write_text(project.read_text() + "signingKey: signing-key.pem\n")
    return scenarios


def token(scenarios: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `flowspec token` in its own process, as a shell's $(...) would."""
    return subprocess.run(
        [sys.executable, "-m", "flowspec.cli", "token", *args, "--scenarios", str(scenarios)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_token_is_the_only_output_and_verifies_with_the_worlds_issuer(
    world_with_key: Path,
) -> None:
    """stdout holds one line, the JWT, which the world loaded elsewhere accepts for bob."""
    result = token(world_with_key, "bob@acme.test")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    assert result.stdout == lines[0] + "\n"
    verdict = World.load(world_with_key).issuer.verify(lines[0], kind="refresh")
    assert verdict.accepted, verdict.reason
    assert verdict.claims["sub"] == "U2bob"


def test_a_separately_started_serve_accepts_the_token(world_with_key: Path) -> None:
    """flowspec serve of the same world answers /v1/auth/me for the token with its user."""
    printed = token(world_with_key, "gina@globex.test").stdout.strip()
    world = World.load(world_with_key)
    with BackgroundServer(create_app(world)) as server:
        response = httpx.get(
            f"{server.url}/v1/auth/me",
            headers={"Authorization": f"Bearer {world.project_id}:{printed}"},
        )
    assert response.status_code == 200, response.text
    assert response.json()["userId"] == "U2gina"


def test_claims_are_merged_into_the_users_own(world_with_key: Path) -> None:
    """--claims adds claims and replaces same-named ones; the user's claims stay."""
    result = token(world_with_key, "ada@acme.test", "--claims", '{"dct": "acme", "amr": ["pwd"]}')
    claims = decode_claims(result.stdout.strip())
    assert claims["dct"] == "acme"
    assert claims["amr"] == ["pwd"]
    assert claims["sub"] == "U2ada"
    assert "admin" in claims["roles"]


def test_an_expired_token_is_rejected_as_expired(world_with_key: Path) -> None:
    """--expired mints a token the world's issuer rejects with the code expired."""
    printed = token(world_with_key, "bob@acme.test", "--expired").stdout.strip()
    verdict = World.load(world_with_key).issuer.verify(printed, kind="refresh")
    assert not verdict.accepted
    assert verdict.code == "expired"


def test_a_user_may_be_named_by_user_id_or_by_name(world_with_key: Path) -> None:
    """A user id and a user's display name find the same user as the login id."""
    for ident in ("U2tom", "Tom Tenant-Admin"):
        printed = token(world_with_key, ident).stdout.strip()
        assert decode_claims(printed)["sub"] == "U2tom"


def test_an_unknown_user_exits_2_with_a_suggestion_and_no_output(world_with_key: Path) -> None:
    """A typo prints nothing on stdout, and the closest login id on stderr."""
    result = token(world_with_key, "bob@acme.tset")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "unknown user 'bob@acme.tset'" in result.stderr
    assert "Did you mean 'bob@acme.test'" in result.stderr


@pytest.mark.parametrize("claims", ["{not json", "[1, 2]"])
def test_claims_that_are_not_a_json_object_exit_2(world_with_key: Path, claims: str) -> None:
    """--claims must be a JSON object; anything else is refused with the reason."""
    result = token(world_with_key, "bob@acme.test", "--claims", claims)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "--claims" in result.stderr


def test_without_a_key_file_stderr_says_serve_will_refuse_the_token() -> None:
    """With keys generated per process, the token still prints, with the fix on stderr."""
    result = token(ROOT / "scenarios", "bob@acme.test")
    assert result.returncode == 0
    assert len(result.stdout.splitlines()) == 1
    assert "signingKey" in result.stderr
    assert result.stdout.strip() not in result.stderr
