"""The ``flowspec`` command: run the features with the project's defaults."""

from __future__ import annotations

import argparse
import os
import sys
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
    args = parser.parse_args(argv)
    if args.command == "run":
        return _run(args)
    if args.command == "steps":
        return _steps(args)
    if args.command == "actions":
        from flowspec.engine.actions.catalog import render

        sys.stdout.write(render(args.format))
        return 0
    if args.command == "serve":
        return _serve(args)
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


def _run(args: argparse.Namespace) -> int:
    # behave is imported here so `flowspec --help` stays fast.
    from behave.__main__ import main as behave_main

    behave_args = [*args.paths]
    for expression in args.tags:
        behave_args += ["--tags", expression]
    for definition in [f"backend={args.backend}", *args.define]:
        behave_args += ["-D", definition]
    return int(behave_main(behave_args))


if __name__ == "__main__":
    sys.exit(main())
