"""Routes: the ``@route`` decorator and the route collection an application serves.

A route is a plain function (or a method of a controller class) marked with
``@route``; a :class:`Routes` collection gathers them — the framework's own, then
those each installed addon adds through the ``register_routes(routes)`` hook — and
turns them into a werkzeug ``Map``.  Once the application serves its first request
the collection is frozen: adding a route then raises, as Flask's setup methods do,
because workers that already serve would not all see it.

This module only declares and collects; dispatching, sessions and transactions
belong to ``application.py``.
"""
import inspect
from dataclasses import dataclass

from werkzeug.routing import Map, Rule

AUTH_MODES = ("user", "public", "none")
TYPES = ("http", "json")


@dataclass(frozen=True)
class RouteInfo:
    """What ``@route`` declared about a handler."""

    paths: tuple
    methods: tuple | None
    auth: str
    type: str
    csrf: bool
    database: str | None = None


def route(path, methods=None, auth="user", type="http", csrf=True, database=None):  # noqa: A002 (Odoo's name)
    """Mark a function or controller method as the handler of ``path`` (or a list of paths).

    ``auth``: ``'user'`` needs a logged-in user, ``'public'`` falls back to the public
    user, ``'none'`` gives no user environment.  ``type='json'`` routes take a JSON
    body (JSON-RPC style ``{"params": {...}}``) and answer JSON; ``type='http'`` routes
    take query and form parameters.  ``csrf`` checks the ``csrf_token`` form field of
    state-changing ``type='http'`` requests.  Paths use werkzeug's rule syntax
    (``/shop/<int:product_id>``); their arguments reach the handler as keywords.
    ``database`` names a JSON parameter that chooses the database of the call (as
    ``db`` does for ``/web/session/authenticate``); the choice is remembered in a cookie.
    """
    paths = (path,) if isinstance(path, str) else tuple(path)
    if not paths or not all(isinstance(p, str) and p.startswith("/") for p in paths):
        raise ValueError(f"@route: paths must start with '/', got {path!r}")
    if auth not in AUTH_MODES:
        raise ValueError(f"@route({paths[0]!r}): auth must be one of {AUTH_MODES}, got {auth!r}")
    if type not in TYPES:
        raise ValueError(f"@route({paths[0]!r}): type must be one of {TYPES}, got {type!r}")
    info = RouteInfo(paths, tuple(m.upper() for m in methods) if methods else None, auth, type, bool(csrf),
                     database)

    def decorate(function):
        function._route = info
        return function
    return decorate


class Controller:
    """Optional base class for controllers: a class whose methods carry ``@route``.

    ``routes.add(MyController)`` instantiates it (without arguments) once.
    """


@dataclass(frozen=True)
class Endpoint:
    """A handler with its route options, as matched by the URL map."""

    handler: object
    info: RouteInfo
    origin: str

    @property
    def name(self):
        return getattr(self.handler, "__qualname__", repr(self.handler))


class RoutesFrozenError(RuntimeError):
    """A route was added after the application started serving."""


class Routes:
    """The routes an application serves, in the order added; a later route with the
    same path replaces the earlier one (an addon overrides the framework's page)."""

    def __init__(self, origin="framework"):
        self._endpoints = {}       # path -> Endpoint, insertion ordered
        self._frozen = False
        self.origin = origin       # who is adding now (the addon, during its hook)

    def __iter__(self):
        return iter(self._endpoints.items())

    def __len__(self):
        return len(self._endpoints)

    def add(self, target):
        """Add a ``@route`` function, or every ``@route`` method of a controller class or instance."""
        self._check_open()
        if inspect.isclass(target):
            target = target()
        found = []
        if callable(target) and hasattr(target, "_route"):
            found.append(target)
        else:
            for name in sorted(dir(type(target))):
                member = getattr(target, name, None)
                if callable(member) and isinstance(getattr(member, "_route", None), RouteInfo):
                    found.append(member)
        if not found:
            raise TypeError(f"routes.add({target!r}): nothing marked with @route")
        for handler in found:
            for path in handler._route.paths:
                self._endpoints.pop(path, None)
                self._endpoints[path] = Endpoint(handler, handler._route, self.origin)
        return target

    def route(self, path, **options):
        """Decorator: ``@routes.route('/hello', auth='public')`` is ``@route`` then :meth:`add`."""
        self._check_open()

        def decorate(function):
            self.add(route(path, **options)(function))
            return function
        return decorate

    def copy(self, origin):
        other = Routes(origin)
        other._endpoints = dict(self._endpoints)
        return other

    def freeze(self):
        self._frozen = True

    @property
    def frozen(self):
        return self._frozen

    def _check_open(self):
        if self._frozen:
            raise RoutesFrozenError(
                "routes cannot be added once the application serves requests: add them before "
                "the first request (framework routes) or in an addon's register_routes hook")

    def build_map(self):
        """A werkzeug ``Map`` whose rules' endpoints are :class:`Endpoint` objects."""
        rules = []
        for path, endpoint in self._endpoints.items():
            methods = endpoint.info.methods
            if endpoint.info.type == "json" and methods is None:
                methods = ("POST",)
            rules.append(Rule(path, endpoint=endpoint, methods=methods))
        return Map(rules, strict_slashes=True)
