from . import stage
from . import deal
