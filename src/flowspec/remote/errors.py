"""The errors a remote backend's failures end in, two leaves of ``flowspec.errors``' tree.

They live beside the client because only it raises them. :class:`RemoteError` is the
scenario's or the environment's problem (behave: *error*); :class:`RemoteFlowMisbehaved`
is the flow's (behave: *failed*), for a server that says the flow itself went wrong
(``FS42201``).
"""

from __future__ import annotations

from collections.abc import Iterable

from flowspec.errors import FlowMisbehaved, FlowspecError, WorldError
from flowspec.redaction import redact_text

__all__ = ["RemoteError", "RemoteFlowMisbehaved"]


class _RemoteCallError(FlowspecError):
    """A failed call: ``url`` never carries credentials, and the message and ``cause`` are
    redacted (the given ``secrets`` and anything shaped like a JWT are cut out)."""

    def __init__(
        self,
        *,
        method: str,
        url: str,
        cause: str,
        fix: str,
        status: int | None = None,
        error_code: str | None = None,
        attempts: int = 1,
        secrets: Iterable[str | None] = (),
    ) -> None:
        hidden = list(secrets)
        self.method = method
        self.url = url
        self.cause = redact_text(cause, hidden)
        self.status = status
        self.error_code = error_code
        self.attempts = attempts
        super().__init__(redact_text(f"{method} {url} failed: {self.cause}. {fix}", hidden))


class RemoteError(_RemoteCallError, WorldError):
    """The remote backend could not be reached, answered with something that is not a flow
    response, or refused the request: not the flow's fault."""


class RemoteFlowMisbehaved(_RemoteCallError, FlowMisbehaved):  # noqa: N818 - as errors.py names it
    """The server ran the step and says the flow misbehaved (it loops, a button leads
    nowhere, no condition branch holds), as the local runner's ``FlowMisbehaved`` says."""
