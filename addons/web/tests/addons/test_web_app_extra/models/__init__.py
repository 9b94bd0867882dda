from . import note
from . import tag
