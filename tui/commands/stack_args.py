"""The arguments of `dockyard stack`: argparse only, so `dockyard` starts without the swarm code."""

from __future__ import annotations

from typing import Any

ENGINE_HELP = "the swarm manager: a docker context name or a URL (unix://, tcp://, ssh://)"


def add_stack_parser(subparsers: Any) -> None:
    """Adds `stack` and its verbs to the `dockyard` subcommands."""
    stack = subparsers.add_parser("stack", help="deploy and manage stacks on a Docker swarm")
    stack.add_argument("--engine", "-e", dest="stack_engine", metavar="ENGINE", help=ENGINE_HELP)
    verbs = stack.add_subparsers(dest="stack_command", metavar="VERB", required=True)

    deploy = verbs.add_parser("deploy", help="create or update a stack from compose files")
    deploy.add_argument(
        "-c",
        "--compose-file",
        action="append",
        required=True,
        metavar="FILE",
        help="compose file, repeatable: later files merge over earlier ones",
    )
    deploy.add_argument(
        "--prune", action="store_true", help="remove the stack's services the files no longer name"
    )
    deploy.add_argument("name", metavar="NAME")
    verbs.add_parser("ls", help="list the stacks")
    ps = verbs.add_parser("ps", help="list a stack's tasks")
    ps.add_argument("name", metavar="NAME")
    ps.add_argument("-a", "--all", action="store_true", help="include tasks that have ended")
    services = verbs.add_parser("services", help="list a stack's services")
    services.add_argument("name", metavar="NAME")
    rm = verbs.add_parser("rm", help="remove stacks: their services and networks")
    rm.add_argument("names", nargs="+", metavar="NAME")
