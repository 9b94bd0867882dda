"""The web client's routes, added to the server when the addon is installed."""
from core.hooks import hookimpl

from .controllers import CONTROLLERS


@hookimpl
def register_routes(routes):
    for controller in CONTROLLERS:
        routes.add(controller)
