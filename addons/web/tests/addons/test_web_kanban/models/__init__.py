from . import stage
from . import tag
from . import task
