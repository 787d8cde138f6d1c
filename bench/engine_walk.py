"""Benchmark: the CPU cost of running a 30-task flow to completion in the local engine.

Baseline, measured in the same run: a plain Python loop that visits the same 30 tasks by
following each task's first rule. Target (issue 3): under 1 ms of CPU per run. The run
starts with a refresh JWT (verified once per run) and ends in an End task that issues a
session: one RS256 verification and two RS256 signatures. Equal claims signed within one
second are signed once (``TokenIssuer.mint``), so two figures are printed: runs that reuse
the session's tokens, as a suite running one user's scenarios does, and runs on a clock
that moves a second at every reading, which sign anew every time (the worst case, which
the target is judged on).

    python bench/engine_walk.py [--runs 2000]
"""

from __future__ import annotations

import argparse
import itertools
import tempfile
import textwrap
import time
from dataclasses import replace
from pathlib import Path

from flowspec.engine.runner import LocalRunner
from flowspec.engine.world import World
from flowspec.identity import TokenIssuer

CONDITIONS = 12
PROPERTIES = 14


def flow_yaml() -> str:
    """Start, 12 conditions, loadUser, step-up, 14 property updates, a screen, End: 30 tasks."""
    tasks = []
    for i in range(CONDITIONS):
        tasks.append(
            f"""
  c{i}:
    condition:
      - branch: Signed in
        when:
          - user.loggedIn: is-true
          - jwtClaims.roles: {{contains: admin}}
        then: {"c" + str(i + 1) if i + 1 < CONDITIONS else "load"}
      - else: End"""
        )
    tasks.append("\n  load:\n    action: loadUser\n    next: up")
    tasks.append("\n  up:\n    action: step-up\n    next: p0")
    for i in range(PROPERTIES):
        following = f"p{i + 1}" if i + 1 < PROPERTIES else "Confirm"
        tasks.append(
            f"""
  p{i}:
    action: update-user-properties
    arguments:
      userPropertiesDefinitions:
        - {{key: customAttributes.k{i}, type: string, value: "{{{{form.value}}}}"}}
    next: {following}"""
        )
    tasks.append("\n  Confirm:\n    screen: confirm\n    buttons:\n      OK: End")
    tasks.append("\n  End:\n    action: logged-in")
    return "flow: walk\nstart: c0\ntasks:" + "".join(tasks) + "\n"


def build_world(root: Path) -> World:
    (root / "flows").mkdir()
    (root / "project.yaml").write_text(
        textwrap.dedent(
            """
            projectId: P2bench
            roles: {admin: {permissions: []}}
            """
        )
    )
    (root / "users.yaml").write_text(
        "users:\n  - {userId: U1, loginIds: [a@b.test], roles: [admin]}\n"
    )
    (root / "flows" / "walk.yaml").write_text(flow_yaml())
    return World.load(root)


def engine_runs(world: World, runs: int) -> float:
    token = world.refresh_token(world.user("U1"))
    runner = LocalRunner(world)
    start = time.process_time()
    for _ in range(runs):
        run = runner.start("walk", inputs={"jwt": token, "value": "v"})
        run.interact("ok")
        assert run.state.status == "completed"
    return (time.process_time() - start) / runs


def signing_anew(world: World) -> World:
    """``world`` with an issuer whose clock moves a second at every reading."""
    seconds = itertools.count(int(time.time()))
    issuer = TokenIssuer(world.project_id, world.issuer.keyring, clock=lambda: next(seconds))
    return replace(world, issuer=issuer)


def baseline_runs(world: World, runs: int) -> float:
    """The same 30 tasks visited by a bare loop: look the task up, take its first rule."""
    flow = world.flow("walk")
    start = time.process_time()
    for _ in range(runs):
        visited = []
        task_id: str | None = flow.start_task
        while task_id is not None:
            task = flow.tasks[task_id]
            visited.append(task.id)
            task_id = task.rules[0].task_id if task.rules else None
        assert len(visited) == 30
    return (time.process_time() - start) / runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2000)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as folder:
        world = build_world(Path(folder))
        assert len(world.flow("walk").tasks) == 30
        engine_runs(world, 50)  # warm caches (parsed regexes, imports)
        reused = engine_runs(world, runs)
        engine = engine_runs(signing_anew(world), runs)
        baseline = baseline_runs(world, runs * 10)
    print(f"{'measure':<56}{'per run':>12}")
    print(f"{'plain loop over the 30 tasks (baseline)':<56}{baseline * 1e6:>10.1f} us")
    print(
        f"{'local engine, 30 tasks, JWT in, session out, signed anew':<56}{engine * 1e6:>10.1f} us"
    )
    print(f"{'the same, session tokens reused within the second':<56}{reused * 1e6:>10.1f} us")
    print(f"ratio engine / baseline: {engine / baseline:.0f}x; target: engine under 1000 us CPU")
    print("verdict:", "within target" if engine < 1e-3 else "OVER TARGET")


if __name__ == "__main__":
    main()
