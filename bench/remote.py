"""Benchmark: the remote backend against ``flowspec serve`` (issue 5, "Speed, in bench/").

1. Remote vs local. One scenario's sequence, the same on both backends: start
   ``profile-update`` with a refresh JWT of bob@acme.test from ``scenarios/``, read the
   context, click Save with a name, read the context. Remote is ``RemoteRunner`` against
   ``flowspec serve`` on loopback in this process (``BackgroundServer``); the baseline,
   measured in the same run and interleaved with it, is ``LocalRunner`` on the same
   world. Median of ``--runs`` repetitions; target: remote at most 3x local. The remote
   JWT comes from ``RemoteRunner.test_user_refresh_jwt`` and the local one from
   ``World.refresh_token``, both once and outside the timing.
2. Serve throughput. ``--clients`` threads (each its own ``httpx.Client``) send start and
   next pairs on a one-click flow for an anonymous visitor (a screen whose button leads
   to an audit event and the end) to ``flowspec serve`` running as a separate process
   (``python -m flowspec.cli serve``), so the server has a core and a GIL of its own;
   ``--pairs`` pairs in all, bounded by ``--seconds``. Target: at least 500 pairs per
   second. The baseline, for context, is the same pairs on the local engine in one
   thread of this process, with no HTTP.

Absolute times are for context only: they depend on the machine; the ratios do not, much.
No token is printed.

    python bench/remote.py [--runs 300] [--pairs 4000] [--clients 8] [--seconds 120]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx

from flowspec.engine.runner import LocalRunner, Run, Runner
from flowspec.engine.world import World
from flowspec.remote import RemoteRunner, RemoteSettings, Secret
from flowspec.serve import NONCE_HEADER, BackgroundServer, create_app

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
USER = "bob@acme.test"
RATIO_TARGET = 3.0
PAIRS_TARGET = 500.0
WARM_UP = 30
_READY_SECONDS = 20.0
SERVE = (sys.executable, "-m", "flowspec.cli", "serve")
MANAGEMENT_KEY_VARIABLE = "FLOWSPEC_MANAGEMENT_KEY"

ONE_CLICK_FLOW = """\
flow: one-click
start: Go
tasks:
  Go:
    screen: go
    buttons:
      Go: Done
  Done:
    action: generate-audit-event
