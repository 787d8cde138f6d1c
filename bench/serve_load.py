"""Benchmark: ``flowspec serve`` under load (issue 9, item 4).

``--executions`` executions of a five-step flow (five screens, one click each, the last
saving the name typed into the user and signing them in) from ``--clients`` threads, each
its own ``httpx.Client`` and its own user of a test world written to a temporary folder.
Every client starts all its executions, waits for the others to have started theirs (so
that all are held by the server at once), then moves each on one click per round.

The server is ``flowspec serve``'s app in a process of its own (this script, run as
``--serve-world``), so its memory is its own: the resident set size (RSS, from
``/proc/<pid>/status``, Linux only) before the load (after a warm-up whose executions
have expired), its peak during the load (sampled every 20 ms), and after the executions'
idle TTL (``--ttl``) has passed with no request at all.

Checked on every answer: HTTP 200, the screen the run should wait on, and the user the
server says is signed in (``flowspec.user``); on completion, the session JWT (verified
with the world's key) has the sub and the roles, permissions and tenants of the user who
started the run, ``authInfo.user`` holds the name that run typed, and the path visited
each screen once. A mismatch is cross-talk, a failed request an error. After the TTL,
every execution's next answers ``E103205`` (expired), probed only once RSS is measured.

    python bench/serve_load.py [--executions 1000] [--clients 32] [--ttl 10]

tests/serve/test_serve_load.py runs :func:`drive` on a smaller load in-process.
"""

from __future__ import annotations

import argparse
import gc
import os
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from flowspec.engine.execution import Execution
from flowspec.engine.users import UserRecord
from flowspec.engine.world import World

FLOW_ID = "five-steps"
STEPS = 5
PROJECT_ID = "P2serveLoad"
TENANTS = 4
NONCE_HEADER = "X-Descope-Flow-Nonce"
_READY_SECONDS = 20.0
_SAMPLE_SECONDS = 0.02
CENSUS = "census"

FIVE_STEPS = """
flow: five-steps
start: Signed in?
tasks:
  Signed in?:
    condition:
      - branch: Signed in
        when:
          - user.loggedIn: is-true
        then: Step 1
      - else: Sign in first
  Sign in first:
    screen: sign-in-first
  Step 1:
    screen: step-1
    inputs: [answer]
    buttons:
      Next: Step 2
  Step 2:
    screen: step-2
    inputs: [answer]
    buttons:
      Next: Step 3
  Step 3:
    screen: step-3
    inputs: [answer]
    buttons:
      Next: Step 4
  Step 4:
    screen: step-4
    inputs: [answer]
    buttons:
      Next: Step 5
  Step 5:
    screen: step-5
    inputs: [name]
    buttons:
      Finish: Save
  Save:
    action: update-user-properties
    arguments:
      userPropertiesDefinitions:
        - {key: name, type: string, value: "{{form.name}}"}
    next: End
  End:
    action: logged-in
"""
SCREENS = [f"Step {number}" for number in range(1, STEPS + 1)]


