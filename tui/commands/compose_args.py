"""The arguments of `dockyard compose`: argparse only, so `dockyard` starts without Compose."""

from __future__ import annotations

import argparse
from typing import Any

ENGINE_HELP = "docker, native, podman, a docker context name, or a URL"


def add_compose_parser(subparsers: Any) -> None:
    """Adds `compose` and its verbs to the `dockyard` subcommands."""
    compose = subparsers.add_parser("compose", help="run a Compose project on any engine")
    compose.add_argument(
        "-f",
        "--file",
        action="append",
        metavar="FILE",
        help="compose file, repeatable: later files merge over earlier ones "
        "(default: COMPOSE_FILE, else compose.yaml and compose.override.yaml, ...)",
    )
    compose.add_argument(
        "--profile",
        action="append",
        metavar="NAME",
        help="enable the services of this profile, repeatable (default: COMPOSE_PROFILES)",
    )
    compose.add_argument("-p", "--project-name", help="project name (default: the folder's)")
    compose.add_argument("--env-file", help="variables file (default: .env beside the file)")
    compose.add_argument(
        "--engine", "-e", dest="compose_engine", metavar="ENGINE", help=ENGINE_HELP
    )
    verbs = compose.add_subparsers(dest="compose_command", metavar="VERB", required=True)

    up = verbs.add_parser("up", help="create and start the services")
    up.add_argument("-d", "--detach", action="store_true", help="do not follow the logs")
    up.add_argument(
        "--scale",
        action="append",
        type=_scale,
        default=[],
        metavar="SERVICE=NUM",
        help="run NUM containers of SERVICE (over its deploy.replicas), repeatable",
    )
    up.add_argument("services", nargs="*")
    down = verbs.add_parser("down", help="remove the containers and networks")
    down.add_argument("-v", "--volumes", action="store_true", help="remove the named volumes too")
    down.add_argument("-t", "--timeout", type=int)
    ps = verbs.add_parser("ps", help="list the project's containers")
    ps.add_argument("services", nargs="*")
    logs = verbs.add_parser("logs", help="the services' logs, merged")
    logs.add_argument("-f", "--follow", action="store_true")
    logs.add_argument("--tail", type=int)
    logs.add_argument("services", nargs="*")
    for verb, text in (("start", "start"), ("stop", "stop"), ("restart", "restart")):
        parser = verbs.add_parser(verb, help=f"{text} the services")
        if verb != "start":
            parser.add_argument("-t", "--timeout", type=int)
        parser.add_argument("services", nargs="*")
    for verb, text in (("pull", "pull the services' images"), ("build", "build the images")):
        verbs.add_parser(verb, help=text).add_argument("services", nargs="*")
    verbs.add_parser("config", help="print the resolved compose file")


def _scale(text: str) -> tuple[str, int]:
    service, sep, count = text.partition("=")
    if not sep or not service or not count.isdigit():
        raise argparse.ArgumentTypeError(f'"{text}" is not SERVICE=NUM')
    return service, int(count)
