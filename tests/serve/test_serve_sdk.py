"""Descope's own Python SDK, pointed at ``flowspec serve``, takes it for Descope.

The SDK fetches ``<base_url>/v2/keys/<projectId>`` to verify tokens (descope/auth.py,
``_fetch_public_keys``), derives the project id from ``iss`` (descope/jwt_common.py,
``adjust_properties``), and refreshes through ``POST /v1/auth/refresh``.
"""

from __future__ import annotations

import logging

import pytest
from descope import REFRESH_SESSION_TOKEN_NAME, SESSION_TOKEN_NAME, DeliveryMethod, DescopeClient


@pytest.fixture
def sdk(scenarios_served) -> DescopeClient:
    """Descope's client for the served ``scenarios/`` project."""
    return DescopeClient(project_id=scenarios_served.project_id, base_url=scenarios_served.url)


@pytest.fixture
def issued(api) -> dict:
    """The authInfo of a completed sign-in of Bob."""
    return dict(api.sign_in("bob@acme.test").json()["authInfo"])


def test_the_sdk_validates_the_session_and_refresh_jwts_a_flow_issued(
    sdk: DescopeClient, issued: dict, scenarios_served
) -> None:
    """Both tokens of a completed flow validate against the served keys, and the SDK
    reads the user, the project and the roles from them."""
    session = sdk.validate_session(issued["sessionJwt"])
    refresh = sdk.validate_session(issued["refreshJwt"])

    assert session["userId"] == refresh["userId"] == "U2bob"
    assert session["projectId"] == scenarios_served.project_id
    assert session[SESSION_TOKEN_NAME]["drn"] == "DS"
    assert refresh[SESSION_TOKEN_NAME]["drn"] == "DSR"
    assert sdk.validate_tenant_roles(session, "acme", ["member"])


def test_the_sdk_refreshes_a_session(sdk: DescopeClient, issued: dict) -> None:
    """``refresh_session`` gets a new session JWT for the refresh JWT, and the SDK
    validates what the server answered."""
    refreshed = sdk.refresh_session(issued["refreshJwt"])

    assert refreshed[SESSION_TOKEN_NAME]["sub"] == "U2bob"
    assert refreshed[SESSION_TOKEN_NAME]["drn"] == "DS"
    assert refreshed[REFRESH_SESSION_TOKEN_NAME]["jwt"] == issued["refreshJwt"]
    assert refreshed["user"]["loginIds"] == ["bob@acme.test"]


def test_the_sdk_refreshes_an_expired_session_on_validation(
    sdk: DescopeClient, issued: dict, scenarios_served
) -> None:
    """``validate_and_refresh_session`` with an expired session JWT falls back to the
    refresh JWT and returns a session the SDK accepts."""
    expired = scenarios_served.world.issuer.mint("U2bob", kind="session", expired=True)
    validated = sdk.validate_and_refresh_session(expired, issued["refreshJwt"])

    fresh = validated[SESSION_TOKEN_NAME]["jwt"]
    assert fresh != expired
    assert sdk.validate_session(fresh)["userId"] == "U2bob"


def test_the_sdk_reads_the_signed_in_user(sdk: DescopeClient, issued: dict) -> None:
    """``me`` answers the user of the refresh JWT with Descope's user fields."""
    me = sdk.me(issued["refreshJwt"])

    assert me["userId"] == "U2bob"
    assert me["email"] == "bob@acme.test"
    assert me["verifiedEmail"] is True
    assert me["userTenants"] == [
        {"tenantId": "acme", "tenantName": "Acme Corp", "roleNames": ["member"], "permissions": []}
    ]
    assert {"totp", "webauthn", "password", "customAttributes", "status", "test"} <= set(me)


def test_the_sdks_management_calls_export_flows_and_generate_codes(
    scenarios_served, management_key: str, caplog: pytest.LogCaptureFixture
) -> None:
    """With the management key, the SDK exports a flow (v1) and generates a test user's
    code; the key appears in no log line."""
    with caplog.at_level(logging.DEBUG):
        client = DescopeClient(
            project_id=scenarios_served.project_id,
            management_key=management_key,
            base_url=scenarios_served.url,
        )
        exported = client.mgmt.flow.export_flow("step-up")
        generated = client.mgmt.user.generate_otp_for_test_user(
            DeliveryMethod.EMAIL, "bob@acme.test"
        )

    assert exported["flow"]["id"] == "step-up"
    assert "tasks" in exported["flow"]["dsl"]
    assert generated["loginId"] == "bob@acme.test"
    assert management_key not in caplog.text
