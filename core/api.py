"""Environments and method decorators.

Owns :class:`Environment` — the triple (cursor, user, context) plus the superuser
flag through which all model code reaches the database — and the decorators that
declare how model methods relate to fields (``depends``, ``constrains``,
``onchange``, ``ondelete``) or to the recordset (``model``, ``model_create_multi``).
It does not own the cache itself (``core.models.cache``) nor transactions
(``core.db``).
"""
import functools
from collections.abc import Mapping
from types import MappingProxyType

SUPERUSER_ID = 1


# ---------------------------------------------------------------- decorators
def _attach(name, value):
    def decorate(method):
        setattr(method, name, value)
        return method
    return decorate


def depends(*paths):
    """Declare the field paths a compute method reads (``'line_ids.amount'``).

    A single callable argument is accepted too: it receives the model and returns
    the paths, for dependencies that are only known once the model is assembled.
    """
    if len(paths) == 1 and callable(paths[0]):
        return _attach("_depends", paths[0])
    for path in paths:
        if not isinstance(path, str) or not path:
            raise ValueError(f"@depends expects field paths as strings, got {path!r}")
        if path == "id" or path.startswith("id."):
            raise ValueError("a compute method may not depend on 'id'")
    return _attach("_depends", paths)


def depends_context(*keys):
    """Declare the context keys a non-stored compute reads (``'lang'``, ``'uid'``)."""
    return _attach("_depends_context", keys)


def constrains(*names):
    """Run the method after create / write when one of these fields is written.

    The method raises :class:`~core.exceptions.ValidationError` to refuse the data.
    Dotted names are ignored, as in Odoo.
    """
    return _attach("_constrains", tuple(n for n in names if "." not in n))


def onchange(*names):
    """Run the method on a draft record in forms when one of these fields changes."""
    for name in names:
        if "." in name:
            raise ValueError(f"@onchange does not support dotted names: {name!r}")
    return _attach("_onchange", names)


def ondelete(*, at_uninstall):
    """Guard ``unlink``: the method raises to refuse deleting records.

    With ``at_uninstall=False`` the guard is skipped while an addon is uninstalled.
    """
    return _attach("_ondelete", at_uninstall)


def model(method):
    """The method works on the model, not on records: RPC passes no ids."""
    method._api = "model"
    return method


def model_create_multi(method):
    """``create`` takes a list of dicts; a single dict is wrapped into a list."""
    @functools.wraps(method)
    def create(self, vals_list):
        if isinstance(vals_list, Mapping):
            vals_list = [vals_list]
        return method(self, vals_list)
    create._api = "model_create"
    return create


def private(method):
    """The method cannot be called over RPC even though its name is public."""
    method._api_private = True
    return method


def returns(model_name, downgrade=None, upgrade=None):
    """Kept for compatibility: tells RPC how to downgrade a returned recordset."""
    return _attach("_returns", (model_name, downgrade, upgrade))


# ---------------------------------------------------------------- environment
class Environment(Mapping):
    """Access to models for one user and context, inside one transaction.

    ``env["res.partner"]`` gives an empty recordset of that model.  Environments
    are cheap: ``with_context`` / ``with_user`` / ``sudo`` create new ones that share
    the cursor and the transaction's cache.
    """

    __slots__ = ("cr", "uid", "context", "su", "registry", "transaction", "_cache_key")

    def __init__(self, cr, uid, context=None, su=False):
        self.cr = cr
        self.uid = uid
        self.context = MappingProxyType(dict(context or {}))
        self.su = bool(su) or uid == SUPERUSER_ID
        self.registry = cr.registry
        self.transaction = cr.transaction
        self._cache_key = None

    # --- Mapping protocol over model names
    def __getitem__(self, model_name):
        try:
            cls = self.registry.models[model_name]
        except KeyError:
            raise KeyError(f"unknown model {model_name!r}") from None
        return cls(self, (), ())

    def __iter__(self):
        return iter(self.registry.models)

    def __len__(self):
        return len(self.registry.models)

    def __contains__(self, model_name):
        return model_name in self.registry.models

    def __eq__(self, other):
        return (isinstance(other, Environment) and self.cr is other.cr and self.uid == other.uid
                and self.su == other.su and self.context == other.context)

    def __hash__(self):
        return hash((id(self.cr), self.uid, self.su, tuple(sorted(self.context.items(), key=repr))))

    def __repr__(self):
        return f"<Environment uid={self.uid} su={self.su} context={dict(self.context)!r}>"

    # --- derived environments
    def __call__(self, cr=None, user=None, context=None, su=None):
        uid = self.uid if user is None else (user if isinstance(user, int) else user.id)
        return Environment(
            self.cr if cr is None else cr,
            uid,
            self.context if context is None else context,
            self.su if su is None and user is None else bool(su),
        )

    @property
    def lang(self):
        return self.context.get("lang") or "en_US"

    @property
    def user(self):
        return self(su=True)["res.users"].browse(self.uid)

    @property
    def company(self):
        ids = self.context.get("allowed_company_ids")
        if ids:
            return self(su=True)["res.company"].browse(ids[0])
        return self.user.company_id

    @property
    def companies(self):
        ids = self.context.get("allowed_company_ids")
        if ids:
            return self(su=True)["res.company"].browse(ids)
        return self.user.company_ids

    def is_superuser(self):
        return self.su

    def ref(self, xml_id, raise_if_not_found=True):
        """The record of an external id ``module.name`` (needs the base addon)."""
        return self["ir.model.data"]._xmlid_to_record(xml_id, raise_if_not_found)

    # --- cache / flush knobs
    @property
    def cache(self):
        return self.transaction.cache

    def flush_all(self):
        self.transaction.flush(self)

    def invalidate_all(self):
        self.transaction.flush(self)
        self.transaction.cache.clear()
