from . import item
from . import item_line
from . import tag
