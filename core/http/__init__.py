"""Tessera's HTTP layer: the WSGI application, routes, sessions, the request.

Only re-exports; see ``application.py`` for how a request is served::

    from core.http import Application, route, request

    @route("/hello", auth="public")
    def hello():
        return f"Hello {request.env.user.name}"
"""
from ..rpc.errors import SessionExpired
from .application import Application
from .controllers import safe_redirect_target
from .request import Request, request
from .routing import Controller, Routes, RoutesFrozenError, route
from .sessions import SESSION_LIFETIME, Session, SessionStore

__all__ = ["Application", "Controller", "Request", "Routes", "RoutesFrozenError", "SESSION_LIFETIME",
           "Session", "SessionExpired", "SessionStore", "request", "route", "safe_redirect_target"]
