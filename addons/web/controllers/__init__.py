"""The web client's controllers; ``hooks.py`` adds each of CONTROLLERS to the server."""
from .apps import Apps
from .formview import FormView
from .home import Home
from .listview import ListView

# TODO(integration): drop the filter once every controller has its routes
CONTROLLERS = [c for c in (Home, ListView, FormView, Apps)
               if any(hasattr(getattr(c, n), "_route") for n in dir(c) if not n.startswith("__"))]
