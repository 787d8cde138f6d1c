"""The ``flowspec`` command: run the features with the project's defaults."""

from __future__ import annotations

import argparse
import gc
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flowspec.engine.users import User
    from flowspec.engine.world import World

# The management key flowspec serve accepts; read from the environment only, never echoed.
MANAGEMENT_KEY_VARIABLE = "FLOWSPEC_MANAGEMENT_KEY"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="flowspec",
        description="Run Gherkin scenarios against Descope authentication flows.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    run = commands.add_parser("run", help="run the features (behave with flowspec's defaults)")
    run.add_argument("paths", nargs="*", help="feature files or folders (default: features/)")
    run.add_argument("--tags", action="append", default=[], help="behave tag expression")
    run.add_argument("--backend", default="local", help="where flows run (default: local)")
    run.add_argument(
        "-D",
        "--define",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="behave userdata, e.g. -D scenarios=other/scenarios",
    )
    run.add_argument(
        "--compare",
        metavar="A,B",
        help="run every scenario on two backends (e.g. local,remote) and report each "
        "scenario whose outcome differs: status, screens shown, error code, issued claims",
    )
    run.add_argument(
        "--workers",
        type=_positive,
        default=1,
        metavar="N",
        help="run the scenarios in N processes, with one merged report (default: 1)",
    )
    run.add_argument(
        "--shard",
        default="1/1",
        metavar="K/N",
        help="run only the K-th of N equal, fixed parts of the suite (for CI matrices); "
        "join the parts' reports with flowspec report merge",
    )
    run.add_argument(
        "--dry-run",
        action="store_true",
        help="match every step without running any: finds undefined steps fast",
    )
    report = commands.add_parser("report", help="work with the reports of finished runs")
    report_commands = report.add_subparsers(dest="report_command", metavar="ACTION")
    merging = report_commands.add_parser(
        "merge", help="join the reports of shard runs into one report set"
    )
    merging.add_argument(
        "folders", nargs="+", type=Path, metavar="FOLDER", help="reports folders of the shards"
    )
    merging.add_argument(
        "--output", type=Path, default=Path("reports"), help="where to write (default: reports)"
    )
    steps = commands.add_parser("steps", help="list the steps features can use")
    steps.add_argument("search", nargs="?", default="", help="only steps mentioning this text")
    steps.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    steps.add_argument(
        "--steps-dir",
        help="a project's step modules, to list its own steps too (default: flowspec's library)",
    )
    actions = commands.add_parser("actions", help="list the Descope actions the engine emulates")
    actions.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    serve = commands.add_parser(
        "serve", help="serve the local engine over Descope's flow API (docs/wire.md)"
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8787, help="port to listen on (0: any free)")
    serve.add_argument("--scenarios", default="scenarios", help="the test world to serve")
    pull = commands.add_parser(
        "pull", help="export flows from the project into scenarios/flows/<flowId>.json"
    )
    pull.add_argument("flow_ids", nargs="+", metavar="FLOW_ID", help="the flows to pull")
    pull.add_argument("--scenarios", default="scenarios", help="the test world to pull into")
    pull.add_argument("--force", action="store_true", help="overwrite flow files that exist")
    covered = commands.add_parser(
        "coverage", help="which tasks and branches of each flow the last run's scenarios took"
    )
    covered.add_argument(
        "--min",
        type=_percentage,
        default=0.0,
        metavar="PERCENT",
        help="fail (exit 1) when any flow's task or branch coverage is below PERCENT",
    )
    covered.add_argument(
        "--run",
        default="reports/run.json",
        metavar="FILE",
        help="the run results to read (default: reports/run.json, written by flowspec run)",
    )
    token = commands.add_parser(
        "token",
        help="print a refresh JWT for a user of the test world, for flowspec serve or curl",
        description="Print a refresh JWT for a user of the test world, alone on stdout. "
        "flowspec serve accepts it only when both use the same signing key: set signingKey "
        "(an RSA private key in PEM) in scenarios/project.yaml; without it each process "
        "generates its own key.",
    )
    token.add_argument("user", help="the user's login id, user id or name")
    token.add_argument(
        "--claims", metavar="JSON", help='claims to add or replace, e.g. \'{"dct": "acme"}\''
    )
    token.add_argument("--expired", action="store_true", help="a token that expired an hour ago")
    token.add_argument("--scenarios", default="scenarios", help="the test world of the user")
    lint = commands.add_parser(
        "lint",
        help="check flows and features without running them: undefined steps, unknown "
        "flows, users, screens and buttons, unreachable tasks, unknown actions",
    )
    lint.add_argument("paths", nargs="*", help="feature files or folders (default: features/)")
    lint.add_argument("--scenarios", default="scenarios", help="the test world to check")
    lint.add_argument(
        "--steps-dir", help="the project's step modules (default: steps/, else flowspec's library)"
    )
    init = commands.add_parser(
        "init", help="start a project: an example feature, flow, users and behave settings"
    )
    init.add_argument("dir", nargs="?", default=".", help="the project folder (default: .)")
    init.add_argument("--force", action="store_true", help="overwrite files that exist")
    new = commands.add_parser(
        "new",
        help="write a feature for a flow: one scenario per path the local engine reproduces",
    )
    new.add_argument("flow_id", metavar="FLOW_ID", help="the flow, by id")
    new.add_argument("--scenarios", default="scenarios", help="the test world of the flow")
    new.add_argument(
        "--output", metavar="FILE", help="where to write it (default: features/<flowId>.feature)"
    )
    new.add_argument(
        "--max-paths",
        type=_positive,
        default=20,
        metavar="N",
        help="write at most N scenarios (default: 20)",
    )
    new.add_argument("--force", action="store_true", help="overwrite the output file")
    args = parser.parse_args(argv)
    if args.command == "lint":
        return _lint(args)
    if args.command == "report":
        return _report(args, report)
    if args.command == "run":
        return _compare(args) if args.compare else _run(args)
    if args.command == "steps":
        return _steps(args)
    if args.command == "actions":
        from flowspec.engine.actions.catalog import render

        sys.stdout.write(render(args.format))
        return 0
    if args.command == "serve":
        return _serve(args)
    if args.command == "pull":
        return _pull(args)
    if args.command == "coverage":
        return _coverage(args)
    if args.command == "token":
        return _token(args)
    if args.command == "init":
        return _init(args)
    if args.command == "new":
        return _new(args)
    parser.print_help()
    return 2


def _steps(args: argparse.Namespace) -> int:
    from flowspec.bdd.catalog import load_catalog, render, search

    steps_dir = Path(args.steps_dir) if args.steps_dir else None
    entries = search(load_catalog(steps_dir), args.search)
    sys.stdout.write(render(entries, args.format))
    return 0 if entries else 1


def _serve(args: argparse.Namespace) -> int:
    from flowspec.engine.world import World
    from flowspec.errors import FlowspecError
    from flowspec.serve import create_app, serve

    try:
        world = World.load(Path(args.scenarios))
    except FlowspecError as error:
        sys.stderr.write(f"flowspec serve: {error}\n")
        return 2
    key = os.environ.get(MANAGEMENT_KEY_VARIABLE) or None
    management = "on" if key else f"off (set {MANAGEMENT_KEY_VARIABLE} to turn it on)"
    sys.stderr.write(
        f"flowspec serve: project {world.project_id}, {len(world.flows)} flows from "
        f"{args.scenarios}; management API {management}\n"
    )
    serve(create_app(world, management_key=key), args.host, args.port)
    return 0


def _compare(args: argparse.Namespace) -> int:
    from flowspec.bdd.fidelity import differences, read

    backends = tuple(name.strip() for name in args.compare.split(","))
    if len(backends) != 2 or backends[0] == backends[1]:
        sys.stderr.write("flowspec run --compare takes two backends, e.g. local,remote\n")
        return 2
    with tempfile.TemporaryDirectory() as folder:
        recorded = []
        for backend in backends:
            path = Path(folder) / f"{backend}.jsonl"
            path.touch()
            behave = [sys.executable, "-m", "behave", *args.paths, *_behave_options(args, backend)]
            behave += ["-D", f"record={path}", "-D", f"reports=reports/{backend}"]
            ran = subprocess.run(behave, check=False, capture_output=True, text=True)
            summary = [line for line in ran.stdout.splitlines() if " passed, " in line]
            sys.stdout.write(f"{backend}: {'; '.join(summary) or ran.stderr.strip()}\n")
            recorded.append(read(path))
    found = differences(recorded[0], recorded[1], (backends[0], backends[1]))
    for line in found:
        sys.stdout.write(line + "\n")
    compared = len({line["scenario"] for line in recorded[0]})
    sys.stdout.write(
        f"{len(found)} differences between {backends[0]} and {backends[1]} "
        f"over {compared} scenarios\n"
    )
    return 1 if found else 0


def _behave_options(args: argparse.Namespace, backend: str) -> list[str]:
    """The tags and userdata of ``flowspec run`` as behave's options."""
    behave_args: list[str] = []
    for expression in args.tags:
        behave_args += ["--tags", expression]
    for definition in [f"backend={backend}", *args.define]:
        behave_args += ["-D", definition]
    return behave_args


def _pull(args: argparse.Namespace) -> int:
    """Exit 0 when every flow was pulled, 1 when any was not, 2 for a usage or settings
    error (nothing is pulled then). No message holds the management key."""
    from flowspec.errors import FlowspecError
    from flowspec.remote import FlowClient, load_settings
    from flowspec.remote.pull import PullError, check_flow_id, pull_flow

    def fail(message: str) -> int:
        sys.stderr.write(f"flowspec pull: {message}\n")
        return 2

    scenarios = Path(args.scenarios)
    problems = [p for p in map(check_flow_id, args.flow_ids) if p is not None]
    if problems:
        return fail("; ".join(problems))
    if not scenarios.is_dir():
        return fail(f"{scenarios} is not a folder; give the test world with --scenarios")
    pyproject = Path("pyproject.toml")
    try:
        settings = load_settings(pyproject if pyproject.is_file() else None)
    except FlowspecError as error:
        return fail(str(error))
    if settings.management_key is None:
        return fail(
            f"exporting flows is a management call: set {MANAGEMENT_KEY_VARIABLE} in the "
            f"environment to a management key of project {settings.project_id}"
        )
    client = FlowClient(settings)
    failed = 0
    try:
        for flow_id in dict.fromkeys(args.flow_ids):
            try:
                pulled = pull_flow(client, scenarios, flow_id, force=args.force)
            except FlowspecError as error:
                failed += 1
                # A PullError names its flow; a failed call names only the URL.
                named = "" if isinstance(error, PullError) else f"{flow_id}: "
                sys.stderr.write(f"flowspec pull: {named}{error}\n")
                continue
            verb = "replaced" if pulled.replaced else "wrote"
            sys.stdout.write(f"flowspec pull: {flow_id}: {verb} {pulled.path}\n")
    finally:
        client.close()
    return 1 if failed else 0


def _percentage(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number from 0 to 100") from None
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"{text} is not a percentage from 0 to 100")
    return value


def _coverage(args: argparse.Namespace) -> int:
    """Exit 0 when every flow is covered at least ``--min`` percent, 1 when one is not, 2
    when there are no results to read."""
    from flowspec.errors import ReportError
    from flowspec.reporting import run_file
    from flowspec.reporting.coverage import below, coverage, table

    try:
        report = run_file.read(Path(args.run))
    except ReportError as error:
        sys.stderr.write(f"flowspec coverage: {error}\n")
        return 2
    coverages = coverage(report)
    if not coverages:
        sys.stderr.write(f"flowspec coverage: {args.run} names no flows\n")
        return 2
    sys.stdout.write(table(coverages))
    short = below(coverages, args.min)
    for flow in short:
        sys.stdout.write(
            f"\n{flow.flow.id}: tasks {flow.task_percent:.1f}%, branches "
            f"{flow.branch_percent:.1f}%, under the minimum of {args.min:g}%"
        )
    if short:
        sys.stdout.write("\n")
    return 1 if short else 0


def _lint(args: argparse.Namespace) -> int:
    """Print one ``file:line: level: message`` line per finding, then a summary. Exit 1 when
    any finding is an error, 0 otherwise, 2 for a usage error or a world that cannot load."""
    from flowspec.bdd.lint import lint_project
    from flowspec.errors import WorldError

    paths = [Path(path) for path in args.paths or ["features"]]
    missing = [str(path) for path in paths if not path.exists()]
    if missing:
        sys.stderr.write(f"flowspec lint: no such feature file or folder: {', '.join(missing)}\n")
        return 2
    steps_dir = Path(args.steps_dir or "steps")
    if args.steps_dir and not steps_dir.is_dir():
        sys.stderr.write(f"flowspec lint: no steps folder at {steps_dir}\n")
        return 2
    try:
        # Without steps/ (and no --steps-dir), the features use flowspec's step library alone.
        report = lint_project(
            paths, Path(args.scenarios), steps_dir if steps_dir.is_dir() else None
        )
    except WorldError as error:
        sys.stderr.write(f"flowspec lint: {error}\n")
        return 2
    for finding in report.findings:
        sys.stdout.write(f"{finding}\n")
    sys.stdout.write(report.summary() + "\n")
    return 1 if report.errors else 0


def _run(args: argparse.Namespace) -> int:
    """Exit 0 when every scenario passed, 1 when one failed, 2 for a usage or world error
    (nothing runs then)."""
    from flowspec.identity.keys import make_key_ahead, settle_key_ahead

    # The world's signing key, made on another core while the rest is imported.
    make_key_ahead()
    # behave and the engine are imported here so `flowspec --help` stays fast.
    from flowspec.bdd.feature_files import check_sizes, feature_files
    from flowspec.bdd.parallel import RunPlan, run
    from flowspec.bdd.scenario import BACKENDS, load_world
    from flowspec.bdd.selection import parse_part, share_out
    from flowspec.engine.world import World
    from flowspec.errors import FlowspecError

    def fail(message: str) -> int:
        sys.stderr.write(f"flowspec run: {message}\n")
        return 2

    if args.backend not in BACKENDS:
        return fail(f"unknown backend {args.backend!r}; available: {', '.join(BACKENDS)}")
    # A path may name lines of a feature (features/a.feature:12), as behave accepts.
    paths = [Path(p.split(":")[0]) for p in args.paths] or [Path("features")]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        return fail(f"no feature file or folder {', '.join(missing)}")
    userdata = dict(d.split("=", 1) for d in args.define if "=" in d)
    try:
        shard = parse_part(args.shard)
        scenarios = Path(userdata.get("scenarios", "scenarios"))
        try:
            # Into the cache workers take the world from: forked workers get it loaded.
            load_world(scenarios.resolve())
        except FlowspecError:
            World.load(scenarios)  # fails again, naming the files as the user named them
        finally:
            # No thread may run when the workers are forked (see flowspec.bdd.parallel).
            settle_key_ahead()
        files = feature_files(paths)
        check_sizes(files)
    except FlowspecError as error:
        return fail(str(error))
    by_line = any(":" in path for path in args.paths)
    shares = () if by_line else tuple(share_out(files, shard, args.workers))
    if not by_line and not shares:
        where = ", ".join(str(path) for path in paths)
        return fail(f"no feature file in {where}: write one, or start with flowspec new")
    plan = RunPlan(
        options=tuple(_behave_options(args, args.backend)),
        # Lines of a feature are behave's to pick: one worker runs them.
        shares=shares,
        paths=tuple(args.paths),
        reports=Path(userdata.get("reports", "reports")),
        dry_run=args.dry_run,
        tags=tuple(args.tags) if shard.count == 1 else (),
        world=scenarios.resolve(),
    )
    return run(plan, sys.stdout)


def _report(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from flowspec.bdd.parallel import read_reports, write_reports
    from flowspec.errors import ReportError

    if args.report_command != "merge":
        parser.print_help()
        return 2
    try:
        merged = read_reports(args.folders)
        write_reports(merged, args.output)
    except ReportError as error:
        sys.stderr.write(f"flowspec report merge: {error}\n")
        return 2
    count = sum(len(feature.scenarios) for feature in merged.features)
    sys.stdout.write(
        f"flowspec report merge: {count} scenarios from {len(args.folders)} folders "
        f"into {args.output}/\n"
    )
    return 0


def _token(args: argparse.Namespace) -> int:
    """Print the token alone on stdout, so ``$(flowspec token bob@acme.test)`` works; exit
    2 with the reason on stderr when the user, the claims or the world is wrong."""
    import json

    from flowspec.engine.world import World
    from flowspec.errors import FlowspecError

    def fail(message: str) -> int:
        sys.stderr.write(f"flowspec token: {message}\n")
        return 2

    try:
        claims = json.loads(args.claims) if args.claims is not None else {}
    except json.JSONDecodeError as error:
        return fail(f'--claims is not JSON ({error}); give an object, e.g. \'{{"dct": "acme"}}\'')
    if not isinstance(claims, dict):
        return fail(f"--claims must be a JSON object of claims, not {type(claims).__name__}")
    try:
        world = World.load(Path(args.scenarios))
        user = _world_user(world, args.user)
    except FlowspecError as error:
        return fail(str(error))
    if world.key_file is None:
        sys.stderr.write(
            f"flowspec token: {world.root / 'project.yaml'} sets no signingKey, so this token "
            "is signed with a key of this process only and flowspec serve will refuse it; "
            "set signingKey to an RSA private key in PEM (see README, 'A token for serve or "
            "curl')\n"
        )
    sys.stdout.write(world.refresh_token(user, claims=claims, expired=args.expired) + "\n")
    return 0


def _world_user(world: World, ident: str) -> User:
    """The user whose user id, login id or (when only one has it) name is ``ident``."""
    from flowspec.errors import SettingsError, UnknownNameError

    user = world.find_user(ident)
    if user is not None:
        return user
    named = [u for u in world.users if u.name and u.name.lower() == ident.strip().lower()]
    if len(named) > 1:
        logins = ", ".join(u.login_ids[0] for u in named)
        raise SettingsError(f"{len(named)} users are named {ident!r}; give a login id: {logins}")
    if named:
        return named[0]
    known = [*(login for u in world.users for login in u.login_ids), *(u.name for u in world.users)]
    raise UnknownNameError("user", ident, known, f"in {world.root / 'users.yaml'}")


def _init(args: argparse.Namespace) -> int:
    """Exit 0 when the project was written, 2 when anything stood in the way (then
    nothing is written)."""
    from flowspec.bdd.starter import PYPROJECT_NAME, plan, write

    planned = plan(Path(args.dir), force=args.force)
    for reason in planned.refusals:
        sys.stderr.write(f"flowspec init: {reason}\n")
    if planned.refusals:
        return 2
    for path in write(planned):
        sys.stdout.write(f"flowspec init: wrote {path}\n")
    pyproject = planned.root / PYPROJECT_NAME
    if planned.kept_pyproject:
        sys.stdout.write(f"flowspec init: kept {pyproject} and its [tool.behave] as they are\n")
    if planned.settings_to_add:
        sys.stdout.write(
            f"flowspec init: {pyproject} has no [tool.behave], and flowspec init does not "
            f"edit it; add these lines to it:\n\n{planned.settings_to_add}\n"
        )
    sys.stdout.write(f"next: cd {planned.root} && flowspec run\n")
    return 0


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return int(text)


def _new(args: argparse.Namespace) -> int:
    """Exit 0 when the feature was written, 1 when no path could be reproduced (nothing is
    written), 2 for a usage or world error. Paths not reproduced are listed on stderr."""
    from flowspec.bdd.skeleton import build
    from flowspec.engine.paths import describe
    from flowspec.engine.world import World
    from flowspec.errors import FlowspecError

    def fail(message: str) -> int:
        sys.stderr.write(f"flowspec new: {message}\n")
        return 2

    try:
        world = World.load(Path(args.scenarios))
        flow = world.flow(args.flow_id)
    except FlowspecError as error:
        return fail(str(error))
    output = Path(args.output or f"features/{flow.id}.feature")
    if output.exists() and not args.force:
        return fail(f"{output} exists; nothing was written (--force overwrites it)")
    skeleton = build(world, flow.id, max_paths=args.max_paths)
    for path in skeleton.unreproduced:
        sys.stderr.write(f"flowspec new: no run takes: {describe(path, world.flows)}\n")
    if skeleton.more:
        sys.stderr.write(
            f"flowspec new: {flow.id} has more paths than --max-paths {args.max_paths} let "
            "it try; raise --max-paths to try them\n"
        )
    if not skeleton.scenarios:
        sys.stderr.write(f"flowspec new: no path of {flow.id} could be run; nothing was written\n")
        return 1
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(skeleton.gherkin(), encoding="utf-8")
    missed = len(skeleton.unreproduced)
    sys.stdout.write(
        f"flowspec new: wrote {output}: {len(skeleton.scenarios)} scenarios"
        + (f"; no run takes {missed} of the flow's paths (listed above)" if missed else "")
        + "\n"
    )
    return 0


def console() -> int:
    """The ``flowspec`` command: ``main``, in a process that ends as it returns.

    Everything still alive then (modules, the world, a large run's merged report) is
    frozen out of the garbage collector's sight first: the collection Python makes as it
    shuts down would walk all of it, tens of milliseconds for a large suite, to free
    nothing the process still needs. ``main`` itself, which tests call in their own
    process, leaves the collector alone."""
    code = main()
    gc.freeze()
    return code


if __name__ == "__main__":
    sys.exit(console())
