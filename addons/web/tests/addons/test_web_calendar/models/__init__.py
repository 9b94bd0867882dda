from . import event
from . import task
