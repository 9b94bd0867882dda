"""The request object handlers see: werkzeug's Request plus the Tessera context.

``from core.http import request`` gives the request being handled (a context
variable, so threads and workers each see their own).  Besides werkzeug's API it
carries ``env`` (the user's environment, with the user's language), ``session``,
``params`` (URL arguments, query and form fields, or the JSON ``params``),
``csrf_token()`` for templates and ``render()`` for Jinja2 pages.
"""
import contextvars
import hashlib
import hmac
import time

from werkzeug.local import LocalProxy
from werkzeug.wrappers import Request as WerkzeugRequest
from werkzeug.wrappers import Response

#: how long a CSRF token stays valid (it is also bound to the session)
CSRF_LIFETIME = 48 * 3600
SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")

_current = contextvars.ContextVar("tessera_request")


class Request(WerkzeugRequest):
    """One HTTP request, with the database, user and session it runs with."""

    def __init__(self, environ, app=None):
        super().__init__(environ)
        self.app = app
        self.db = None            # the database name this request works on
        self.registry = None
        self.cr = None
        self.env = None           # the user's Environment (None for auth='none')
        self.session = None
        self.params = {}
        self.endpoint = None

    @property
    def uid(self):
        return self.env.uid if self.env is not None else None

    # ------------------------------------------------------------ CSRF
    def _csrf_secret(self):
        """The database's secret, read once per request (a page has several forms)."""
        if getattr(self, "_secret", None) is None:
            from ..api import SUPERUSER_ID, Environment
            secret = Environment(self.cr, SUPERUSER_ID, {})["ir.config_parameter"].get_param("database.secret")
            if not secret:
                raise RuntimeError("the database has no 'database.secret' parameter (is base installed?)")
            self._secret = secret.encode()
        return self._secret

    def csrf_token(self, lifetime=CSRF_LIFETIME):
        """A token for the ``csrf_token`` field of forms: HMAC of the session id and an expiry."""
        expires = int(time.time()) + lifetime
        sid = self.session.ensure_sid()
        mac = hmac.new(self._csrf_secret(), f"{sid}{expires}".encode(), hashlib.sha256).hexdigest()
        return f"{mac}o{expires}"

    def validate_csrf(self, token):
        """True if ``token`` was made by :meth:`csrf_token` for this session and has not expired."""
        if not token or not isinstance(token, str) or "o" not in token or self.session.sid is None:
            return False
        mac, _, expires = token.rpartition("o")
        if not expires.isdigit() or int(expires) < time.time():
            return False
        expected = hmac.new(self._csrf_secret(), f"{self.session.sid}{expires}".encode(),
                            hashlib.sha256).hexdigest()
        return hmac.compare_digest(mac, expected)

    # ------------------------------------------------------------ responses
    def render(self, template, values=None, status=200):
        """An HTML response: the Jinja2 ``template`` rendered with ``values`` and ``request``."""
        html = self.app.render_template(template, {"request": self, **(values or {})}, db=self.db)
        return Response(html, status=status, mimetype="text/html")


def _get_request():
    try:
        return _current.get()
    except LookupError:
        raise RuntimeError("no request is being handled (core.http.request used outside a handler)") from None


#: the request being handled, for handlers and templates
request = LocalProxy(_get_request)


def current_request():
    """The request being handled, or None outside a handler."""
    return _current.get(None)


def bind(req):
    """Make ``req`` the current request; returns the token for :func:`unbind`."""
    return _current.set(req)


def unbind(token):
    _current.reset(token)
