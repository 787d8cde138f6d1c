"""The remote backend: Descope's flow API over httpx, behind the same runner seam as the
local engine. The only package besides ``flowspec.serve`` that imports httpx."""

from __future__ import annotations

from flowspec.remote.client import FlowClient, Reply
from flowspec.remote.errors import RemoteError, RemoteFlowMisbehaved
from flowspec.remote.runner import RemoteRun, RemoteRunner
from flowspec.remote.settings import (
    RemoteSettings,
    RetryPolicy,
    Secret,
    Timeouts,
    load_settings,
)

__all__ = [
    "FlowClient",
    "RemoteError",
    "RemoteFlowMisbehaved",
    "RemoteRun",
    "RemoteRunner",
    "RemoteSettings",
    "Reply",
    "RetryPolicy",
    "Secret",
    "Timeouts",
    "load_settings",
]
