"""Pulling flows from a project into the test world: ``flowspec pull <flowId>...``.

Each flow is exported through the management API (``POST /v2/mgmt/flow/export``, see
:meth:`~flowspec.remote.client.FlowClient.export_flow`) and written to
``<scenarios>/flows/<flowId>.json`` as the single-file export, pretty-printed. The file is
written next to its destination under a hidden temporary name, loaded with the engine's
own loader, and only then moved over the destination with ``os.replace``: a pull that
fails at any point leaves the old file as it was, and never a truncated or invalid one.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from flowspec.engine.loader import FLOW_SUFFIXES, load_flow
from flowspec.errors import WorldError
from flowspec.remote.client import FlowClient

__all__ = ["PullError", "Pulled", "check_flow_id", "flow_file", "pull_flow"]

# A flow id becomes a file name: letters, digits and . _ - only, not starting with a dot
# (the loader skips hidden files), so no id can name a path outside flows/.
_FLOW_ID: Final = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*")
_NEW_FILE_MODE: Final = 0o644


class PullError(WorldError):
    """One flow could not be pulled; the message names the flow and, where one is
    involved, the file."""


@dataclass(frozen=True)
class Pulled:
    """A flow written to the test world."""

    flow_id: str
    path: Path
    replaced: bool


def check_flow_id(flow_id: str) -> str | None:
    """Why ``flow_id`` cannot name a file in ``flows/``, or None when it can."""
    if _FLOW_ID.fullmatch(flow_id) and flow_id not in (".", ".."):
        return None
    return (
        f"{flow_id!r} is not a flow id flowspec can save: use letters, digits, '.', '_' and "
        "'-' only, not starting with '.' (the Descope console shows the id under Flows)"
    )


def flow_file(scenarios: Path, flow_id: str) -> Path:
    """Where the pulled export of ``flow_id`` is written."""
    return scenarios / "flows" / f"{flow_id}.json"


def pull_flow(client: FlowClient, scenarios: Path, flow_id: str, *, force: bool) -> Pulled:
    """Export ``flow_id`` and write it to ``<scenarios>/flows/<flowId>.json``.

    Raises :class:`PullError` when the file exists and ``force`` is false, when another
    file of ``flows/`` already defines the flow, or when the export does not load; and
    :class:`~flowspec.remote.errors.RemoteError` when the export call fails. In every case
    the folder is left as it was.
    """
    problem = check_flow_id(flow_id)
    if problem is not None:
        raise PullError(f"flow {flow_id!r}: {problem}")
    target = flow_file(scenarios, flow_id)
    existed = target.exists()
    if existed and not force:
        raise PullError(
            f"flow {flow_id}: {target} already exists; pass --force to overwrite it with the "
            "project's export"
        )
    _refuse_other_definitions(target, flow_id)
    export = client.export_flow(flow_id)
    target.parent.mkdir(exist_ok=True)
    _write_checked(target, flow_id, export)
    return Pulled(flow_id, target, existed)


def _refuse_other_definitions(target: Path, flow_id: str) -> None:
    """A YAML shorthand flow or a snapshot folder of the same name would define the flow
    twice, and the world would no longer load."""
    siblings: Iterable[Path] = (
        target.with_suffix(suffix) for suffix in sorted(FLOW_SUFFIXES) if suffix != ".json"
    )
    others = [path for path in (*siblings, target.with_suffix("")) if path.exists()]
    if others:
        raise PullError(
            f"flow {flow_id}: {others[0]} already defines it, and a second definition in "
            f"{target.name} would stop the test world from loading; remove {others[0].name} "
            "first if the project's export should replace it"
        )


def _write_checked(target: Path, flow_id: str, export: dict[str, Any]) -> None:
    """Write ``export`` under a temporary name beside ``target``, load it, then move it
    over ``target``; the temporary file is removed whatever goes wrong."""
    text = json.dumps(export, indent=2, ensure_ascii=False) + "\n"
    mode = target.stat().st_mode & 0o777 if target.exists() else _NEW_FILE_MODE
    # Hidden (leading dot) so that nothing loading flows/ meanwhile reads it as a flow;
    # ".json" so that the loader reads it as an export.
    handle, name = tempfile.mkstemp(prefix=f".{flow_id}.", suffix=".pull.json", dir=target.parent)
    temporary = Path(name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        _check_loads(temporary, target, flow_id)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        raise


def _check_loads(temporary: Path, target: Path, flow_id: str) -> None:
    kept = f"{target} was left as it was" if target.exists() else f"{target} was not written"
    try:
        flow = load_flow(temporary)
    except WorldError as error:
        reason = str(error).replace(str(temporary), "the export")
        raise PullError(
            f"flow {flow_id}: the project's export does not load, so {kept}: {reason}"
        ) from None
    if flow.id != flow_id:
        raise PullError(
            f"flow {flow_id}: the project answered with the export of flow {flow.id!r}, so "
            f"{kept}; check the flow id"
        )
