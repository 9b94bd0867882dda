"""Tessera's public face for addons: models, fields, api, Command, exceptions, _.

Addon code imports from here (``from core import models, fields, api``); the
modules behind it may change freely.
"""
from . import api, exceptions, fields, models
from .fields import Command
from .tools import translate as _translate


def _(message, *args, **kwargs):
    """Mark ``message`` for translation; the i18n layer looks it up at run time."""
    return _translate(message, *args, **kwargs)


__all__ = ["api", "exceptions", "fields", "models", "Command", "_"]
