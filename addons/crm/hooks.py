"""The crm addon's routes: the public contact form."""
from core.hooks import hookimpl

from .controllers import CONTROLLERS


@hookimpl
def register_routes(routes):
    for controller in CONTROLLERS:
        routes.add(controller)