def write_world(root: Path, users: int) -> None:
    """A test world of ``users`` users, each with other roles and tenants, the five-step
    flow, and a signing key on disk so that every process loading it signs alike."""
    (root / "flows").mkdir(parents=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    (root / "signing-key.pem").write_bytes(pem)
    tenants = "\n".join(f"  t{n}: {{name: Tenant {n}}}" for n in range(TENANTS))
    (root / "project.yaml").write_text(
        f"projectId: {PROJECT_ID}\nsigningKey: signing-key.pem\nstepLimit: 50\n"
        "roles:\n  member: {permissions: [Read]}\n  editor: {permissions: [Read, Write]}\n"
        f"tenants:\n{tenants}\n"
    )
    lines = ["users:"]
    for n in range(users):
        lines += [
            f"  - userId: U{n:03d}load",
            f"    loginIds: [load{n:03d}@load.test]",
            f"    email: load{n:03d}@load.test",
            f"    roles: [{'editor' if n % 2 else 'member'}]",
            f"    tenants: {{t{n % TENANTS}: [{'member' if n % 3 else 'editor'}]}}",
        ]
    (root / "users.yaml").write_text("\n".join(lines) + "\n")
    (root / "flows" / f"{FLOW_ID}.yaml").write_text(textwrap.dedent(FIVE_STEPS))


@dataclass
class Outcome:
    """What a load run found: counts, the first few reasons, and what it started."""

    executions: int = 0
    completed: int = 0
    requests: int = 0
    errors: int = 0
    cross_talk: int = 0
    reasons: list[str] = field(default_factory=list)
    execution_ids: list[str] = field(default_factory=list)
    elapsed: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def note(self, kind: str, why: str) -> None:
        with self._lock:
            if kind == "error":
                self.errors += 1
            else:
                self.cross_talk += 1
            if len(self.reasons) < 5:
                self.reasons.append(f"{kind}: {why}")

    def add(self, *, requests: int = 0, completed: int = 0, ids: list[str] | None = None) -> None:
        with self._lock:
            self.requests += requests
            self.completed += completed
            self.execution_ids += ids or []


@dataclass
class _Run:
    """One execution as a client drives it."""

    tag: str
    response: dict[str, Any] = field(default_factory=dict)
    nonce: str = ""
    failed: bool = False

    @property
    def name(self) -> str:
        """The name this run types on its last screen, and saves into its user."""
        return f"Load {self.tag}"


class _Client:
    """One thread's share of the load: its user, its executions, its checks."""

    def __init__(
        self, url: str, world: World, user_index: int, count: int, outcome: Outcome
    ) -> None:
        self._world = world
        self._outcome = outcome
        user = world.users[user_index]
        self._user = UserRecord.of(user)
        self._auth = {"Authorization": f"Bearer {PROJECT_ID}:{world.refresh_token(user)}"}
        self._expected = world.directory().claims(self._user)
        self._http = httpx.Client(base_url=url, timeout=30.0)
        uid = self._user.user_id
        self._runs = [_Run(f"{uid}-{n}") for n in range(count)]

    def start_all(self) -> None:
        for run in self._runs:
            body = {"flowId": FLOW_ID, "options": {}, "input": {}}
            self._answer(run, self._post("/v1/flow/start", body, self._auth), 0)
        ids = [run.response["executionId"] for run in self._runs if not run.failed]
        self._outcome.add(ids=ids)

    def click_round(self, step: int) -> None:
        """Move every live execution on from screen ``step`` (1 to 5)."""
        for run in self._runs:
            if run.failed:
                continue
            last = step == STEPS
            body = {
                "executionId": run.response["executionId"],
                "stepId": run.response["stepId"],
                "interactionId": "finish" if last else "next",
                "input": {"name": run.name} if last else {"answer": f"{run.tag}/{step}"},
            }
            headers = {**self._auth, NONCE_HEADER: run.nonce}
            self._answer(run, self._post("/v1/flow/next", body, headers), step)

    def close(self) -> None:
        self._http.close()

    def _post(
        self, path: str, body: dict[str, Any], headers: dict[str, str]
    ) -> httpx.Response | str:
        try:
            return self._http.post(path, json=body, headers=headers)
        except httpx.HTTPError as error:
            return f"{path}: {type(error).__name__}: {error}"

    def _answer(self, run: _Run, answer: httpx.Response | str, step: int) -> None:
        self._outcome.add(requests=1)
        if isinstance(answer, str) or answer.status_code != 200:
            why = answer if isinstance(answer, str) else f"HTTP {answer.status_code} {answer.text}"
            run.failed = True
            self._outcome.note("error", f"{run.tag} after {step} clicks: {why[:200]}")
            return
        run.response = answer.json()
        run.nonce = answer.headers.get(NONCE_HEADER, "")
        mismatch = self._mismatch(run, step)
        if mismatch:
            run.failed = True
            self._outcome.note("cross-talk", f"{run.tag} after {step} clicks: {mismatch}")
        elif step == STEPS:
            self._outcome.add(completed=1)

    def _mismatch(self, run: _Run, step: int) -> str | None:
        """What in this answer belongs to another run or user, if anything."""
        response = run.response
        uid = self._user.user_id
        served = response.get("flowspec", {}).get("user", {}).get("userId")
        if step < STEPS:
            if response.get("stepId") != SCREENS[step] or served != uid:
                return f"waits on {response.get('stepId')!r} as {served!r}"
            return None
        auth = response.get("authInfo") or {}
        if response.get("status") != "completed" or not auth:
            return f"ended {response.get('status')!r} without a session"
        verdict = self._world.issuer.verify(auth["sessionJwt"], kind="session")
        claims = verdict.claims
        if not verdict.accepted or claims.get("sub") != uid:
            return f"session JWT for {claims.get('sub')!r}, not {uid}"
        if any(claims.get(key) != value for key, value in self._expected.items()):
            return "session JWT claims are another user's"
        if (auth["user"]["userId"], auth["user"]["name"]) != (uid, run.name):
            return f"authInfo.user is {auth['user']['userId']} named {auth['user']['name']!r}"
        path = response["flowspec"]["path"]
        screens = [task["id"] for task in path if task["type"] == "screen"]
        if screens != SCREENS:
            return f"path visited {screens}"
        return None


def drive(url: str, world: World, executions: int, clients: int) -> Outcome:
    """Run ``executions`` five-step executions from ``clients`` threads against ``url``:
    all started first, then moved on a click per round."""
    outcome = Outcome(executions=executions)
    users = min(clients, len(world.users))
    shares = [
        executions // clients + (1 if n < executions % clients else 0) for n in range(clients)
    ]
    started = threading.Barrier(clients, timeout=120)
    members = [_Client(url, world, n % users, shares[n], outcome) for n in range(clients)]

    def work(client: _Client) -> None:
        try:
            client.start_all()
            started.wait()
            for step in range(1, STEPS + 1):
                client.click_round(step)
        except threading.BrokenBarrierError:
            outcome.note("error", "a client stopped before every execution had started")
        except Exception as error:
            # A client that crashes on an answer it cannot read is an error of the run,
            # counted, not a thread that dies quietly with its executions unfinished.
            outcome.note("error", f"a client failed: {type(error).__name__}: {error}")
            started.abort()
        finally:
            client.close()

    threads = [threading.Thread(target=work, args=(member,)) for member in members]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    outcome.elapsed = time.perf_counter() - began
    return outcome


def expired_count(url: str, execution_ids: list[str]) -> int:
    """How many of these executions the server answers ``E103205`` (expired) for."""
    expired = 0
    with httpx.Client(base_url=url, timeout=30.0) as http:
        for execution_id in execution_ids:
            body = {"executionId": execution_id, "stepId": "-", "interactionId": "polling"}
            answer = http.post(
                "/v1/flow/next", json=body, headers={"Authorization": f"Bearer {PROJECT_ID}"}
            )
            expired += answer.status_code == 400 and answer.json()["errorCode"] == "E103205"
    return expired


def rss_mib(pid: int) -> float:
    """The process's resident set size in MiB (Linux: /proc/<pid>/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


class PeakSampler:
    """The highest RSS of a process, sampled on a thread while the ``with`` block runs."""

    def __init__(self, pid: int) -> None:
        self.peak = 0.0
        self._pid = pid
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._done.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mib(self._pid))

    def _sample(self) -> None:
        while not self._done.wait(_SAMPLE_SECONDS):
            self.peak = max(self.peak, rss_mib(self._pid))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def served(root: Path, ttl: float) -> Iterator[tuple[str, int]]:
    """This script as ``flowspec serve`` of ``root`` in a process of its own; its URL and
    process id, once it answers."""
    port = free_port()
    command = [sys.executable, __file__, "--serve-world", str(root), "--port", str(port)]
    server = subprocess.Popen(
        [*command, "--ttl", str(ttl)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + _READY_SECONDS
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"the server exited with {server.returncode} while starting")
            try:
                if httpx.get(f"{url}/v2/keys/{PROJECT_ID}", timeout=1.0).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not answer within {_READY_SECONDS:g} s")
            time.sleep(0.05)
        yield url, server.pid
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def serve_world(root: Path, port: int, ttl: float) -> None:
    """The server process: ``flowspec serve``'s app with a short execution TTL, writing
    its census into ``root`` whenever it receives SIGUSR1."""
    from flowspec.serve import create_app, serve

    def census(*_: object) -> None:
        executions = sum(isinstance(o, Execution) for o in gc.get_objects())
        written = root / "census.tmp"
        written.write_text(f"{sys.getallocatedblocks()} {executions}")
        written.replace(root / CENSUS)

    signal.signal(signal.SIGUSR1, census)
    serve(create_app(World.load(root), execution_ttl=ttl), port=port)


@dataclass(frozen=True)
class Census:
    """The server process's memory as the operating system and Python see it."""

    rss_mib: float
    # Memory blocks Python's allocator has handed out and not had back.
    blocks: int
    # Execution objects alive in the process: held, or not yet freed.
    executions: int


def census(pid: int, root: Path) -> Census:
    """Ask the server process (SIGUSR1) for its census, and read its RSS."""
    answer = root / CENSUS
    answer.unlink(missing_ok=True)
    os.kill(pid, signal.SIGUSR1)
    deadline = time.monotonic() + _READY_SECONDS
    while not answer.exists():
        if time.monotonic() > deadline:
            raise RuntimeError(f"the server wrote no census within {_READY_SECONDS:g} s")
        time.sleep(0.01)
    blocks, executions = answer.read_text().split()
    return Census(rss_mib(pid), int(blocks), int(executions))


@dataclass(frozen=True)
class Round:
    """One burst of load and the expiry after it."""

    outcome: Outcome
    before: Census
    peak_rss_mib: float
    held: Census
    after: Census
    expired: int


def load_round(url: str, pid: int, root: Path, world: World, args: argparse.Namespace) -> Round:
    """A burst of ``args.executions`` executions, then the TTL with no request at all."""
    before = census(pid, root)
    with PeakSampler(pid) as sampler:
        outcome = drive(url, world, args.executions, args.clients)
    held = census(pid, root)
    time.sleep(args.ttl + 2.0)
    after = census(pid, root)
    expired = expired_count(url, outcome.execution_ids)
    return Round(outcome, before, sampler.peak, held, after, expired)


def report(args: argparse.Namespace, warm: Outcome, rounds: list[Round]) -> None:
    print(f"machine: {os.cpu_count()} CPUs; python {sys.version.split()[0]}")
    print(
        f"{args.executions} executions of the five-step flow (5 clicks each) per round, from "
        f"{args.clients} client threads (one user each); execution TTL {args.ttl:g} s"
    )
    print(
        f"{'round':<7}{'completed':>10}{'errors':>8}{'cross-talk':>12}{'elapsed':>10}"
        f"{'requests/s':>12}{'expired':>9}"
    )
    for number, done in enumerate(rounds, 1):
        o = done.outcome
        print(
            f"{number:<7}{o.completed:>10}{o.errors:>8}{o.cross_talk:>12}{o.elapsed:>8.2f} s"
            f"{o.requests / o.elapsed:>12.0f}{done.expired:>9}"
        )
    print(f"{'server process':<26}{'before':>10}{'all held':>12}{'after TTL':>12}")
    for number, done in enumerate(rounds, 1):
        b, h, a = done.before, done.held, done.after
        print(
            f"{f'{number}: RSS (MiB)':<26}{b.rss_mib:>10.1f}{done.peak_rss_mib:>12.1f}"
            f"{a.rss_mib:>12.1f}"
        )
        print(f"{f'{number}: Python blocks':<26}{b.blocks:>10}{h.blocks:>12}{a.blocks:>12}")
        print(
            f"{f'{number}: Execution objects':<26}{b.executions:>10}{h.executions:>12}"
            f"{a.executions:>12}"
        )
    for reason in warm.reasons + [r for done in rounds for r in done.outcome.reasons]:
        print("  " + reason)
    clean = warm.errors + warm.cross_talk == 0 and all(
        done.outcome.errors + done.outcome.cross_talk == 0
        and done.outcome.completed == done.outcome.executions
        and done.expired == len(done.outcome.execution_ids)
        and done.after.executions == 0
        for done in rounds
    )
    print(
        "verdict:",
        "0 errors, 0 cross-talk, every execution expired and freed" if clean else "FAILED",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--executions", type=int, default=1000, help="executions per round")
    parser.add_argument("--clients", type=int, default=32, help="client threads, one user each")
    parser.add_argument("--ttl", type=float, default=10.0, help="the server's execution TTL (s)")
    parser.add_argument("--rounds", type=int, default=2, help="bursts, each followed by the TTL")
    parser.add_argument("--serve-world", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_world is not None:
        serve_world(args.serve_world, args.port, args.ttl)
        return

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_world(root, args.clients)
        world = World.load(root)
        with served(root, args.ttl) as (url, pid):
            # A warm-up whose executions expire before the first baseline: the baseline
            # then holds what a first request loads and keeps (imports, caches).
            warm = drive(url, world, args.clients, args.clients)
            time.sleep(args.ttl + 2.0)
            rounds = [load_round(url, pid, root, world, args) for _ in range(args.rounds)]
    report(args, warm, rounds)


if __name__ == "__main__":
    main()
