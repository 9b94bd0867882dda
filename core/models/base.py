"""BaseModel: the recordset protocol.

A recordset is an ordered tuple of ids of one model in one environment.  This
module owns what every recordset can do without knowing about storage: identity,
iteration, set operations, environment switching (``with_context``, ``sudo``),
``mapped`` / ``filtered`` / ``sorted``, and reading one field's value through the
cache (fetching it for the whole prefetch set on a miss).

Storage (create / read / write / unlink), search, grouping and computed fields are
mixins in their own modules; :class:`BaseModel` assembles them.  ``Model``,
``AbstractModel`` and ``TransientModel`` only set class attributes — they define no
methods, so that the method resolution order of an assembled model class runs
through every addon's definitions before reaching the framework's.
"""
from .. import api
from ..exceptions import MissingError
from ..fields import Char, Datetime, Field, Integer, Many2one
from .compute import ComputeMixin
from .load import LoadMixin
from .read_group import ReadGroupMixin
from .search import SearchMixin
from .storage import StorageMixin

PREFETCH_MAX = 1000

#: definition classes in the order Python created them, collected by the loader
DEFINITIONS = []


def addon_of(python_module):
    parts = python_module.split(".")
    return parts[1] if parts[0] == "addons" and len(parts) > 1 else python_module


