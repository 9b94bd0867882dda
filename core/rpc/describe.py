"""Which model methods a remote caller may call, and a machine-readable description of models.

This module owns the one rule that decides whether ``name`` may be called over RPC
on a model (:func:`rpc_method`, used by every dispatcher: XML-RPC, JSON-RPC, JSON-2
and the web client's ``call_kw``), whether such a method takes ids
(:func:`is_model_method`), and the description of a model's fields and public
methods as one user sees them (:func:`describe_model`, :func:`describe_models`).
It does not own dispatching, argument handling or marshalling (``core.rpc.service``,
``core.rpc.marshal``), nor access rights themselves: a public method still runs
under the caller's access rights and record rules.

The rule
--------
A method may be called remotely when it is a plain function of the model class
whose name does not start with ``_`` and which no definition in the class's MRO
marks ``@api.private``.  Checking the whole MRO means an addon that overrides a
private method without repeating the decorator does not make it public.  Field
names, properties, constants, static and class methods are not methods.

Refused names raise:

- :class:`~core.exceptions.AccessError` "Private methods (such as m.x) cannot be
  called remotely." for ``_x`` and ``@api.private`` methods (XML-RPC fault 4);
- :class:`MethodNotFound` (a UserError: XML-RPC fault 2, JSON-2 HTTP 404) when the
  model has no method of that name, or the name is a field or another attribute.

What the ORM keeps private, and why
-----------------------------------
Every public method of ``BaseModel`` is callable by any user, so these are marked
``@api.private`` in ``core/models/*.py``:

- ``sudo``, ``with_user``, ``with_env``, ``with_context``, ``with_company``: they
  change who the code runs as or under which context; over RPC the context comes
  from the call's ``context`` keyword only, and the user never changes.
- ``mapped``, ``filtered``, ``sorted``, ``grouped``, ``filtered_domain``: reading a
  field through a record checks access rights and record rules but not the field's
  ``groups``, so they would reveal fields that ``read`` refuses.
- ``copy_data``: the same field-level reading, returned as values.
- ``invalidate_recordset``, ``invalidate_model``, ``flush_model``,
  ``flush_recordset``: cache plumbing of one transaction, nothing a caller controls.
- ``init``: the schema hook run by the module loader (it may create SQL views).
- ``new``: draft records exist only inside one transaction; their NewIds mean
  nothing to a caller.
- ``browse``, ``concat``, ``union``: they only wrap ids the caller already has
  (or recordsets RPC cannot pass), checking nothing.

Kept public: ``create``, ``read``, ``write``, ``unlink``, ``copy``, ``search``,
``search_read``, ``search_count``, ``search_fetch``, ``read_group``,
``name_search``, ``name_create``, ``name_get``, ``fields_get``, ``default_get``, ``load``,
``exists``, ``ensure_one``, ``onchange``, ``check_access_rights``,
``check_access_rule``, and each addon's own public methods (``get_views``,
``action_*``, ``button_*``, ...), which run under the caller's rights.
"""
import inspect

from .. import i18n
from ..exceptions import AccessError, UserError

__all__ = ["MethodNotFound", "describe_model", "describe_models", "is_model_method",
           "public_method_names", "rpc_method"]

#: ``_api`` values of methods that receive no ids (``@api.model``, ``@api.model_create_multi``)
MODEL_APIS = ("model", "model_create")

#: what the ORM's own methods return, for the description (addon methods say it with
#: ``@api.returns`` or a return annotation)
ORM_RETURNS = {
    "create": "id, or a list of ids when given a list of dicts",
    "write": "boolean", "unlink": "boolean",
    "copy": "id", "read": "list of dicts", "search_read": "list of dicts",
    "search": "list of ids", "search_fetch": "list of ids", "exists": "list of ids",
    "ensure_one": "list of ids", "search_count": "integer",
    "read_group": "list of dicts", "name_search": "list of [id, display name]",
    "name_get": "list of [id, display name]", "name_create": "[id, display name]",
    "fields_get": "dict of field descriptions", "default_get": "dict of field values",
    "onchange": "dict with 'value' and optionally 'warning'",
    "check_access_rights": "boolean", "check_access_rule": "nothing",
}


class MethodNotFound(UserError):
    """The model has no method of the name a caller asked for."""

    http_status = 404     # JSON-2 answers "not found" (XML-RPC: fault 2, as any UserError)


