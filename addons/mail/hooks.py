"""The mail addon's extension points: the chatter's routes, the gateway's commands."""
from core.hooks import hookimpl

from .controllers import CONTROLLERS


@hookimpl
def register_routes(routes):
    for controller in CONTROLLERS:
        routes.add(controller)


@hookimpl
def register_cli_commands(subparsers):
    from .gateway.cli import add_commands
    add_commands(subparsers)
