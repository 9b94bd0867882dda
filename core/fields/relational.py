"""Relational fields: Many2one, One2many, Many2many, and x2many write commands."""
import enum

import sqlalchemy as sa

from .base import Field

ONDELETE = ("set null", "restrict", "cascade")


class Command(enum.IntEnum):
    """Write commands for one2many / many2many values.

    ``Command.create(vals)`` builds the tuple ``(0, 0, vals)`` and so on; Odoo's
    numeric tuples, as RPC clients send them, are accepted everywhere too.
    """

    CREATE = 0
    UPDATE = 1
    DELETE = 2
    UNLINK = 3
    LINK = 4
    CLEAR = 5
    SET = 6

    @classmethod
    def create(cls, values):
        return (cls.CREATE, 0, values)

    @classmethod
    def update(cls, id, values):
        return (cls.UPDATE, id, values)

    @classmethod
    def delete(cls, id):
        return (cls.DELETE, id, 0)

    @classmethod
    def unlink(cls, id):
        return (cls.UNLINK, id, 0)

    @classmethod
    def link(cls, id):
        return (cls.LINK, id, 0)

    @classmethod
    def clear(cls):
        return (cls.CLEAR, 0, 0)

    @classmethod
    def set(cls, ids):
        return (cls.SET, 0, list(ids))


def _as_id(value, field):
    """An id from an int, a one-record recordset or an ``[id, name]`` pair."""
    from ..models.base import BaseModel
    if isinstance(value, BaseModel):
        if len(value._ids) > 1:
            raise field.validation_error(value, "a single record was expected")
        return value._ids[0] if value._ids else None
    if isinstance(value, (list, tuple)) and value:
        value = value[0]
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, str) and value.isdigit():
            return int(value)
        raise field.validation_error(value, f"an id of {field.comodel_name} was expected")
    return value


class _Relational(Field):
    relational = True

    def check_args(self, model, name, args):
        comodel = args.get("comodel_name")
        if not comodel and not args.get("related"):
            raise ValueError(f"{model}.{name}: {type(self).__name__} needs a comodel name")

    def setup(self, model_cls, name):
        super().setup(model_cls, name)
        self.comodel_name = self._args.get("comodel_name")
        self.domain = self._args.get("domain", [])
        self.context = self._args.get("context", {})
        self.auto_join = bool(self._args.get("auto_join", False))
        self.check_company = bool(self._args.get("check_company", False))

    def setup_relation(self, registry):
        """Called once every model exists: check the comodel."""
        if self.comodel_name not in registry.models:
            raise ValueError(
                f"{self.model_name}.{self.name}: comodel {self.comodel_name!r} does not exist "
                f"(declared in addon {self.module!r}; is its addon a dependency?)")

    def get_description(self, env):
        desc = super().get_description(env)
        desc["relation"] = self.comodel_name
        desc["domain"] = self.domain if not callable(self.domain) else []
        desc["context"] = dict(self.context)
        return desc


class Many2one(_Relational):
    type = "many2one"
    column_type = sa.Integer()
    extra_args = frozenset({"comodel_name", "ondelete", "domain", "auto_join", "delegate",
                            "check_company"})

    def __init__(self, comodel_name=None, string=None, **kwargs):
        if comodel_name is not None:
            kwargs["comodel_name"] = comodel_name
        if string is not None:
            kwargs["string"] = string
        super().__init__(**kwargs)

    def check_args(self, model, name, args):
        super().check_args(model, name, args)
        ondelete = args.get("ondelete", "set null")
        if ondelete not in ONDELETE:
            raise ValueError(f"{model}.{name}: ondelete must be one of {ONDELETE}, got {ondelete!r}")
        if ondelete == "set null" and args.get("required") and "ondelete" in args:
            raise ValueError(f"{model}.{name}: a required many2one cannot use ondelete='set null'")

    def setup(self, model_cls, name):
        super().setup(model_cls, name)
        self.ondelete = self._args.get("ondelete") or ("restrict" if self.required else "set null")
        self.delegate = bool(self._args.get("delegate", False))

    def convert_to_cache(self, value, record, validate=True):
        if value is None or value is False:
            return None
        return _as_id(value, self)

    def convert_to_record(self, value, record):
        env = record.env
        comodel = env.registry.models[self.comodel_name]
        if value is None:
            return comodel(env, (), ())
        return comodel(env, (value,), _M2OPrefetch(self, record))

    def convert_to_read(self, value, record, use_display_name=True):
        # read() resolves display names in one batch; this path serves single values
        if not value:
            return False
        return (value.id, value.sudo().display_name) if use_display_name else value.id

    def convert_to_write(self, value, record):
        return value.id if value else False

class _M2OPrefetch:
    """Prefetch ids of a many2one value: the field's values over the source prefetch set.

    Iterated lazily, so browsing one partner of 80 orders lets reading its name
    fetch the names of all 80 partners at once.
    """

    __slots__ = ("field", "record")

    def __init__(self, field, record):
        self.field = field
        self.record = record

    def __iter__(self):
        values = self.record.env.transaction.cache.get_field(self.field)
        seen = set()
        for rid in self.record._prefetch_ids:
            value = values.get(rid)
            if value is not None and value not in seen:
                seen.add(value)
                yield value