class BaseModel(StorageMixin, SearchMixin, ReadGroupMixin, ComputeMixin, LoadMixin):
    __slots__ = ("env", "_ids", "_prefetch_ids")

    _name = None
    _description = None
    _inherit = ()
    _inherits = {}
    _table = None
    _order = "id"
    _rec_name = None
    _rec_names_search = None
    _sql_constraints = []
    _parent_name = "parent_id"
    _parent_store = False
    _auto = False
    _abstract = True
    _transient = False
    _log_access = None
    _transient_max_hours = 1.0
    _transient_max_count = 0
    _check_company_auto = False
    _fold_name = "fold"
    _date_name = "date"
    _register = False   # framework classes are not model definitions

    # set on assembled classes by the registry
    _fields = {}
    _module = None
    _active_name = None
    _original_module = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if not cls.__dict__.get("_register", True):
            return
        cls._register = True
        cls._module = addon_of(cls.__module__)
        inherit = cls.__dict__.get("_inherit")
        name = cls.__dict__.get("_name")
        if not name and not inherit:
            raise TypeError(f"{cls.__module__}.{cls.__qualname__}: a model needs _name or _inherit")
        if name and not isinstance(name, str):
            raise TypeError(f"{cls.__qualname__}: _name must be a string")
        for attr, value in list(cls.__dict__.items()):
            if isinstance(value, Field):
                value.declare(cls, attr)
        DEFINITIONS.append(cls)

    def __init__(self, env, ids, prefetch_ids):
        self.env = env
        self._ids = ids
        self._prefetch_ids = prefetch_ids

    # ------------------------------------------------------------ identity
    @property
    def ids(self):
        return list(self._ids)

    @property
    def id(self):
        """The id of a single record; False for an empty recordset."""
        if not self._ids:
            return False
        if len(self._ids) > 1:
            raise ValueError(f"Expected singleton: {self!r}")
        return self._ids[0]

    @property
    def pool(self):
        return self.env.registry

    @api.private
    def browse(self, ids=()):
        """Records of this model with ``ids`` (an id, a list, or nothing); no query."""
        if isinstance(ids, int) and not isinstance(ids, bool):
            ids = (ids,)
        elif not ids:
            ids = ()
        else:
            ids = tuple(ids)
        return type(self)(self.env, ids, ids)

    def _browse(self, env, ids, prefetch=None):
        return type(self)(env, ids, ids if prefetch is None else prefetch)

    def __len__(self):
        return len(self._ids)

    def __bool__(self):
        return bool(self._ids)

    __nonzero__ = __bool__

    def __iter__(self):
        cls, env, prefetch = type(self), self.env, self._prefetch_ids
        if len(self._ids) > PREFETCH_MAX and prefetch is self._ids:
            for start in range(0, len(self._ids), PREFETCH_MAX):
                chunk = self._ids[start:start + PREFETCH_MAX]
                for rid in chunk:
                    yield cls(env, (rid,), chunk)
            return
        for rid in self._ids:
            yield cls(env, (rid,), prefetch)

    def __reversed__(self):
        for rid in reversed(self._ids):
            yield type(self)(self.env, (rid,), self._prefetch_ids)

    def __contains__(self, item):
        if isinstance(item, BaseModel):
            if item._name != self._name:
                raise TypeError(f"inconsistent models in: {item!r} in {self!r}")
            return len(item._ids) == 1 and item._ids[0] in self._ids
        if isinstance(item, str):
            return item in self._fields
        raise TypeError(f"unsupported operand for 'in' on {self._name}: {item!r}")

    def __getitem__(self, key):
        if isinstance(key, str):
            return self._fields[key].__get__(self, type(self)) if key in self._fields \
                else self._missing_field(key)
        if isinstance(key, slice):
            return self._browse(self.env, self._ids[key], self._prefetch_ids)
        return self._browse(self.env, (self._ids[key],), self._prefetch_ids)

    def __setitem__(self, key, value):
        if key not in self._fields:
            self._missing_field(key)
        setattr(self, key, value)

    def _missing_field(self, name):
        raise KeyError(f"Invalid field {name!r} on model {self._name!r}")

    def __eq__(self, other):
        if not isinstance(other, BaseModel):
            return NotImplemented if other is not None else False
        return self._name == other._name and set(self._ids) == set(other._ids)

    def __ne__(self, other):
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    def __hash__(self):
        return hash((self._name, frozenset(self._ids)))

    def __repr__(self):
        return f"{self._name}{self._ids!r}"

    def _check_same_model(self, other, op):
        if not isinstance(other, BaseModel) or other._name != self._name:
            raise TypeError(f"inconsistent models in: {self!r} {op} {other!r}")

    def __add__(self, other):
        self._check_same_model(other, "+")
        return self.browse(self._ids + other._ids)

    @api.private
    def concat(self, *others):
        ids = list(self._ids)
        for other in others:
            self._check_same_model(other, "+")
            ids.extend(other._ids)
        return self.browse(ids)

    def __or__(self, other):
        self._check_same_model(other, "|")
        return self.browse(dict.fromkeys(self._ids + other._ids))

    @api.private
    def union(self, *others):
        result = self
        for other in others:
            result = result | other
        return result | self.browse()

    def __and__(self, other):
        self._check_same_model(other, "&")
        keep = set(other._ids)
        return self.browse(dict.fromkeys(i for i in self._ids if i in keep))

    def __sub__(self, other):
        self._check_same_model(other, "-")
        drop = set(other._ids)
        return self.browse([i for i in self._ids if i not in drop])

    def ensure_one(self):
        """Return self if it holds exactly one record; raise ValueError otherwise."""
        if len(self._ids) != 1:
            raise ValueError(f"Expected singleton: {self!r}")
        return self

    # ------------------------------------------------------------ environment
    @api.private
    def with_env(self, env):
        return type(self)(env, self._ids, self._prefetch_ids)

    @api.private
    def with_context(self, *args, **kwargs):
        """The same records with a new context (a dict replaces it; keywords update it)."""
        context = dict(args[0] if args else self.env.context, **kwargs)
        return self.with_env(self.env(context=context))

    @api.private
    def with_user(self, user):
        """The same records for another user, without superuser mode."""
        uid = user if isinstance(user, int) else user.id
        return self.with_env(api.Environment(self.env.cr, uid, self.env.context, su=False))

    @api.private
    def with_company(self, company):
        cid = company if isinstance(company, int) else company.id
        ids = list(self.env.context.get("allowed_company_ids") or [])
        ids = [cid] + [i for i in ids if i != cid]
        return self.with_context(allowed_company_ids=ids)

    @api.private
    def sudo(self, flag=True):
        """The same records in superuser mode: access rules do not apply."""
        if bool(flag) == self.env.su:
            return self
        return self.with_env(self.env(su=flag))

    # ------------------------------------------------------------ functional helpers
    @api.private
    def mapped(self, func):
        """Values of a field path (recordsets are unioned) or of a function, per record."""
        if not func:
            return self
        if isinstance(func, str):
            records = self
            *path, last = func.split(".")
            for name in path:
                records = records._mapped_one(name)
            return records._mapped_one(last)
        values = [func(record) for record in self]
        if values and all(isinstance(v, BaseModel) for v in values):
            return values[0].union(*values[1:])
        return values

    def _mapped_one(self, name):
        field = self._fields.get(name)
        if field is None:
            self._missing_field(name)
        if field.relational:
            comodel = self.env[field.comodel_name]
            ids = []
            for record in self:
                ids.extend(record[name]._ids)
            return comodel.browse(dict.fromkeys(ids))
        return [record[name] for record in self]

    @api.private
    def filtered(self, func):
        """Records for which ``func`` (a callable or a field path) is truthy."""
        if isinstance(func, str):
            name = func
            func = lambda rec: any(rec.mapped(name))  # noqa: E731
        return self.browse([rec.id for rec in self if func(rec)])

    @api.private
    def grouped(self, key):
        groups = {}
        for record in self:
            value = record[key] if isinstance(key, str) else key(record)
            groups.setdefault(value, []).append(record.id)
        return {value: self.browse(ids) for value, ids in groups.items()}

    @api.private
    def sorted(self, key=None, reverse=False):
        """Records sorted by ``key`` (a callable or a field name); by ``_order`` without key."""
        if key is None:
            if not self._ids:
                return self
            ordered = self.with_context(active_test=False).search(
                [("id", "in", list(self._ids))], order=self._order)
            ids = list(ordered._ids)
            return self.browse(reversed(ids) if reverse else ids)
        if isinstance(key, str):
            name = key
            key = lambda rec: _sort_key(rec[name])  # noqa: E731
        return self.browse([rec.id for rec in sorted(self, key=key, reverse=reverse)])

    # ------------------------------------------------------------ cache / values
    def _cache_key(self, field):
        """Where the cache keeps ``field``'s values for this environment: the field itself,
        or ``(field, values of its depends_context)`` for a non-stored computed field whose
        value depends on the user, superuser mode or a context key."""
        keys = field.depends_context
        if not keys or field.store:
            return field
        env = self.env
        values = []
        for key in keys:
            if key == "uid":
                values.append(env.uid)
            elif key == "su":
                values.append(env.su and not field.compute_sudo)   # compute_sudo: always su
            else:
                value = env.context.get(key)
                values.append(tuple(value) if isinstance(value, list) else value)
        return (field, tuple(values))

    def _get_value(self, field):
        """The cache value of ``field`` for this single record, fetching on a miss."""
        rid = self._ids[0]
        cache = self.env.transaction.cache
        tocompute = self.env.transaction.tocompute.get(field)
        if tocompute and rid in tocompute:
            self._recompute_stored(field, tocompute & set(self._prefetch_ids) | {rid})
        data = cache.get_field(self._cache_key(field))
        if rid in data and not (field.type in ("one2many", "many2many")
                                and not self.env.context.get("active_test", True)
                                and self.env.registry.models[field.comodel_name]._active_name):
            return data[rid]
        if not isinstance(rid, int):
            if field.compute or field.related:
                self._run_compute(self._fields_sharing_compute(field), self._browse(self.env, (rid,), (rid,)))
            return data.get(rid)
        if field.store and field.name != "id":
            return self._fetch_field(field)
        if field.compute or field.related:
            self._compute_missing(field)
            return data.get(rid) if rid in data else self._compute_missing(field, force=True)
        if field.name == "id":
            return rid
        return None

    def _prefetch_ids_for(self, field):
        """This record's id plus up to PREFETCH_MAX ids of its prefetch set lacking ``field``."""
        rid = self._ids[0]
        data = self.env.transaction.cache.get_field(field)
        ids = [rid]
        for other in self._prefetch_ids:
            if len(ids) >= PREFETCH_MAX:
                break
            if other != rid and other not in data and isinstance(other, int):
                ids.append(other)
        return ids

    def _set_value(self, field, value):
        record = self.ensure_one()
        transaction = self.env.transaction
        rid = record._ids[0]
        if transaction.is_protected(field, rid):
            transaction.cache.set(record._cache_key(field), rid, field.convert_to_cache(value, record))
            return
        if not isinstance(rid, int):
            # a draft record (onchange): the value lives in the cache, and what depends on it
            # on the same record is computed again when read
            if field.type in ("one2many", "many2many"):
                value = record._new_x2many(field, value) if not hasattr(value, "_ids") else value._ids
            transaction.cache.set(field, rid, field.convert_to_cache(value, record, validate=False))
            for dependent, path in self.env.registry.triggers.get((self._name, field.name), ()):
                if not path:
                    transaction.cache.invalidate([dependent], [rid])
            return
        record.write({field.name: value})

    @api.private
    def invalidate_recordset(self, fnames=None):
        fields = None if fnames is None else [self._fields[name] for name in fnames]
        if fields is None:
            fields = list(self._fields.values())
        self.env.transaction.cache.invalidate(fields, self._ids)

    @api.private
    def invalidate_model(self, fnames=None):
        fields = list(self._fields.values()) if fnames is None else [self._fields[n] for n in fnames]
        self.env.transaction.cache.invalidate(fields)

    @api.private
    def flush_model(self, fnames=None):
        self.env.transaction.flush(self.env)

    @api.private
    def flush_recordset(self, fnames=None):
        self.env.transaction.flush(self.env)

    def _raise_missing(self, missing_ids):
        raise MissingError(
            f"Record does not exist or has been deleted. "
            f"(Records: {self._name}({', '.join(map(str, missing_ids))}), User: {self.env.uid})")

    # ------------------------------------------------------------ display name
    def _compute_display_name(self):
        name = self._rec_name
        for record in self:
            if name:
                value = record[name]
                record.display_name = str(value) if value is not False else False
            else:
                record.display_name = f"{self._name},{record.id}"

    def _search_display_name(self, operator, value):
        """Search the display name through the fields it is made of."""
        from ..domain import AND, NEGATIVE_OPERATORS, OR
        names = self._rec_names_search or ([self._rec_name] if self._rec_name else ["id"])
        combine = AND if operator in NEGATIVE_OPERATORS else OR
        return combine([[(name, operator, value)] for name in names])

    @api.private
    def init(self):
        """Called after the schema is synchronised; models with ``_auto = False``
        create their SQL view here."""

    def name_get(self):
        """Deprecated since Odoo 17: ``[(id, display_name)]``."""
        return [(record.id, record.display_name) for record in self]


