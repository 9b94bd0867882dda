"""How an exception is told to a remote caller — one description, every protocol.

:func:`describe` turns any exception raised while serving a call into a
:class:`WireError`, from which each protocol takes its part:

==========================  =====  ==========================================  ====
exception                   fault  legacy fault code (/xmlrpc/<service>)        HTTP
==========================  =====  ==========================================  ====
AccessDenied                3      ``AccessDenied``                            401 (429 when throttled)
AccessError                 4      ``warning -- AccessError\\n\\n<message>``    403
MissingError                2      ``warning -- MissingError\\n\\n<message>``   404
RedirectWarning             2      ``warning -- Warning\\n\\n<message>``        422
other UserError             2      ``warning -- UserError\\n\\n<message>``      422
ValueError, TypeError …     1      the message (see below)                     400
session expired             1      the message                                 401
werkzeug HTTP errors        1      the message                                 its own
anything else               1      the message                                 500
==========================  =====  ==========================================  ====

(HTTP is the status of JSON-2 answers and of web pages; XML-RPC and JSON-RPC
answer 200 with the fault / error inside, as Odoo does.)

JSON errors name the exception as Odoo's clients know it: ``odoo.exceptions.UserError``
for our ``core.exceptions`` classes, ``odoo.http.SessionExpiredException``,
``werkzeug.exceptions.NotFound``, ``builtins.ValueError``.

What a caller never gets is a traceback.  ``ValueError``, ``TypeError`` and
``KeyError`` escaping a remote call (inside :func:`caller_mistakes`) are the caller's
mistakes in practice — an unknown field, a malformed domain, a wrong argument — so
their message is passed on, prefixed with the type as the last line of a Python
traceback would be.  Anything else, and those same errors raised by a web page's own
code, is a bug of ours: the caller gets a generic message with an incident number,
and the log gets the traceback under that number.
"""
import contextlib
import logging
import secrets
from dataclasses import dataclass, field

from werkzeug.exceptions import HTTPException

from .. import exceptions as core_exceptions
from ..exceptions import AccessDenied, AccessError, MissingError, RedirectWarning, UserError

_logger = logging.getLogger(__name__)

#: the ``message`` of JSON errors that are not "session expired" nor "not found"
SERVER_ERROR = "Odoo Server Error"
SESSION_EXPIRED = "Odoo Session Expired"


class SessionExpired(Exception):
    """A call needing a logged-in user came without a valid session."""


class CallerMistake(Exception):
    """A ValueError / TypeError / KeyError a remote call raised: the caller's to read."""

    def __init__(self, original):
        super().__init__(str(original))
        self.original = original


@contextlib.contextmanager
def caller_mistakes():
    """Inside, ValueError, TypeError and KeyError become :class:`CallerMistake`."""
    try:
        yield
    except core_exceptions.CacheMiss:
        raise
    except (ValueError, TypeError, KeyError) as exc:
        raise CallerMistake(exc) from exc


@dataclass
class WireError:
    """One exception, as every protocol tells it."""

    name: str                       # dotted class name, as Odoo's clients know it
    message: str                    # for the person reading it
    fault_code: int                 # XML-RPC /xmlrpc/2/* faultCode
    legacy_code: str                # XML-RPC /xmlrpc/* (string) faultCode
    status: int                     # HTTP status (JSON-2, web pages)
    json_code: int = 200            # JSON-RPC error code (200, or 100 / 404 ...)
    arguments: list = field(default_factory=list)
    context: dict = field(default_factory=dict)
    retry_after: int | None = None  # seconds, for a throttled login (HTTP Retry-After)

    @property
    def json_message(self):
        if self.json_code == 100:
            return SESSION_EXPIRED
        if self.json_code == 200:
            return SERVER_ERROR
        return self.message

    def json_error(self):
        """The ``error`` member of a JSON-RPC response."""
        return {"code": self.json_code, "message": self.json_message,
                "data": {"name": self.name, "debug": f"{self.name}: {self.message}",
                         "message": self.message, "arguments": self.arguments, "context": self.context}}

    def json2_body(self):
        """The body of a JSON-2 error answer."""
        return {"name": self.name, "message": self.message, "arguments": self.arguments,
                "context": self.context, "debug": ""}


def wire_name(cls):
    """``odoo.exceptions.UserError`` for our exceptions, the real dotted name for others."""
    if cls.__module__ == core_exceptions.__name__:
        return f"odoo.exceptions.{cls.__qualname__}"
    return f"{cls.__module__}.{cls.__qualname__}"


def describe(exc):
    """The :class:`WireError` of ``exc``; an unexpected exception is logged here, with its traceback."""
    name = wire_name(type(exc))
    if isinstance(exc, SessionExpired):
        return WireError("odoo.http.SessionExpiredException", str(exc) or "Session expired", 1,
                         str(exc), 401, json_code=100, arguments=[str(exc)])
    if isinstance(exc, UserError):
        message = str(exc)
        arguments = [message] + [_plain(a) for a in exc.args[1:]]
        context = dict(getattr(exc, "context", None) or {})
        if isinstance(exc, AccessDenied):
            # a throttled login says when to come back: 429 (RFC 6585) rather than 401
            status = 429 if getattr(exc, "retry_after", None) else 401
            return WireError(name, message, 3, "AccessDenied", status, arguments=arguments, context=context,
                             retry_after=getattr(exc, "retry_after", None))
        if isinstance(exc, AccessError):
            kind, fault, status = "AccessError", 4, 403
        elif isinstance(exc, MissingError):
            kind, fault, status = "MissingError", 2, 404
        elif isinstance(exc, RedirectWarning):
            kind, fault, status = "Warning", 2, 422
        else:
            kind, fault, status = "UserError", 2, getattr(exc, "http_status", 422)
        return WireError(name, message, fault, f"warning -- {kind}\n\n{message}", status,
                         arguments=arguments, context=context)
    if isinstance(exc, HTTPException):
        message = f"{exc.code}: {exc.name}"
        detail = exc.description or exc.name
        return WireError(f"werkzeug.exceptions.{type(exc).__name__}", detail, 1, detail, exc.code,
                         json_code=exc.code if exc.code == 404 else 200, arguments=[message])
    if isinstance(exc, CallerMistake):
        original = exc.original
        text = original.args[0] if isinstance(original, KeyError) and original.args else str(original)
        message = f"{type(original).__name__}: {text}"
        return WireError(wire_name(type(original)), message, 1, message, 400,
                         arguments=[str(a) for a in original.args])
    incident = secrets.token_hex(4)
    _logger.error("incident %s: unexpected error while serving a call", incident, exc_info=exc)
    message = f"An internal error occurred (incident {incident}): the operation was cancelled."
    return WireError("builtins.Exception", message, 1, message, 500, arguments=[message])


def _plain(value):
    return value if isinstance(value, (str, int, float, bool, type(None), list, dict)) else str(value)
