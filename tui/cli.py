"""The `dockyard` command line: the UI by default, plus `engine`, `compose`, `stack`, `topology`."""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from tui.commands.compose_args import add_compose_parser
from tui.commands.stack_args import add_stack_parser


class VersionAction(argparse.Action):
    """`--version`; importlib.metadata (30 ms) is loaded only when it is asked for."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, help="show the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> NoReturn:
        from importlib.metadata import PackageNotFoundError, version

        try:
            found = version("dockyard")
        except PackageNotFoundError:
            found = "0+unknown"
        print(f"dockyard {found}")
        parser.exit()


ENGINE_HELP = "docker, native, podman, a docker context name, or a URL (unix://, tcp://, ssh://)"

EXAMPLES = """\
examples:
  dockyard                                   the UI on the engine you already use
  dockyard --engine ssh://me@server          the UI on a server's Docker, over ssh
  dockyard --engine native --read-only       our own engine; nothing can be changed
  dockyard -e docker -e podman -e lab=ssh://me@lab   a fleet: every engine's containers in one list
  dockyard engine start --data-root D --socket S
  dockyard engine status                     every native engine running here
  dockyard compose -f app.yaml up -d
  dockyard topology --format svg > net.svg
  dockyard topology --swarm -e unix:///run/manager.sock   a swarm's nodes, tasks, overlays
  dockyard doctor                            what this host lacks, one line each
  dockyard completion bash > /etc/bash_completion.d/dockyard
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dockyard",
        description="A keyboard-driven terminal UI for containers.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=VersionAction)
    parser.add_argument(
        "--engine",
        "-e",
        metavar="ENGINE",
        action="append",
        help=f"{ENGINE_HELP}; repeated, or [fleet] engines in config.toml: the Fleet view (6) "
        "lists them all, NAME=ENGINE names one",
    )
    parser.add_argument(
        "--read-only", action="store_true", help="turn off every action that changes state"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    engine = sub.add_parser("engine", help="start, stop or query the native engine daemon")
    engine.add_argument("action", choices=("start", "stop", "status"))
    engine.add_argument("--data-root", help="default $DOCKYARD_DATA_ROOT or /var/lib/dockyard")
    engine.add_argument("--socket", help="default $DOCKYARD_SOCKET or /run/dockyard/dockyard.sock")
    engine.add_argument("--foreground", action="store_true", help="run the daemon in this process")

    add_compose_parser(sub)
    add_stack_parser(sub)

    topology = sub.add_parser("topology", help="export the network topology graph")
    topology.add_argument("--engine", "-e", dest="sub_engine", metavar="ENGINE", help=ENGINE_HELP)
    topology.add_argument("--format", "-f", choices=("text", "dot", "svg"), default="text")
    topology.add_argument("--width", type=int, default=0, help="text width (default: terminal)")
    topology.add_argument(
        "--swarm",
        action="store_true",
        help="the swarm of a manager: nodes as groups, tasks, overlay networks, published ports",
    )

    sub.add_parser("doctor", help="check what the UI and the native engine need on this host")
    completion = sub.add_parser("completion", help="print a shell completion script")
    completion.add_argument("shell", choices=("bash", "zsh"))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command is not None and args.engine:
        # Only the UI shows several engines; a command acts on one.
        if len(args.engine) > 1:
            print(f"dockyard: {args.command} works on one --engine, not {len(args.engine)}",
                  file=sys.stderr)  # fmt: skip
            return 2
        args.engine = args.engine[0]
    if args.command is None:
        # The UI. What it loads and builds from here to its first frame is a few hundred
        # thousand objects, none of them garbage, yet the cyclic collector would walk them
        # over and over: about 40 ms. It is off until the main screen is up (App.started).
        gc.disable()
    from engine_adapters import EngineError  # the engine layer: loaded after that switch

    try:
        if args.command == "engine":
            from tui.commands.engine import run_engine_command

            return run_engine_command(args)
        if args.command == "compose":
            from tui.commands.compose import run_compose_command

            return run_compose_command(args)
        if args.command == "stack":
            from tui.commands.stack import run_stack_command

            return run_stack_command(args)
        if args.command == "doctor":
            from tui.commands.doctor import run_doctor

            return run_doctor()
        if args.command == "completion":
            import shtab

            print(shtab.complete(build_parser(), shell=args.shell))
            return 0
        if args.command == "topology":
            from tui.commands.topology import run_topology_command

            engine = args.sub_engine or args.engine
            return run_topology_command(engine, args.format, args.width, args.swarm)
        from tui.commands.ui import run_ui

        return run_ui(args.engine or [], read_only=args.read_only)
    except EngineError as exc:
        print(f"dockyard: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