def _sort_key(value):
    if isinstance(value, BaseModel):
        return value._ids
    return (value is False or value is None, value if value not in (False, None) else 0)


class AbstractModel(BaseModel):
    """A model without a table, for mixins (``mail.thread``)."""

    _register = False
    _auto = False
    _abstract = True
    _transient = False


class Model(BaseModel):
    """A persisted model: one table."""

    _register = False
    _auto = True
    _abstract = False
    _transient = False


class TransientModel(Model):
    """Wizard records: stored, and removed by ``_transient_vacuum`` after a while."""

    _register = False
    _transient = True


def magic_fields(model_cls, has_users):
    """The automatic fields every model gets (``id``, display_name, log access)."""
    fields = {
        "id": Integer(string="ID", readonly=True),
        "display_name": Char(string="Display Name", compute="_compute_display_name",
                             search="_search_display_name"),
    }
    if model_cls._log_access:
        user_field = (lambda s: Many2one("res.users", string=s, readonly=True, ondelete="set null")) \
            if has_users else (lambda s: Integer(string=s, readonly=True))
        fields.update({
            "create_uid": user_field("Created by"),
            "create_date": Datetime(string="Created on", readonly=True),
            "write_uid": user_field("Last Updated by"),
            "write_date": Datetime(string="Last Updated on", readonly=True),
        })
    return fields


