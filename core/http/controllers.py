"""The framework's own pages: login, logout, health, database selector, addons' static files.

An addon may replace any of them by adding a route with the same path in its
``register_routes`` hook (the web client replaces the ``/web`` placeholder).
"""
from urllib.parse import urlsplit

from werkzeug.exceptions import Forbidden, NotFound
from werkzeug.utils import redirect, send_from_directory

from .. import login_throttle
from ..exceptions import AccessDenied
from .request import request
from .routing import Controller, route


def safe_redirect_target(target, default="/web"):
    """``target`` if it is a path on this site (``/crm?x=1``), else ``default``.

    Refuses absolute URLs, scheme-relative ones (``//evil.example``) and backslash
    tricks, so that ``?redirect=`` cannot send a user who just logged in elsewhere.
    """
    if not target or not isinstance(target, str) or not target.startswith("/"):
        return default
    if target.startswith(("//", "/\\")) or "\\" in target or any(ord(c) < 32 for c in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


def start_session(uid):
    """Log the current request's session in as ``uid`` (a new session id: no fixation);
    returns the user's environment."""
    user_env = request.env(user=uid, context=request.env(user=uid)["res.users"].context_get())
    session = request.session
    session.clear()
    session.update(uid=uid, login=user_env.user.login, db=request.db, context=dict(user_env.context),
                   token=user_env.user._session_token())
    session.rotate = True
    return user_env


def end_session():
    """Log the current request's session out (its row is deleted, its cookie cleared)."""
    request.session.clear()
    request.session.deleted = True


class Web(Controller):
    """Login, logout, health, the database selector and static files."""

    @route("/web/health", methods=["GET", "HEAD"], auth="none")
    def health(self):
        return {"status": "pass"}

    @route("/web/login", methods=["GET", "POST"], auth="public")
    def login(self, **params):
        target = safe_redirect_target(params.get("redirect"))
        values = {"login": params.get("login", ""), "redirect": target, "error": None,
                  "db": request.db}
        if request.method == "GET":
            if request.session.uid:
                return redirect(target, 303)
            return request.render("login.html", values)
        try:
            uid = request.env["res.users"].authenticate(params.get("login", ""), params.get("password", ""),
                                                       interactive=True)
        except AccessDenied as exc:
            wait = login_throttle.retry_after(exc)
            if wait:     # too many failures: say so, and when to come back (RFC 6585)
                values["error"] = str(exc)
                response = request.render("login.html", values, status=429)
                response.headers["Retry-After"] = str(wait)
                return response
            values["error"] = "Wrong login or password."
            return request.render("login.html", values, status=401)
        start_session(uid)
        return redirect(target, 303)

    @route("/web/logout", methods=["GET", "POST"], auth="public")
    def logout(self, **params):
        if request.method == "GET":
            if not request.session.uid:
                return redirect("/web/login", 303)
            return request.render("logout.html", {})
        end_session()
        return redirect("/web/login", 303)

    @route("/web", methods=["GET"], auth="user")
    def home(self):
        """A placeholder home page, replaced by the web client's ``/web``."""
        return request.render("home.html", {"user": request.env.user})

    @route("/web/database/selector", methods=["GET"], auth="none")
    def database_selector(self, db=None):
        app = request.app
        if not app.list_db:
            raise Forbidden("Listing the databases is disabled.")
        names = app.databases()
        if db:
            if db not in names:
                raise NotFound("No such database.")
            response = redirect("/web/login", 303)
            response.set_cookie("tessera_db", db, httponly=True, samesite="Lax", path="/",
                                secure=request.is_secure)
            return response
        return request.render("database_selector.html", {"databases": names, "current": request.db})

    @route("/<string:addon>/static/<path:filename>", methods=["GET", "HEAD"], auth="none")
    def static(self, addon, filename):
        folder = request.app.static_folder(request.db, addon)
        if folder is None:
            raise NotFound()
        # send_from_directory refuses paths leaving the folder (404)
        response = send_from_directory(folder, filename, request.environ,
                                       max_age=request.app.static_max_age)
        response.cache_control.public = True
        return response
