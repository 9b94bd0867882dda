from . import loan
