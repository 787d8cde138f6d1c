"""The ``flowspec`` command: run the features with the project's defaults."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

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
    steps = commands.add_parser("steps", help="list the steps features can use")
    steps.add_argument("search", nargs="?", default="", help="only steps mentioning this text")
    steps.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    steps.add_argument("--steps-dir", default="steps", help="where the step modules are")
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
    args = parser.parse_args(argv)
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
    parser.print_help()
    return 2


def _steps(args: argparse.Namespace) -> int:
    from flowspec.bdd.catalog import load_catalog, render, search

    entries = search(load_catalog(Path(args.steps_dir)), args.search)
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
            behave = [sys.executable, "-m", "behave", *_behave_args(args, backend)]
            behave += ["-D", f"record={path}", "--junit-directory", f"reports/junit-{backend}"]
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


def _behave_args(args: argparse.Namespace, backend: str) -> list[str]:
    behave_args = [*args.paths]
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


def _run(args: argparse.Namespace) -> int:
    # behave is imported here so `flowspec --help` stays fast.
    from behave.__main__ import main as behave_main

    return int(behave_main(_behave_args(args, args.backend)))


if __name__ == "__main__":
    sys.exit(main())
