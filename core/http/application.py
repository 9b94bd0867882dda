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
import dataclasses
import datetime
import hmac
import inspect
import json
import logging
import os
import threading
import time
from urllib.parse import quote

import jinja2
from werkzeug.exceptions import BadRequest, HTTPException, ServiceUnavailable, UnsupportedMediaType
from werkzeug.routing import RequestRedirect
from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from .. import i18n
from ..api import SUPERUSER_ID, Environment
from ..exceptions import AccessError
from ..rpc.db_service import DatabaseService, db_filter
from ..rpc.errors import SessionExpired, describe
from . import controllers
from .request import SAFE_METHODS, Request, bind, current_request, unbind
from .routing import Routes
from .sessions import SESSION_LIFETIME, SessionStore, ensure_table

_logger = logging.getLogger(__name__)

TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")
SESSION_COOKIE = "session_id"
#: seconds the list of the catalog's databases is kept (a database made elsewhere shows up after it)
CATALOG_LIST_TTL = 2.0
DB_COOKIE = "tessera_db"
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "SAMEORIGIN",
    "Referrer-Policy": "same-origin",
}


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
    database of an opened :class:`~core.modules.ModuleManager`; with a ``catalog``
    (:class:`~core.db.catalog.Catalog`) it also serves every database of that catalog
    (SQLite files of a folder, or the databases of a PostgreSQL server), chosen on
    ``/web/database/selector`` (listed only when ``list_db``) or named by the call
    (XML-RPC, JSON-RPC).  ``Application(data_dir=d)`` alone serves the SQLite files of
    ``d``.  ``config`` (:class:`~core.config.Config`) gives the master password,
    ``list_db``, ``dbfilter`` and the largest request body.  Add framework-level routes
    with :attr:`routes` (``app.routes.add(...)`` or ``@app.route(...)``) before the first
    request.
    """

    def __init__(self, db_uri=None, *, manager=None, data_dir=None, catalog=None, config=None,
                 list_db=None, addons_paths=(), static_max_age=7 * 24 * 3600):
        from ..config import Config
        self.config = config or Config()
        if list_db is not None:
            self.config = dataclasses.replace(self.config, list_db=bool(list_db))
        self.data_dir = os.path.abspath(data_dir) if data_dir else None
        self.addons_paths = list(addons_paths)
        self.static_max_age = static_max_age
        self.sessions = SessionStore()
        self.routes = Routes("framework")
        self.routes.add(controllers.Web)
        from ..rpc import json2, jsonrpc, xmlrpc
        self.routes.add(xmlrpc.XmlRpc)
        self.routes.add(jsonrpc.JsonRpc)
        self.routes.add(json2.Json2)
        self._fixed = {}                 # db name -> ModuleManager, served whatever the catalog holds
        if manager is not None:
            self._fixed[manager.db_name] = manager
        elif db_uri:
            from ..modules import ModuleManager
            manager = ModuleManager(db_uri, addons_paths=self.addons_paths, data_dir=self.data_dir)
            self._fixed[manager.db_name] = manager
        if catalog is None and self.data_dir and not self._fixed:
            from ..db.catalog import SQLiteCatalog
            catalog = SQLiteCatalog(self.data_dir)
        self.catalog = catalog
        self._databases = {}
        self._lock = threading.Lock()
        self._bare_map = None
        self._db_service = None
        self._catalog_cache = None
        self.jinja = _jinja_environment([TEMPLATES])

    @property
    def list_db(self):
        """May clients list the databases (configuration ``list_db``)?"""
        return self.config.list_db

    def route(self, path, **options):
        """Decorator adding a framework-level route (before the first request only)."""
        return self.routes.route(path, **options)

    # ------------------------------------------------------------ databases
    def databases(self, host=None):
        """The names of the databases this application serves, sorted (``host``: the
        request's host name, for a ``dbfilter`` with ``%h`` / ``%d``; the current request's
        by default)."""
        names = set(self._fixed)
        if self.catalog is not None:
            names.update(db_filter(self._catalog_names(), self.config.dbfilter, self._host(host)))
        return sorted(names)

    def _catalog_names(self):
        """The catalog's list, kept a moment: requests naming no database ask for it, and
        on PostgreSQL it is a query."""
        now = time.monotonic()
        cached = self._catalog_cache
        if cached is None or now - cached[0] > CATALOG_LIST_TTL:
            cached = self._catalog_cache = (now, self.catalog.list())
        return cached[1]

    @staticmethod
    def _host(host):
        if host is None:
            req = current_request()
            host = req.host if req is not None else ""
        return host

    def serves(self, name):
        """True if database ``name`` is one this application serves (to the current request)."""
        if not isinstance(name, str) or not name:
            return False
        if name in self._fixed:
            return True
        if self.catalog is None or not db_filter([name], self.config.dbfilter, self._host(None)):
            return False
        return name in self._databases or self.catalog.exists(name)

    def database(self, name):
        """The per-database state of ``name`` (its registry opened on first use)."""
        with self._lock:
            if name not in self._databases or self._databases[name].stale:
                manager = self._fixed.get(name) or getattr(self._databases.get(name), "manager", None)
                if manager is None:
                    from ..modules import ModuleManager
                    uri = self.catalog.uri(name) if self.catalog is not None else \
                        f"sqlite:///{os.path.join(self.data_dir, name + '.sqlite3')}"
                    manager = ModuleManager(uri, addons_paths=self.addons_paths, data_dir=self.data_dir)
                self._databases[name] = _Database(manager, self.routes)
            return self._databases[name]

    def catalog_changed(self):
        """Databases were made or removed (db service): list the catalog afresh."""
        self._catalog_cache = None

    def forget_database(self, name):
        """Close and forget database ``name`` (before it is dropped or renamed)."""
        if name in self._fixed:
            raise AccessError(f"Database {name!r} is the one this server was started with: "
                              "it cannot be dropped or renamed while served.")
        with self._lock:
            state = self._databases.pop(name, None)
        self.catalog_changed()
        if state is not None:
            state.manager.engine.dispose()

    def run_in(self, name, function):
        """``function(cr)`` in one transaction on database ``name`` (AccessError if not served)."""
        if not self.serves(name):
            raise AccessError("Database not found.")
        return self.database(name).registry.run(function)

    def db_service(self):
        """The ``db`` service of the external API (database management)."""
        if self._db_service is None:
            from ..db.catalog import SQLiteCatalog, catalog_for
            catalog = self.catalog
            if catalog is None:
                catalog = SQLiteCatalog(self.data_dir) if self.data_dir else catalog_for(self.config)
            self._db_service = DatabaseService(catalog, self.config, addons_paths=self.addons_paths,
                                               data_dir=self.data_dir, forget=self.forget_database,
                                               served=self.databases)
        return self._db_service

    def _choose_database(self, req):
        """The database of this request: the one chosen on the selector (or by a call
        naming it), else the only one served."""
        chosen = req.cookies.get(DB_COOKIE)
        if chosen and self.serves(chosen):
            return chosen
        names = self.databases()
        return names[0] if len(names) == 1 else None

    # ------------------------------------------------------------ WSGI
    def __call__(self, environ, start_response):
        req = Request(environ, self)
        req.max_content_length = self.config.max_request_body
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
            named = self._database_named(req, endpoint)
            if named and named != req.db:
                req.db, state = named, self.database(named)
                endpoint, args = state.map.bind_to_environ(req.environ).match()
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

    def _database_named(self, req, endpoint):
        """The database a ``database=``-routed JSON call names in its params (checked), or None."""
        key = endpoint.info.database
        if not key or endpoint.info.type != "json" or req.mimetype != "application/json":
            return None
        body = req.get_json(silent=True)
        params = body.get("params") if isinstance(body, dict) else None
        name = params.get(key) if isinstance(params, dict) else None
        if name is None:
            return None
        if not self.serves(name):
            raise AccessError("Database not found.")
        return name

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
        if endpoint.info.database and req.cookies.get(DB_COOKIE) != req.db and session.uid:
            self.remember_database(response, req)
        if self.sessions.save(cr, session):
            response.set_cookie(SESSION_COOKIE, session.sid, max_age=SESSION_LIFETIME,
                                httponly=True, samesite="Lax", path="/", secure=req.is_secure)
        elif session.deleted:
            response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="Lax")
        return response

    @staticmethod
    def remember_database(response, req):
        """Make the browser (or client) come back to ``req.db`` on its next requests."""
        response.set_cookie(DB_COOKIE, req.db, httponly=True, samesite="Lax", path="/", secure=req.is_secure)

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
            body = {"jsonrpc": "2.0", "id": self._json_id(req), "result": result}
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
        if isinstance(exc, HTTPException) and exc.code in (301, 302, 303, 307, 308):
            return exc.get_response(req.environ)
        error = describe(exc)
        wants_json = (req.endpoint.info.type == "json") if req.endpoint else req.mimetype == "application/json"
        if wants_json:
            # as Odoo: the error travels inside a 200 answer, unless the body was refused whole
            body = {"jsonrpc": "2.0", "id": self._json_id(req), "error": error.json_error()}
            status = error.status if isinstance(exc, HTTPException) and exc.code in (400, 413, 415) else 200
            response = Response(json.dumps(body), status=status, mimetype="application/json")
        else:
            status = error.status if error.status != 422 else 400
            try:
                html = self.render_template("error.html", {"status": status, "message": error.message,
                                                           "request": req}, db=req.db)
            except Exception:  # noqa: BLE001 -- the error page itself must not fail
                _logger.exception("rendering the error page failed")
                html = f"<!DOCTYPE html><title>Error {status}</title><p>Error {status}</p>"
            response = Response(html, status=status, mimetype="text/html")
        if isinstance(exc, HTTPException) and exc.code == 405:
            response.headers["Allow"] = ", ".join(getattr(exc, "valid_methods", None) or ())
        return response

    @staticmethod
    def _json_id(req):
        """The ``id`` of the JSON-RPC request, echoed in the answer (None if unreadable)."""
        if not hasattr(req, "json_id"):
            try:
                body = req.get_json(silent=True)
            except HTTPException:      # a body too large is not read
                body = None
            req.json_id = body.get("id") if isinstance(body, dict) else None
        return req.json_id

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
