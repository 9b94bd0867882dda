from . import utm
