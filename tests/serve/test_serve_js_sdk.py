"""Descope's JS core SDK (``@descope/core-js-sdk``), run by Node against ``flowspec serve``,
takes it for Descope: ``tests/serve/js/flow.mjs`` starts a flow with ``sdk.flow.start``,
clicks through it with ``sdk.flow.next`` and gets a session the world's issuer verifies.

The package is pinned in ``tests/serve/js/package.json`` (and its lockfile); the test
installs it with npm when it is missing, as the test command installs what a package
manager can. Without Node and npm (system packages) the tests are skipped, saying what to
install.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from flowspec.engine.world import World
from flowspec.redaction import redact_text

# The served world's client is tests/serve/conftest.py's Api, reached through its fixtures.
Api = Any
ROOT = Path(__file__).resolve().parents[2]
JS = Path(__file__).resolve().parent / "js"
SCRIPT = JS / "flow.mjs"
SAVE = [{"interaction": "save", "input": {"name": "Bob Node", "jobTitle": "SDK tester"}}]


@pytest.fixture(scope="module")
def node(node_package: Callable[[Path, str], str]) -> str:
    """The ``node`` executable, with the core SDK installed beside the script (by npm,
    from the lockfile, when it is not there yet)."""
    return node_package(JS, "@descope/core-js-sdk")


@pytest.fixture
def served(serve_world: Callable[..., Api]) -> Api:
    """A server of its own for the project's ``scenarios/``: the flow edits Bob's profile."""
    return serve_world(World.load(ROOT / "scenarios"))


def run_flow(
    node: str, api: Api, flow_id: str, clicks: list[dict[str, Any]], refresh_jwt: str | None
) -> dict[str, Any]:
    """Run ``flow.mjs``; its JSON report. The refresh JWT goes by the environment, and no
    failure message shows a token."""
    env = {k: v for k, v in os.environ.items() if k != "FLOWSPEC_REFRESH_JWT"}
    if refresh_jwt:
        env["FLOWSPEC_REFRESH_JWT"] = refresh_jwt
    command = [node, str(SCRIPT), api.served.url, api.served.project_id, flow_id]
    done = subprocess.run(
        [*command, json.dumps(clicks)],
        cwd=JS,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    shown = redact_text(done.stdout + done.stderr, [refresh_jwt])
    assert done.stdout.strip(), f"flow.mjs printed nothing (exit {done.returncode}): {shown}"
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    report["exit"] = done.returncode
    report["shown"] = shown
    return report


def refresh_jwt_of(api: Api, login_id: str) -> str:
    """A real refresh JWT from the test-user endpoints: a generated code, then verified."""
    code = api.generated_code(login_id)
    verified = api.http.post(
        "/v1/auth/otp/verify/email", json={"loginId": login_id, "code": code}, headers=api.auth()
    )
    assert verified.status_code == 200, redact_text(verified.text)
    return str(verified.json()["refreshJwt"])


def test_the_core_sdk_completes_a_signed_in_flow_with_a_session_the_issuer_verifies(
    node: str, served: Api
) -> None:
    """Started with Bob's refresh JWT, "profile-update" shows the edit screen, completes on
    Save, and its authInfo carries a session JWT for Bob that the world's issuer accepts."""
    report = run_flow(node, served, "profile-update", SAVE, refresh_jwt_of(served, "bob@acme.test"))

    assert report["exit"] == 0, report["shown"]
    assert report["ok"] is True
    assert report["steps"] == [
        {"status": "waiting", "screen": "edit-profile"},
        {"status": "completed", "screen": None},
    ]
    response = report["response"]
    assert response["status"] == "completed"
    auth_info = response["authInfo"]
    assert {"sessionJwt", "refreshJwt", "user"} <= set(auth_info)
    verdict = served.served.world.issuer.verify(auth_info["sessionJwt"], kind="session")
    assert verdict.accepted, verdict.reason
    assert verdict.claims["sub"] == "U2bob"
    assert auth_info["user"]["name"] == "Bob Node"
    assert auth_info["user"]["customAttributes"]["jobTitle"] == "SDK tester"


def test_without_the_refresh_jwt_the_core_sdk_runs_anonymous(node: str, served: Api) -> None:
    """Without a token the same start waits on "sign-in-first", so the signed-in run above
    owes its user to the token the SDK sent."""
    report = run_flow(node, served, "profile-update", [], None)

    assert report["exit"] == 0, report["shown"]
    assert report["steps"] == [{"status": "waiting", "screen": "sign-in-first"}]
    assert "authInfo" not in report["response"]


def test_the_core_sdk_reports_the_servers_error_for_an_unknown_flow(node: str, served: Api) -> None:
    """An unknown flow id comes back through the SDK as a failed call with flowspec serve's
    Descope-shaped error (FS40400), and the script exits 1."""
    report = run_flow(node, served, "no-such-flow", [], None)

    assert report["exit"] == 1
    assert report["ok"] is False
    assert report["error"]["errorCode"] == "FS40400"
