"""The chatter's HTTP routes (``chatter.py``; what the chatter shows: ``chatter_view.py``)."""
from .chatter import Chatter

CONTROLLERS = [Chatter]
