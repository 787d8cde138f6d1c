"""``flowspec serve`` from the command line: it serves the world it is pointed at, takes
the management key from the environment, and never prints it."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
KEY = "cli-test-management-key"
_RUNNING = re.compile(r"Uvicorn running on (http://\S+)")


def serve_command(*options: str) -> list[str]:
    return [sys.executable, "-m", "flowspec.cli", "serve", *options]


def test_the_serve_command_answers_with_the_environments_management_key() -> None:
    """``flowspec serve --port 0`` serves scenarios/, accepts the key set in
    FLOWSPEC_MANAGEMENT_KEY, logs each request as uvicorn does, and prints the key
    nowhere."""
    environment = {**os.environ, "FLOWSPEC_MANAGEMENT_KEY": KEY}
    process = subprocess.Popen(
        serve_command("--port", "0", "--scenarios", str(ROOT / "scenarios")),
        env=environment,
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    printed: list[str] = []
    try:
        while not (running := _RUNNING.search("".join(printed))):
            line = process.stderr.readline()
            assert line, f"flowspec serve exited early: {''.join(printed)}"
            printed.append(line)
        headers = {"Authorization": f"Bearer P2flowspecLocal:{KEY}"}
        exported = httpx.post(
            f"{running.group(1)}/v2/mgmt/flow/export", json={"flowId": "step-up"}, headers=headers
        )
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)

    assert exported.status_code == 200
    assert exported.json()["flow"]["flowId"] == "step-up"
    assert "management API on" in printed[0]
    logged = re.findall(r'INFO: +127\.0\.0\.1:\d+ - "POST /v2/mgmt/flow/export HTTP/1\.1" 200', out)
    assert len(logged) == 1, out
    assert KEY not in "".join(printed) + out + err


def test_the_serve_command_refuses_a_missing_world_with_a_message(tmp_path: Path) -> None:
    """Pointed at a folder that holds no test world, the command exits 2 and says so."""
    finished = subprocess.run(
        serve_command("--scenarios", str(tmp_path / "nowhere")),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )

    assert finished.returncode == 2
    assert "no test world" in finished.stderr
