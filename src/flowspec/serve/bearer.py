"""The ``Authorization`` header Descope's clients send: ``Bearer <projectId>[:<secret>]``.

The secret is a refresh JWT on the flow and session endpoints and the management key on
management endpoints. Descope's SDKs may append their own management key
(``<projectId>:<refreshJwt>:<key>``), so the refresh JWT is what lies between the first
and the second colon. Nothing of the header is ever quoted back: it may hold a secret.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from flowspec.serve.problems import UNAUTHORIZED, WireError

_SCHEME = "bearer "


@dataclass(frozen=True)
class Bearer:
    """What the header carried after the project id, if anything."""

    secret: str

    @property
    def refresh_jwt(self) -> str | None:
        token = self.secret.split(":", 1)[0]
        return token or None


def bearer(request: Request, project_id: str) -> Bearer:
    """The header's credentials, once its project id is checked to be ``project_id``."""
    header = request.headers.get("authorization", "")
    if header[: len(_SCHEME)].lower() != _SCHEME:
        raise WireError(
            UNAUTHORIZED,
            f"send the header Authorization: Bearer {project_id}[:<refresh JWT>]",
        )
    sent_project, _, secret = header[len(_SCHEME) :].strip().partition(":")
    if sent_project != project_id:
        raise WireError(
            UNAUTHORIZED,
            f"the Authorization header names another project; this server is {project_id}",
        )
    return Bearer(secret)
