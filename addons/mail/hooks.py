"""The mail addon's extension points: the chatter, its routes, the gateway's commands and listener."""
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


@hookimpl
def render_chatter(env, record, page_url):
    """The chatter under the form of a record whose model inherits mail.thread."""
    from .controllers.chatter_view import render_chatter as render
    return render(env, record, page_url)


@hookimpl
def start_services(config, open_registry):
    """The inbound SMTP listener of the server, when ``smtp_listen_port`` is set."""
    from .gateway.listener import start
    return start(config, open_registry)
