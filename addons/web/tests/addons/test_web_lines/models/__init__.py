from . import order
from . import order_line
from . import tag
