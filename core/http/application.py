"""The WSGI application: from an HTTP request to a handler and back, in one transaction.

For each request :class:`Application` picks the database (the only one, or the one
chosen on the database selector), matches the URL against the routes of that
database (the framework's plus those its installed addons add through the
``register_routes`` hook), and runs the handler inside ONE transaction
(``registry.run``): session loaded, user checked (``auth``), CSRF token checked,
handler called, session saved, commit.  Any exception rolls everything back and
becomes a clean error page (or a JSON error): the messages of ``UserError`` and
its kin are shown, anything else is a generic "internal error" whose traceback goes
to the log only.  Every response carries the security headers.

It does not own the routes' declaration (``routing.py``), the session store
(``sessions.py``) nor the pages (``controllers.py`` and ``templates/``).
"""
import datetime
import glob
import hmac
import inspect
import json
import logging
import os
import threading
from urllib.parse import quote

import jinja2
from werkzeug.exceptions import BadRequest, HTTPException, ServiceUnavailable, UnsupportedMediaType
from werkzeug.routing import RequestRedirect
from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from .. import i18n
from ..api import SUPERUSER_ID, Environment
from ..exceptions import AccessDenied, AccessError, UserError
from . import controllers
from .request import SAFE_METHODS, Request, bind, current_request, unbind
from .routing import Routes
from .sessions import SESSION_LIFETIME, SessionStore, ensure_table

_logger = logging.getLogger(__name__)

TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")
SESSION_COOKIE = "session_id"
DB_COOKIE = "tessera_db"
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "SAMEORIGIN",
    "Referrer-Policy": "same-origin",
}


class SessionExpired(Exception):
    """A route needing a logged-in user was called without one."""


class _Database:
    """What the application keeps per database: registry, routes, URL map, static
    folders and templates.  It is built from one registry: when the module manager
    replaces the registry (an addon installed or removed), the application builds a
    new one, so that the routes and templates are those of the installed addons."""

    def __init__(self, manager, routes):
        self.manager = manager
        self.registry = manager.registry or manager.open()
        ensure_table(self.registry.engine)
        self.routes = routes.copy(origin="addons")
        self.registry.hooks.hook.register_routes(routes=self.routes)
        self.routes.freeze()
        self.map = self.routes.build_map()
        self.static = {}
        folders = []
        for name in self.registry.installed:
            path = manager.manifests[name].path
            if os.path.isdir(os.path.join(path, "static")):
                self.static[name] = os.path.join(path, "static")
            if os.path.isdir(os.path.join(path, "templates")):
                folders.append(os.path.join(path, "templates"))
        # an addon's templates are named by their path under its templates/ folder
        # ("web/list.html"); addons loaded later come first, so they may override
        self.jinja = _jinja_environment(list(reversed(folders)) + [TEMPLATES])
        self.public_uid = None

    @property
    def stale(self):
        return self.manager.registry is not None and self.manager.registry is not self.registry

    def public_user(self, cr):
        if self.public_uid is None:
            user = Environment(cr, SUPERUSER_ID, {}).ref("base.public_user", raise_if_not_found=False)
            self.public_uid = user.id if user else SUPERUSER_ID
        return self.public_uid


