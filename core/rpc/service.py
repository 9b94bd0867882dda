"""The services of the external API — ``common``, ``object`` and ``db`` — whatever the wire.

XML-RPC (``/xmlrpc/2/<service>``) and JSON-RPC (``/jsonrpc``) both end in
:func:`dispatch`, which calls the service's method with the positional parameters
the client sent.  Each call that touches a database is ONE transaction
(``registry.run``): the credentials are checked, the method runs with the caller's
access rights and record rules, and everything is committed together or, on any
error, rolled back.  The result leaves through :func:`~core.rpc.marshal.to_wire`.

:func:`call_kw` is the one place where a remote call becomes a method call on a
model — shared by ``execute_kw``, the web client's ``/web/dataset/call_kw`` and
JSON-2: which methods may be called (:mod:`core.rpc.describe`), which take ids
first, how a returned recordset is sent back.

It does not own the HTTP side (``xmlrpc.py``, ``jsonrpc.py``), the marshalling
(``marshal.py``), the error shapes (``errors.py``) nor database management
(``db_service.py``).
"""
import inspect
from collections.abc import Mapping

from .. import release
from ..api import SUPERUSER_ID, Environment
from ..exceptions import AccessDenied, UserError
from . import describe
from .errors import caller_mistakes
from .marshal import to_wire

SERVICES = ("common", "object", "db")


def dispatch(app, service, method, params, *, xmlrpc=False):
    """The wire-ready result of ``service.method(*params)`` on application ``app``."""
    with caller_mistakes():
        return _dispatch(app, service, method, params, xmlrpc)


def _dispatch(app, service, method, params, xmlrpc):
    if service == "db":
        try:
            return to_wire(app.db_service().dispatch(method, list(params)), xmlrpc=xmlrpc)
        finally:
            app.catalog_changed()
    handlers = {"common": COMMON, "object": OBJECT}.get(service)
    if handlers is None:
        raise UserError(f"There is no service {service!r}: the services are {', '.join(SERVICES)}.")
    function = handlers.get(method)
    if function is None:
        raise UserError(f"The {service} service has no method {method!r}: it has "
                        f"{', '.join(sorted(handlers))}.")
    check_arguments(function, f"{service}.{method}", [app, *params], {}, skip=1)
    return function(app, *params, xmlrpc=xmlrpc)


def check_arguments(function, label, args, kwargs, skip=0):
    """TypeError naming ``label`` and its parameters when ``args``/``kwargs`` do not fit."""
    signature = inspect.signature(function)
    try:
        signature.bind(*args, **kwargs)
    except TypeError as exc:
        shown = [p for i, p in enumerate(signature.parameters.values())
                 if i >= skip and p.kind is not p.KEYWORD_ONLY]
        raise TypeError(f"{label}({', '.join(str(p) for p in shown)}): {exc}") from None


# ---------------------------------------------------------------- common
def version(app, *, xmlrpc=False):
    return release.version_info()


def login(app, db, login, password, *, xmlrpc=False):
    return authenticate(app, db, login, password, {}, xmlrpc=xmlrpc)


def authenticate(app, db, login, password, user_agent_env=None, *, xmlrpc=False):
    """The uid of ``login`` on ``db`` if ``password`` (or an API key) is theirs, else False."""
    def check(cr):
        return Environment(cr, SUPERUSER_ID, {})["res.users"].authenticate(login, password)
    try:
        return app.run_in(db, check)
    except AccessDenied:
        return False


def about(app, extended=False, *, xmlrpc=False):
    """Legacy: a line about the server (and its version when ``extended``)."""
    text = "Tessera, an Odoo-style business application framework"
    return [text, release.version] if extended else text


COMMON = {"version": version, "login": login, "authenticate": authenticate, "about": about}


# ---------------------------------------------------------------- object
def execute(app, db, uid, password, model, method, *args, xmlrpc=False):
    return execute_kw(app, db, uid, password, model, method, list(args), {}, xmlrpc=xmlrpc)


def execute_kw(app, db, uid, password, model, method, args=(), kwargs=None, *, xmlrpc=False):
    """``model.method(*args, **kwargs)`` as user ``uid``, in one transaction."""
    if not isinstance(args, (list, tuple)):
        raise TypeError(f"execute_kw: the arguments of {model}.{method} must be a list, got {args!r:.80}")
    if kwargs is not None and not isinstance(kwargs, Mapping):
        raise TypeError(f"execute_kw: the keyword arguments of {model}.{method} must be a struct / "
                        f"object, got {kwargs!r:.80}")
    kwargs = dict(kwargs or {})
    context = kwargs.pop("context", None) or {}
    if not isinstance(context, Mapping):
        raise TypeError(f"execute_kw: the context must be a struct / object, got {context!r:.80}")

    def call(cr):
        Environment(cr, SUPERUSER_ID, {})["res.users"]._check_uid_password(uid, password)
        env = Environment(cr, uid, dict(context))
        return to_wire(call_kw(model_of(env, model), method, args, kwargs), xmlrpc=xmlrpc)
    return app.run_in(db, call)


OBJECT = {"execute": execute, "execute_kw": execute_kw}


# ---------------------------------------------------------------- calling a model
def model_of(env, name):
    """``env[name]``, or the error Odoo gives for a model that does not exist."""
    if not isinstance(name, str) or name not in env:
        raise UserError(f"Object {name} doesn't exist")
    return env[name]


def call_kw(model, name, args, kwargs):
    """Call the public method ``name`` of ``model`` the way Odoo's ``call_kw`` does.

    Model-level methods (``@api.model``, ``create``) get ``args`` as they are; any
    other method gets the records whose ids are the first of ``args``.  A returned
    recordset goes back as its ids — ``create`` of a single dict as one id.
    """
    with caller_mistakes():
        return _call_kw(model, name, args, kwargs)


def _call_kw(model, name, args, kwargs):
    method = describe.rpc_method(model, name)
    args, kwargs = list(args), dict(kwargs)
    if describe.is_model_method(method):
        records = model
    else:
        if not args:
            raise TypeError(f"{model._name}.{name}() works on records: pass their ids as the first argument")
        records = model.browse(record_ids(args.pop(0), f"{model._name}.{name}()"))
    bound = getattr(records, name)
    check_arguments(bound, f"{model._name}.{name}", args, kwargs)
    result = bound(*args, **kwargs)
    return downgrade(method, args, result)


def record_ids(value, label):
    """``value`` as a list of ids: one id or a list of ids, nothing else."""
    if isinstance(value, int) and not isinstance(value, bool):
        return [value]
    if isinstance(value, (list, tuple)) and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        return list(value)
    raise TypeError(f"{label}: the first argument must be a record id or a list of ids, got {value!r:.80}")


def downgrade(method, args, result):
    """What a method's result looks like on the wire, before marshalling."""
    returns = getattr(method, "_returns", None)
    if returns and callable(returns[1]) and _is_recordset(result):
        return returns[1](result)
    if getattr(method, "_api", None) == "model_create" and args and isinstance(args[0], Mapping) \
            and _is_recordset(result):
        return result.id
    return result


def _is_recordset(value):
    return hasattr(value, "_ids") and hasattr(value, "_name")