"""
ONE_CLICK_PROJECT = "projectId: P2benchOneClick\n"
ONE_CLICK_USERS = "users:\n  - {userId: U1, loginIds: [one@bench.test]}\n"


def scenario(runner: Runner, token: str, round_number: int) -> None:
    """Start profile-update signed in, read the context, save a name, read it again."""
    run: Run = runner.start("profile-update", refresh_jwt=token)
    shown = run.context
    assert shown["screen"]["name"] == "Edit profile", shown["flow"]
    name = f"Bob {round_number}"
    run.interact("save", {"name": name})
    done = run.context
    assert done["flow"]["status"] == "completed", done["flow"]
    assert done["user"]["name"] == name, "the context does not show the saved name"


def timed(call: Callable[..., None], *args: object) -> float:
    """Wall-clock seconds of ``call(*args)``."""
    started = time.perf_counter()
    call(*args)
    return time.perf_counter() - started


def remote_vs_local(runs: int) -> tuple[float, float]:
    """Median seconds of one scenario on the local runner and on the remote one."""
    world = World.load(SCENARIOS)
    key = secrets.token_urlsafe(24)
    local = LocalRunner(world)
    local_token = world.refresh_token(world.user(USER))
    with BackgroundServer(create_app(world, management_key=key)) as server:
        settings = RemoteSettings(
            base_url=server.url, project_id=world.project_id, management_key=Secret(key)
        )
        with RemoteRunner(settings) as remote:
            remote_token = remote.test_user_refresh_jwt(USER)
            for number in range(WARM_UP):
                scenario(local, local_token, number)
                scenario(remote, remote_token, number)
            local_times: list[float] = []
            remote_times: list[float] = []
            # Interleaved, so that a slower moment of the machine hits both alike.
            for number in range(runs):
                local_times.append(timed(scenario, local, local_token, number))
                remote_times.append(timed(scenario, remote, remote_token, number))
    return statistics.median(local_times), statistics.median(remote_times)


def write_one_click_world(root: Path) -> None:
    (root / "flows").mkdir()
    (root / "project.yaml").write_text(ONE_CLICK_PROJECT)
    (root / "users.yaml").write_text(ONE_CLICK_USERS)
    (root / "flows" / "one-click.yaml").write_text(ONE_CLICK_FLOW)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until_ready(server: subprocess.Popen[bytes], url: str) -> None:
    deadline = time.monotonic() + _READY_SECONDS
    while True:
        if server.poll() is not None:
            raise RuntimeError(f"flowspec serve exited with {server.returncode} while starting")
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"flowspec serve did not answer {url} within {_READY_SECONDS:g} s")
        time.sleep(0.05)


class Pairs:
    """Start-and-next pairs shared out to client threads, up to a count and a deadline."""

    def __init__(self, total: int, deadline: float) -> None:
        self._left = total
        self._deadline = deadline
        self._lock = threading.Lock()
        self.done = 0
        self.failures: list[str] = []

    def take(self) -> bool:
        with self._lock:
            if self._left <= 0 or self.failures or time.monotonic() > self._deadline:
                return False
            self._left -= 1
            return True

    def finished(self) -> None:
        with self._lock:
            self.done += 1

    def failed(self, why: str) -> None:
        with self._lock:
            self.failures.append(why)


def one_pair(http: httpx.Client, auth: dict[str, str]) -> str | None:
    """Start the one-click flow and click its button; None when it completed, else why not."""
    started = http.post("/v1/flow/start", json={"flowId": "one-click"}, headers=auth)
    if started.status_code != 200:
        return f"start answered {started.status_code}"
    body = started.json()
    click = {
        "executionId": body["executionId"],
        "stepId": body["stepId"],
        "interactionId": "go",
        "input": {},
    }
    headers = {**auth, NONCE_HEADER: started.headers[NONCE_HEADER]}
    ended = http.post("/v1/flow/next", json=click, headers=headers)
    if ended.status_code != 200 or ended.json().get("status") != "completed":
        return f"next answered {ended.status_code}"
    return None


def client(url: str, project_id: str, pairs: Pairs) -> None:
    auth = {"Authorization": f"Bearer {project_id}"}
    with httpx.Client(base_url=url, timeout=10.0) as http:
        while pairs.take():
            try:
                why = one_pair(http, auth)
            except httpx.HTTPError as error:
                why = f"{type(error).__name__}: {error}"
            if why is None:
                pairs.finished()
            else:
                pairs.failed(why)


@contextlib.contextmanager
def serve_process(root: Path, project_id: str, management_key: str | None = None) -> Iterator[str]:
    """``flowspec serve`` of the test world at ``root`` (of project ``project_id``) in a
    process of its own, so it has a core and a GIL of its own, for the length of the block:
    its base URL. The management API is on only when ``management_key`` is given."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    environment = {k: v for k, v in os.environ.items() if k != MANAGEMENT_KEY_VARIABLE}
    if management_key is not None:
        environment[MANAGEMENT_KEY_VARIABLE] = management_key
    server = subprocess.Popen(
        [*SERVE, "--port", str(port), "--scenarios", str(root)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=environment,
    )
    try:
        wait_until_ready(server, f"{url}/v2/keys/{project_id}")
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def serve_throughput(total: int, clients: int, seconds: float) -> tuple[float, float]:
    """Pairs per second: through flowspec serve in its own process, and on the local engine."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_one_click_world(root)
        world = World.load(root)
        local = LocalRunner(world)
        local_pairs = max(total // 4, 1)

        def local_run() -> None:
            for _ in range(local_pairs):
                run = local.start("one-click")
                run.interact("go")
                assert run.state.status == "completed"

        local_rate = local_pairs / timed(local_run)

        with serve_process(root, world.project_id) as url:
            warm = Pairs(WARM_UP, time.monotonic() + seconds)
            client(url, world.project_id, warm)
            pairs = Pairs(total, time.monotonic() + seconds)
            threads = [
                threading.Thread(target=client, args=(url, world.project_id, pairs))
                for _ in range(clients)
            ]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
    failures = warm.failures + pairs.failures
    if failures:
        raise RuntimeError(f"{len(failures)} pair(s) failed; the first: {failures[0]}")
    if pairs.done < total:
        print(f"note: stopped at the {seconds:g} s bound after {pairs.done} of {total} pairs")
    return pairs.done / elapsed, local_rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--runs", type=int, default=300, help="scenario repetitions per backend")
    parser.add_argument("--pairs", type=int, default=4000, help="start+next pairs in all")
    parser.add_argument("--clients", type=int, default=8, help="concurrent client threads")
    parser.add_argument("--seconds", type=float, default=120.0, help="bound on the pairs' time")
    args = parser.parse_args()

    local, remote = remote_vs_local(args.runs)
    rate, local_rate = serve_throughput(args.pairs, args.clients, args.seconds)
    ratio = remote / local

    print(f"machine: {os.cpu_count()} CPUs; python {sys.version.split()[0]}")
    print(f"{'measure':<58}{'value':>14}")
    print(f"{'scenario on LocalRunner (baseline), median':<58}{local * 1e3:>11.2f} ms")
    print(f"{'scenario on RemoteRunner + serve in-process, median':<58}{remote * 1e3:>11.2f} ms")
    print(f"{'  ratio remote / local (target <= 3.0x)':<58}{ratio:>13.2f}x")
    print(f"{'one-click pairs on the local engine, 1 thread (context)':<58}{local_rate:>9.0f} /s")
    label = f"start+next pairs via serve process, {args.clients} clients"
    print(f"{label:<58}{rate:>9.0f} /s")
    print(f"{'  serve / local engine':<58}{rate / local_rate:>13.2f}x")
    print(f"{'  pairs per second (target >= 500)':<58}{rate:>11.0f} /s")
    within = ratio <= RATIO_TARGET and rate >= PAIRS_TARGET
    print("verdict:", "within targets" if within else "OVER TARGET")


if __name__ == "__main__":
    main()
