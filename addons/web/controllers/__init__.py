"""The web client's controllers; ``hooks.py`` adds each of CONTROLLERS to the server."""
from .apps import Apps
from .formview import FormView
from .home import Home
from .listview import ListView

CONTROLLERS = [Home, ListView, FormView, Apps]