# ---------------------------------------------------------------- the rule
def rpc_method(model, name):
    """The function ``name`` of ``model``'s class if it may be called over RPC.

    ``model`` is a recordset; the result is the plain function (call it as
    ``function(records, *args, **kwargs)``).  Raises AccessError for private
    methods and :class:`MethodNotFound` for anything that is not a method.
    """
    if not isinstance(name, str) or not name:
        raise MethodNotFound(f"Invalid method name {name!r} on model {model._name}: expected a non-empty string")
    if name.startswith("_"):
        raise _private(model, name)
    cls = type(model)
    definitions = [vars(klass)[name] for klass in cls.__mro__ if name in vars(klass)]
    if not definitions:
        raise MethodNotFound(f"The method '{name}' does not exist on the model '{model._name}'")
    if name in model._fields:
        raise MethodNotFound(f"'{name}' is a field of the model '{model._name}', not a method")
    function = definitions[0]
    if not inspect.isfunction(function):
        raise MethodNotFound(f"'{name}' of the model '{model._name}' is not a method that can be called")
    if any(getattr(definition, "_api_private", False) for definition in definitions):
        raise _private(model, name)
    _propagate_api(function, definitions)
    return function


def _private(model, name):
    return AccessError(f"Private methods (such as {model._name}.{name}) cannot be called remotely.")


def _propagate_api(function, definitions):
    """An override without ``@api.model`` keeps the kind of the method it overrides
    (an addon's ``search`` still takes no ids), as Odoo propagates decorators."""
    if hasattr(function, "_api"):
        return
    for definition in definitions[1:]:
        kind = getattr(definition, "_api", None)
        if kind is not None:
            function._api = kind
            return


def is_model_method(function):
    """True when RPC passes no ids to ``function`` (``@api.model`` / ``@api.model_create_multi``)."""
    return getattr(function, "_api", None) in MODEL_APIS


def public_method_names(model):
    """The names of every method of ``model`` that :func:`rpc_method` accepts, sorted."""
    names = []
    for name in sorted(dir(type(model))):
        if name.startswith("_") or name in model._fields:
            continue
        try:
            rpc_method(model, name)
        except (AccessError, MethodNotFound):
            continue
        names.append(name)
    return names


# ---------------------------------------------------------------- descriptions
def describe_models(env):
    """``[{model, name, transient, abstract}]`` of every model ``env``'s user may read."""
    result = []
    for name in sorted(env.registry.models):
        model = env[name]
        if model.check_access_rights("read", raise_exception=False):
            result.append({"model": name, "name": i18n.translate_model_description(model, env.lang),
                           "transient": bool(model._transient), "abstract": bool(model._abstract)})
    return result


def describe_model(env, model_name):
    """A JSON-able description of one model as ``env``'s user sees it.

    ``{"model", "name", "transient", "abstract", "fields": fields_get(), "methods":
    {name: {"doc", "params", "model", "returns"}}}``; fields the user may not read are
    left out (as ``fields_get`` does), and only methods :func:`rpc_method` accepts are
    listed.  Raises UserError for an unknown model and AccessError when the user may
    not read the model.
    """
    if not isinstance(model_name, str) or model_name not in env.registry.models:
        raise UserError(f"Object {model_name} doesn't exist")
    model = env[model_name]
    model.check_access_rights("read")
    methods = {name: describe_method(rpc_method(model, name), name)
               for name in public_method_names(model)}
    return {
        "model": model_name,
        "name": i18n.translate_model_description(model, env.lang),
        "transient": bool(model._transient),
        "abstract": bool(model._abstract),
        "fields": model.fields_get(),
        "methods": methods,
    }


def describe_method(function, name=None):
    """``{"doc", "params", "model", "returns"}`` of one RPC method."""
    name = name or function.__name__
    return {
        "doc": _first_paragraph(inspect.getdoc(function)),
        "params": _parameters(function),
        "model": is_model_method(function),
        "returns": _returns(function, name),
    }


def _first_paragraph(doc):
    if not doc:
        return ""
    return " ".join(doc.strip().split("\n\n", 1)[0].split())


def _parameters(function):
    """The parameters after ``self``: name, kind, and whether a caller must give it."""
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return []
    params = []
    for param in list(signature.parameters.values())[1:]:
        entry = {"name": param.name, "kind": param.kind.name.lower(),
                 "required": param.default is param.empty
                 and param.kind not in (param.VAR_POSITIONAL, param.VAR_KEYWORD)}
        if param.default is not param.empty:
            entry["default"] = _jsonable(param.default)
        params.append(entry)
    return params


def _jsonable(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)) and all(v is None or isinstance(v, (bool, int, float, str))
                                                for v in value):
        return list(value)
    return repr(value)


def _returns(function, name):
    declared = getattr(function, "_returns", None)
    if declared:
        return "records of this model" if declared[0] == "self" else f"records of {declared[0]}"
    annotation = getattr(function, "__annotations__", {}).get("return")
    if annotation is not None:
        return annotation if isinstance(annotation, str) else getattr(annotation, "__name__", repr(annotation))
    return ORM_RETURNS.get(name)