class _X2many(_Relational):
    null_value = ()

    def setup(self, model_cls, name):
        super().setup(model_cls, name)
        self.copy = bool(self._args.get("copy", False))

    @property
    def column(self):
        return False

    @property
    def sortable(self):
        return False

    def convert_to_cache(self, value, record, validate=True):
        """Cache holds a tuple of ids.  Accepts ids, recordsets, or SET-like commands."""
        from ..models.base import BaseModel
        if not value:
            return ()
        if isinstance(value, BaseModel):
            return tuple(value._ids)
        if isinstance(value, (list, tuple)):
            if all(isinstance(v, int) and not isinstance(v, bool) for v in value):
                return tuple(value)
            if len(value) == 1 and isinstance(value[0], (list, tuple)) and value[0][0] == Command.SET:
                return tuple(value[0][2])
        raise self.validation_error(value, "a list of ids was expected")

    def convert_to_record(self, value, record):
        comodel = record.env.registry.models[self.comodel_name]
        return comodel(record.env, tuple(value or ()), _X2MPrefetch(self, record))

    def convert_to_read(self, value, record, use_display_name=True):
        return list(value._ids)

    def convert_to_write(self, value, record):
        return [Command.set(value._ids)]

    @staticmethod
    def normalize_commands(field, value):
        """Odoo's numeric tuples, Command tuples, a bare id list or a recordset -> commands."""
        from ..models.base import BaseModel
        if value is False or value is None:
            return [(Command.CLEAR, 0, 0)]
        if isinstance(value, BaseModel):
            return [(Command.SET, 0, list(value._ids))]
        if not isinstance(value, (list, tuple)):
            raise field.validation_error(value, "a list of commands was expected")
        commands = []
        for item in value:
            if isinstance(item, int) and not isinstance(item, bool):
                commands.append((Command.LINK, item, 0))
                continue
            if isinstance(item, BaseModel):
                commands.extend((Command.LINK, rid, 0) for rid in item._ids)
                continue
            if not isinstance(item, (list, tuple)) or not item:
                raise field.validation_error(item, "an x2many command tuple was expected")
            try:
                code = Command(item[0])
            except (ValueError, TypeError):
                raise field.validation_error(item, "unknown x2many command") from None
            item = tuple(item) + (0,) * (3 - len(item))
            if code in (Command.CREATE, Command.UPDATE) and not isinstance(item[2], dict):
                raise field.validation_error(item, "a dict of values was expected in the command")
            if code == Command.SET:
                ids = item[2] or []
                commands.append((code, 0, [_as_id(i, field) for i in ids]))
            elif code in (Command.CREATE, Command.CLEAR):
                commands.append((code, 0, item[2] if code == Command.CREATE else 0))
            else:
                commands.append((code, _as_id(item[1], field), item[2]))
        return commands


class _X2MPrefetch:
    """Prefetch ids of an x2many value: all values of the field over the source prefetch set."""

    __slots__ = ("field", "record")

    def __init__(self, field, record):
        self.field = field
        self.record = record

    def __iter__(self):
        values = self.record.env.transaction.cache.get_field(self.field)
        seen = set()
        for rid in self.record._prefetch_ids:
            for value in values.get(rid, ()):
                if value not in seen:
                    seen.add(value)
                    yield value


class One2many(_X2many):
    type = "one2many"
    extra_args = frozenset({"comodel_name", "inverse_name", "domain", "auto_join", "limit",
                            "check_company"})

    def __init__(self, comodel_name=None, inverse_name=None, string=None, **kwargs):
        if comodel_name is not None:
            kwargs["comodel_name"] = comodel_name
        if inverse_name is not None:
            kwargs["inverse_name"] = inverse_name
        if string is not None:
            kwargs["string"] = string
        super().__init__(**kwargs)

    def check_args(self, model, name, args):
        super().check_args(model, name, args)
        if not args.get("inverse_name") and not args.get("related") and not args.get("compute"):
            raise ValueError(f"{model}.{name}: One2many needs an inverse_name")

    def setup(self, model_cls, name):
        super().setup(model_cls, name)
        self.inverse_name = self._args.get("inverse_name")
        self.limit = self._args.get("limit")

    def setup_relation(self, registry):
        super().setup_relation(registry)
        if self.inverse_name and self.store:
            comodel = registry.models[self.comodel_name]
            inverse = comodel._fields.get(self.inverse_name)
            if inverse is None or inverse.type not in ("many2one", "integer"):
                raise ValueError(
                    f"{self.model_name}.{self.name}: inverse field {self.comodel_name}."
                    f"{self.inverse_name} does not exist or is not a many2one")

    def get_description(self, env):
        desc = super().get_description(env)
        desc["relation_field"] = self.inverse_name
        return desc


class Many2many(_X2many):
    type = "many2many"
    extra_args = frozenset({"comodel_name", "relation", "column1", "column2", "domain",
                            "check_company", "auto_join"})

    def __init__(self, comodel_name=None, relation=None, column1=None, column2=None,
                 string=None, **kwargs):
        for key, value in (("comodel_name", comodel_name), ("relation", relation),
                           ("column1", column1), ("column2", column2), ("string", string)):
            if value is not None:
                kwargs[key] = value
        super().__init__(**kwargs)

    def setup_relation(self, registry):
        super().setup_relation(registry)
        if not self.store:
            return
        table = registry.models[self.model_name]._table
        cotable = registry.models[self.comodel_name]._table
        relation = self._args.get("relation")
        column1 = self._args.get("column1")
        column2 = self._args.get("column2")
        if not relation:
            relation = "%s_%s_rel" % tuple(sorted([table, cotable]))
        if not column1 or not column2:
            if table == cotable:
                raise ValueError(
                    f"{self.model_name}.{self.name}: a many2many to its own model needs "
                    f"explicit column1 and column2")
            column1 = column1 or f"{table}_id"
            column2 = column2 or f"{cotable}_id"
        self.relation, self.column1, self.column2 = relation, column1, column2
