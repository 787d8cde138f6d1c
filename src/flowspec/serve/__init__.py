"""``flowspec serve``: the local engine behind Descope's flow API (``docs/wire.md``).

Web pages, apps and Descope's own SDKs pointed at it run the test world's flows as they
would run a real project's: :func:`create_app` builds the ASGI app, :func:`serve` runs it
in the foreground, :class:`BackgroundServer` on a thread of the calling process.
"""

from __future__ import annotations

from flowspec.serve.app import NONCE_HEADER, create_app
from flowspec.serve.server import BackgroundServer, serve

__all__ = ["NONCE_HEADER", "BackgroundServer", "create_app", "serve"]
