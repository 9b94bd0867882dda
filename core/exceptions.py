"""Exceptions raised by the framework and by addons.

Owns the error vocabulary shared by the ORM, the module loader and the RPC layer.
Business errors (``UserError`` and its subclasses) carry a message meant for a
person; programming errors stay ``ValueError`` / ``TypeError`` / ``KeyError``.
"""


class UserError(Exception):
    """A business error shown to the user as it is."""

    def __init__(self, message, *args):
        super().__init__(message, *args)

    @property
    def message(self):
        return self.args[0] if self.args else ""

    def __str__(self):
        return str(self.message)


class ValidationError(UserError):
    """A constraint on the data was violated; nothing was written."""


class AccessError(UserError):
    """An access right or record rule denied the operation."""


class MissingError(UserError):
    """A record was deleted or never existed."""


class AccessDenied(UserError):
    """Wrong credentials. Deliberately says nothing more."""

    def __init__(self, message="Access Denied", *args):
        super().__init__(message, *args)
        self.__traceback__ = None


class RedirectWarning(UserError):
    """A warning that offers the user an action to fix its cause."""

    def __init__(self, message, action, button_text, additional_context=None):
        super().__init__(message, action, button_text, additional_context)


class CacheMiss(KeyError):
    """Internal: a value is not in the cache."""
