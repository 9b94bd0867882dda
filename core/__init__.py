"""Tessera's public face for addons: models, fields, api, Command, exceptions, _.

Addon code imports from here (``from core import models, fields, api``); the
modules behind it may change freely.
"""
import sys

from . import api, exceptions, fields, models
from .fields import Command
from .i18n import gettext as _gettext
from .views import ViewError


def _(message, /, *args, **kwargs):
    """``message`` translated into the caller's language, then ``% args`` (or ``% kwargs``).

    The language is the ``lang`` of the calling code's context (``self.env``, ``env``
    or ``context``), en_US by default; the terms come from the calling addon's
    ``i18n/<lang>.po`` (core's from base).  ``_("Hello %s", name)``.
    """
    return _gettext(message, *args, _frame=sys._getframe(1), **kwargs)


__all__ = ["api", "exceptions", "fields", "models", "Command", "ViewError", "_"]