class Application:
    """Tessera's WSGI application.

    ``Application(db_uri)`` serves one database; ``Application(manager=m)`` serves the
    database of an opened :class:`~core.modules.ModuleManager`; ``Application(data_dir=d)``
    serves every SQLite database ``d/*.sqlite3``, chosen on ``/web/database/selector``
    (listed only when ``list_db``).  Add framework-level routes with :attr:`routes`
    (``app.routes.add(...)`` or ``@app.route(...)``) before the first request.
    """

    def __init__(self, db_uri=None, *, manager=None, data_dir=None, list_db=True, addons_paths=(),
                 static_max_age=7 * 24 * 3600):
        self.data_dir = os.path.abspath(data_dir) if data_dir else None
        self.list_db = list_db
        self.addons_paths = list(addons_paths)
        self.static_max_age = static_max_age
        self.sessions = SessionStore()
        self.routes = Routes("framework")
        self.routes.add(controllers.Web)
        self._fixed = {}                 # db name -> ModuleManager or URI when not from data_dir
        if manager is not None:
            self._fixed[manager.db_name] = manager
        elif db_uri:
            from ..modules import ModuleManager
            manager = ModuleManager(db_uri, addons_paths=self.addons_paths, data_dir=self.data_dir)
            self._fixed[manager.db_name] = manager
        self._databases = {}
        self._lock = threading.Lock()
        self._bare_map = None
        self.jinja = _jinja_environment([TEMPLATES])

    def route(self, path, **options):
        """Decorator adding a framework-level route (before the first request only)."""
        return self.routes.route(path, **options)

    # ------------------------------------------------------------ databases
    def databases(self):
        """The names of the databases this application serves, sorted."""
        if self._fixed:
            return sorted(self._fixed)
        if not self.data_dir:
            return []
        return sorted(os.path.splitext(os.path.basename(p))[0]
                      for p in glob.glob(os.path.join(glob.escape(self.data_dir), "*.sqlite3")))

    def database(self, name):
        """The per-database state of ``name`` (its registry opened on first use)."""
        with self._lock:
            if name not in self._databases or self._databases[name].stale:
                manager = self._fixed.get(name) or getattr(self._databases.get(name), "manager", None)
                if manager is None:
                    from ..modules import ModuleManager
                    uri = f"sqlite:///{os.path.join(self.data_dir, name + '.sqlite3')}"
                    manager = ModuleManager(uri, addons_paths=self.addons_paths, data_dir=self.data_dir)
                self._databases[name] = _Database(manager, self.routes)
            return self._databases[name]

    def _choose_database(self, req):
        names = self.databases()
        if len(names) == 1:
            return names[0]
        chosen = req.cookies.get(DB_COOKIE)
        return chosen if chosen in names else None

    # ------------------------------------------------------------ WSGI
    def __call__(self, environ, start_response):
        req = Request(environ, self)
        token = bind(req)
        try:
            response = self.dispatch(req)
        finally:
            unbind(token)
        for header, value in SECURITY_HEADERS.items():
            response.headers.setdefault(header, value)
        return response(environ, start_response)

    def start(self):
        """Freeze the framework routes: called by the first request (or by the server before it)."""
        if not self.routes.frozen:
            with self._lock:
                self.routes.freeze()
                self._bare_map = self.routes.build_map()

    def dispatch(self, req):
        self.start()
        try:
            req.db = self._choose_database(req)
            state = self.database(req.db) if req.db else None
            url_map = state.map if state else self._bare_map
            endpoint, args = url_map.bind_to_environ(req.environ).match()
            req.endpoint = endpoint
            if endpoint.info.auth == "none":
                req.registry = state.registry if state else None
                req.params = self._params(req, args)
                return self._make_response(req, self._call(endpoint, req.params))
            if state is None:
                if self.list_db and len(self.databases()) > 1:
                    return redirect("/web/database/selector", 303)
                raise ServiceUnavailable("No database is available.")
            req.registry = state.registry
            return state.registry.run(lambda cr: self._handle(req, state, cr, endpoint, args))
        except RequestRedirect as exc:
            return exc.get_response(req.environ)
        except Exception as exc:  # noqa: BLE001 -- the boundary: nothing may reach the user raw
            return self._error_response(req, exc)

    def _handle(self, req, state, cr, endpoint, args):
        """The transaction of one request (re-run from scratch when ``registry.run`` retries)."""
        req.cr = cr
        req.env = None
        session = req.session = self.sessions.load(cr, req.cookies.get(SESSION_COOKIE))
        uid = session.uid
        if uid and not self._session_valid(cr, session):
            session.clear()
            session.deleted = True
            uid = None
        info = endpoint.info
        if info.auth == "user" and not uid:
            if info.type == "json":
                raise SessionExpired("Session expired: log in again.")
            return redirect(f"/web/login?redirect={quote(req.full_path.rstrip('?'), safe='')}", 303)
        context = dict(session.get("context") or {})
        if not uid:
            uid = state.public_user(cr)
            context = Environment(cr, uid, {})["res.users"].context_get()
        req.env = Environment(cr, uid, context)
        req.params = self._params(req, args)
        if info.type == "http" and info.csrf and req.method not in SAFE_METHODS:
            if not req.validate_csrf(req.form.get("csrf_token")):
                raise BadRequest("Session expired (invalid CSRF token): reload the page and try again.")
        response = self._make_response(req, self._call(endpoint, req.params))
        if self.sessions.save(cr, session):
            response.set_cookie(SESSION_COOKIE, session.sid, max_age=SESSION_LIFETIME,
                                httponly=True, samesite="Lax", path="/", secure=req.is_secure)
        elif session.deleted:
            response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="Lax")
        return response

    @staticmethod
    def _session_valid(cr, session):
        """The session's user still exists, is active, and has the credentials it logged
        in with (a password change ends the user's other sessions)."""
        user = Environment(cr, SUPERUSER_ID, {})["res.users"].browse(session.uid).exists()
        return bool(user) and user.active and hmac.compare_digest(
            str(session.get("token") or ""), user._session_token())

    # ------------------------------------------------------------ calling handlers
    def _params(self, req, args):
        if req.endpoint.info.type == "json":
            if req.mimetype != "application/json":
                raise UnsupportedMediaType("This route takes a JSON body (Content-Type: application/json).")
            body = req.get_json(silent=True)
            if not isinstance(body, dict):
                raise BadRequest("The body is not a JSON object.")
            req.json_id = body.get("id")
            params = body.get("params", {}) if "params" in body or "jsonrpc" in body else body
            if not isinstance(params, dict):
                raise BadRequest("'params' must be a JSON object.")
            return {**params, **args}
        params = {**req.args.to_dict(), **req.form.to_dict(), **req.files.to_dict(), **args}
        params.pop("csrf_token", None)
        return params

    @staticmethod
    def _call(endpoint, params):
        """Call the handler with the parameters it accepts (all of them if it takes ``**kwargs``)."""
        signature = inspect.signature(endpoint.handler)
        if any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values()):
            return endpoint.handler(**params)
        return endpoint.handler(**{k: v for k, v in params.items() if k in signature.parameters})

    def _make_response(self, req, result):
        if req.endpoint.info.type == "json":
            body = {"jsonrpc": "2.0", "id": getattr(req, "json_id", None), "result": result}
            return Response(json.dumps(body, default=_json_default), mimetype="application/json")
        if isinstance(result, Response):
            return result
        if isinstance(result, (dict, list)):
            return Response(json.dumps(result, default=_json_default), mimetype="application/json")
        if result is None:
            return Response(status=204)
        return Response(str(result), mimetype="text/html")

    # ------------------------------------------------------------ errors
    def _error_response(self, req, exc):
        code, status, message, name = self._describe(exc)
        if isinstance(exc, HTTPException) and exc.code in (301, 302, 303, 307, 308):
            return exc.get_response(req.environ)
        wants_json = (req.endpoint.info.type == "json") if req.endpoint else req.mimetype == "application/json"
        if wants_json:
            body = {"jsonrpc": "2.0", "id": getattr(req, "json_id", None),
                    "error": {"code": code, "message": message, "data": {"name": name, "message": message}}}
            response = Response(json.dumps(body), status=status, mimetype="application/json")
        else:
            try:
                html = self.render_template("error.html", {"status": status, "message": message, "request": req},
                                            db=req.db)
            except Exception:  # noqa: BLE001 -- the error page itself must not fail
                _logger.exception("rendering the error page failed")
                html = f"<!DOCTYPE html><title>Error {status}</title><p>Error {status}</p>"
            response = Response(html, status=status, mimetype="text/html")
        if isinstance(exc, HTTPException) and exc.code == 405:
            response.headers["Allow"] = ", ".join(getattr(exc, "valid_methods", None) or ())
        return response

    @staticmethod
    def _describe(exc):
        """(error code, HTTP status, message for the user, error name) of ``exc``; logs the unexpected."""
        name = f"{type(exc).__module__}.{type(exc).__qualname__}"
        if isinstance(exc, SessionExpired):
            return 100, 401, str(exc), "core.http.SessionExpired"
        if isinstance(exc, HTTPException):
            return exc.code, exc.code, exc.description or exc.name, f"werkzeug.exceptions.{type(exc).__name__}"
        if isinstance(exc, (AccessError, AccessDenied)):
            return 403, 403, str(exc), name
        if isinstance(exc, UserError):
            return 400, 400, str(exc), name
        _logger.exception("error while handling the request")
        return 500, 500, "An internal error occurred: the operation was cancelled.", "InternalServerError"

    # ------------------------------------------------------------ templates
    def render_template(self, template, values, db=None):
        """``template`` rendered with ``values``: with the templates of database ``db``'s
        installed addons when given, else with the framework's own."""
        jinja = self._databases[db].jinja if db in self._databases else self.jinja
        return jinja.get_template(template).render(values)

    def static_folder(self, db, addon):
        """The ``static/`` folder of the installed addon ``addon`` of database ``db``, or None."""
        return self.database(db).static.get(addon) if db else None


def _jinja_environment(folders):
    """Templates from ``folders`` (first wins), autoescaped, with ``_()`` / ``{% trans %}``
    translating into the language of the request's user."""
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(folders), autoescape=True,
                                     undefined=jinja2.StrictUndefined,
                                     extensions=["jinja2.ext.i18n", "jinja2.ext.do"])
    environment.install_gettext_callables(_ui_gettext, _ui_ngettext, newstyle=True)
    return environment


def _ui_gettext(message):
    """The translation of a template's text for the current request: the catalogs of
    the installed addons are searched, the last loaded first."""
    req = current_request()
    env = req.env if req is not None else None
    if env is None or not env.lang or env.lang == i18n.DEFAULT_LANG:
        return message
    modules = tuple(reversed(req.registry.installed)) if req.registry is not None else ("base",)
    return i18n.translate(message, env.lang, modules)


def _ui_ngettext(singular, plural, n):
    return _ui_gettext(singular if n == 1 else plural)


def _json_default(value):
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if hasattr(value, "ids"):
        return value.ids
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
