"""A real Descope export runs unedited in the local engine (the corpus in ../shared/)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from flowspec.engine.runner import LocalRunner
from flowspec.engine.world import World
from flowspec.identity import totp

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "descope-exports"
EXPORT = CORPUS / "preferred-mfa-flow.json"


@pytest.fixture(scope="module")
def world(world_folder) -> World:
    if not EXPORT.exists():
        pytest.skip(f"the compatibility corpus is not at {CORPUS}; put shared/ beside the repo")
    root = world_folder({})
    shutil.copy(EXPORT, root / "flows" / EXPORT.name)
    return World.load(root)


def test_a_user_without_a_preference_enrolls_totp_and_is_signed_in(world: World) -> None:
    """preferred-mfa-flow asks a user with no preference to pick, enrolls TOTP, remembers it."""
    run = LocalRunner(world).start(
        "preferred-mfa-flow", inputs={"jwt": world.refresh_token(world.user("m1@t1.test"))}
    )
    doc = run.context
    assert doc["screen"]["name"] == "Select MFA"
    by_label = {i["label"]: i["id"] for i in doc["screen"]["interactions"]}
    run.interact(by_label["Continue with TOTP"])
    doc = run.context
    assert doc["screen"]["name"] == "Verify TOTP"
    secret = doc["screen"]["state"]["totp"]["key"]
    run.interact("oneTimeCodeId", {"code": totp.code_at(secret, world.issuer.clock())})
    doc = run.context
    assert doc["flow"]["status"] == "completed"
    assert doc["user"]["customAttributes"]["preferredMfaMethod"] == "totp"
    assert [e["id"] for e in doc["flow"]["path"]] == ["25", "8", "5", "7", "6", "4", "1"]
    assert "totp" in doc["authInfo"]["sessionJwt"]["amr"]
