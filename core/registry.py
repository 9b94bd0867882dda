"""The registry: one per database, holding the assembled model classes.

How a model class is assembled
------------------------------
Addons do not define models; they contribute *definition classes*.  ``crm``
writes ``class Lead(models.Model): _name = "crm.lead"``, and ``sale_crm`` later
writes ``class Lead(models.Model): _inherit = "crm.lead"`` to add a field and wrap
a method.  Neither class is ever instantiated.  The registry reads all definitions
in load order — addons by (dependency depth, name), classes in the order their
module defines them — and keeps, per model name, the list of its definitions.

The final class of a model is built with ``type()`` from those definitions, the
latest first, followed by the definitions of the models it mixes in
(``_inherit = ["mail.thread"]`` on a new ``_name``) after its own.  Python's method
resolution order then does the rest: ``super().create(...)`` in ``sale_crm``'s class
reaches ``crm``'s, then ``mail.thread``'s, then the framework's ``BaseModel``.  This
works because ``Model`` and ``AbstractModel`` carry only class attributes: every
method of the framework sits on ``BaseModel`` at the very end of the chain.

Fields are gathered along the same order.  A field declared again by a later
definition is *merged*: its arguments update the earlier ones, so an extension can
write ``name = fields.Char(required=True)`` without repeating the rest.  Each final
model gets fresh field objects bound to it; definition classes keep their own.

Delegation (``_inherits = {"res.partner": "partner_id"}``) adds to the child one
related field per parent field, flagged ``inherited``; their values live in the
parent's table.  Finally the registry turns every ``@depends`` path into triggers
(which change makes which computed field stale) and builds the SQL tables.
"""
import logging
import random
import time

import sqlalchemy as sa

from . import cache, login_throttle
from .db import Cursor, create_engine, is_retryable
from .db import schema as schema_sync
from .fields import Char, Field, Many2one
from .models.base import BaseModel, magic_fields

_logger = logging.getLogger(__name__)


def _inherit_list(cls):
    inherit = cls.__dict__.get("_inherit") or ()
    return [inherit] if isinstance(inherit, str) else list(inherit)


class Registry:
    """Models, tables and dependency triggers of one database."""

    def __init__(self, db_uri, engine=None):
        self.db_uri = db_uri
        self.engine = engine or create_engine(db_uri)
        self.dialect = self.engine.dialect.name
        self.models = {}
        self.tables = {}
        self.metadata = sa.MetaData()
        self.triggers = {}
        self.definitions = {}        # model name -> [definition classes] in load order
        self.access_checker = None   # set by the security layer
        self.rule_builder = None
        self.group_checker = None
        self.has_trigram = False
        self.shared_cache = cache.SharedCache()   # answers kept across transactions
        # set by the module manager (core/modules) for the registry of a database's addons
        self.manager = None          # the ModuleManager that built it
        self.installed = []          # the installed addons, in load order
        self.hooks = None            # pluggy manager of their hooks.py
        self.data_dir = None         # where the file store lives
        self.db_name = None
        self._methods = {}

    # ------------------------------------------------------------ building
    @classmethod
    def new(cls, db_uri, definitions, engine=None):
        """A registry with ``definitions`` assembled and the schema synchronised."""
        registry = cls(db_uri, engine)
        registry.load(definitions)
        registry.setup_models()
        registry.sync_schema()
        registry.init_models()
        return registry

    def init_models(self, cr=None):
        """Call ``init()`` of every model that defines one (e.g. to create an SQL view)."""
        from .api import SUPERUSER_ID, Environment
        if cr is None:
            with self.cursor() as cr:
                return self.init_models(cr)
        env = Environment(cr, SUPERUSER_ID, {})
        for name, cls in self.models.items():
            if any("init" in vars(klass) for klass in cls.__mro__ if klass is not BaseModel):
                env[name].init()

    def load(self, definitions):
        """Add definition classes (in load order) to the registry."""
        for definition in definitions:
            inherit = _inherit_list(definition)
            name = definition.__dict__.get("_name") or inherit[0]
            for parent in inherit:
                if parent != name and parent not in self.definitions:
                    raise TypeError(
                        f"Model {name!r} (addon {definition._module!r}) inherits from unknown model "
                        f"{parent!r}: is the addon defining it loaded and in the dependencies?")
            if name not in self.definitions:
                if not definition.__dict__.get("_name") and name in inherit:
                    raise TypeError(
                        f"Addon {definition._module!r} extends model {name!r}, which does not exist: "
                        f"add the addon defining it to the depends of {definition._module!r}")
                self.definitions[name] = []
            self.definitions[name].append(definition)

    def _bases(self, name, upto=None):
        """The definition classes of ``name`` in method resolution order.

        The latest definition comes first, then what its ``_inherit`` names in the
        order given (the model's own earlier definitions where its name appears).
        """
        definitions = self.definitions[name]
        upto = len(definitions) if upto is None else upto
        latest = definitions[upto - 1]
        result = [latest]
        inherit = _inherit_list(latest)
        for parent in inherit:
            if parent == name:
                if upto > 1:
                    result += self._bases(name, upto - 1)
            else:
                result += self._bases(parent)
        if name not in inherit and upto > 1:
            result += self._bases(name, upto - 1)
        return list(dict.fromkeys(result))

    def setup_models(self):
        """Assemble every model class, its fields, delegations and triggers."""
        self.models = {}
        for name, definitions in self.definitions.items():
            first = definitions[0]
            attrs = {
                "_name": name,
                "_register": False,
                "_original_module": first._module,
                "_module": first._module,
                "_auto": first._auto,
                "_abstract": first._abstract,
                "_transient": first._transient,
                "__slots__": (),
            }
            try:
                cls = type(name, tuple(self._bases(name)), attrs)
            except TypeError as exc:
                raise TypeError(f"Cannot assemble model {name!r}: {exc}") from None
            self.models[name] = cls
        has_users = "res.users" in self.definitions
        for cls in self.models.values():
            self._setup_fields(cls, has_users)
        for cls in self.models.values():
            self._setup_inherits(cls, set())
        for cls in self.models.values():
            self._setup_attributes(cls)
        for cls in self.models.values():
            for field in cls._fields.values():
                if field.related and not field.inherited:
                    self._setup_related(cls, field)
        for cls in self.models.values():
            for field in cls._fields.values():
                if field.relational and not field.related and not (field.compute and not field.store):
                    field.setup_relation(self)
                elif field.relational and field.comodel_name not in self.models:
                    field.setup_relation(self)
        self._setup_triggers()
        self._methods.clear()

    def _setup_fields(self, cls, has_users):
        declared = {}
        for klass in reversed(cls.__mro__):
            for name, value in vars(klass).items():
                if isinstance(value, Field):
                    declared.setdefault(name, []).append(value)
        fields = {}
        if cls._log_access is None:
            cls._log_access = cls._auto
        for name, field in magic_fields(cls, has_users).items():
            if name not in declared:
                field.module = cls._original_module
                declared[name] = [field]
        if cls._parent_store and "parent_path" not in declared:
            field = Char(string="Parent Path", index=True)
            field.module = cls._original_module
            declared["parent_path"] = [field]
        for name, definitions in sorted(declared.items(), key=lambda item: item[1][0]._sequence):
            last = definitions[-1]
            same = [d for d in definitions if type(d) is type(last)]
            field = last.new_from(same)
            field.module = same[0].module
            fields[name] = field
        cls._fields = fields
        for name, field in fields.items():
            if name != "id":  # the ``id`` property of recordsets stays (False when empty)
                setattr(cls, name, field)
        for name, field in fields.items():
            field.setup(cls, name)
            if name == "id":
                field.store = True

    def _setup_inherits(self, cls, visiting):
        if cls._name in visiting:
            raise TypeError(f"Model {cls._name!r}: _inherits forms a cycle")
        inherits = dict(cls._inherits)
        for field in cls._fields.values():
            if getattr(field, "delegate", False):
                inherits[field.comodel_name] = field.name
        cls._inherits = inherits
        for parent_name, link in inherits.items():
            if parent_name not in self.models:
                raise TypeError(f"Model {cls._name!r} delegates to unknown model {parent_name!r}")
            link_field = cls._fields.get(link)
            if not isinstance(link_field, Many2one) or link_field.comodel_name != parent_name:
                raise TypeError(f"Model {cls._name!r}: _inherits needs a many2one {link!r} to {parent_name!r}")
            parent = self.models[parent_name]
            self._setup_inherits(parent, visiting | {cls._name})
            for name, pfield in parent._fields.items():
                if name in cls._fields or name in ("id", "display_name", "create_uid", "create_date",
                                                   "write_uid", "write_date"):
                    continue
                args = {k: v for k, v in pfield._args.items()
                        if k not in ("compute", "inverse", "search", "store", "related", "depends",
                                     "default", "index", "precompute", "compute_sudo", "readonly")}
                field = type(pfield)(**args, related=f"{link}.{name}")
                field.module = pfield.module or cls._original_module
                field._sequence = pfield._sequence
                setattr(cls, name, field)
                cls._fields[name] = field
                field.setup(cls, name)
                field.inherited = True
                field.inherited_field = pfield
                field.inherited_model = parent_name
                field.readonly = pfield.readonly
                field.required = False
                field.store = False
                field.copy = False

    def _setup_related(self, cls, field):
        """Take what a related field leaves unsaid from the field it points to."""
        model = cls
        names = field.related.split(".")
        target = None
        for position, name in enumerate(names):
            target = model._fields.get(name)
            if target is None:
                raise ValueError(f"{cls._name}.{field.name}: related path {field.related!r} names "
                                 f"unknown field {model._name}.{name}")
            if position < len(names) - 1:
                if not target.relational:
                    raise ValueError(f"{cls._name}.{field.name}: related path {field.related!r} goes "
                                     f"through {model._name}.{name}, which is not relational")
                model = self.models[target.comodel_name]
        if target.related and not target.inherited and target is not field:
            self._setup_related(model, target)
        if type(target) is not type(field):
            raise ValueError(f"{cls._name}.{field.name} is a {field.type} but its related field "
                             f"{model._name}.{target.name} is a {target.type}")
        args = field._args
        for attribute in ("comodel_name", "selection", "digits", "currency_field", "translate"):
            if attribute not in args and hasattr(target, attribute):
                setattr(field, attribute, getattr(target, attribute))
        if "string" not in args:
            field.string = target.string
        if "help" not in args:
            field.help = target.help

    def _setup_attributes(self, cls):
        fields = cls._fields
        if not cls._table:
            cls._table = cls._name.replace(".", "_")
        if cls._rec_name is None:
            cls._rec_name = "name" if "name" in fields else None
        elif cls._rec_name not in fields:
            raise ValueError(f"Model {cls._name!r}: _rec_name {cls._rec_name!r} is not a field")
        cls._active_name = next((name for name in ("active", "x_active")
                                 if name in fields and fields[name].column and not fields[name].inherited), None)
        display = fields["display_name"]
        if cls._rec_name and not display.depends:
            display.depends = (cls._rec_name,)

    def _setup_triggers(self):
        self.triggers = {}
        for cls in self.models.values():
            for field in cls._fields.values():
                if not (field.compute or field.related):
                    continue
                paths = list(field.depends)
                if field.compute and not field.related:
                    method = field.compute if callable(field.compute) else getattr(cls, field.compute, None)
                    if method is None:
                        raise ValueError(f"{cls._name}.{field.name}: compute method {field.compute!r} is missing")
                    declared = getattr(method, "_depends", ())
                    if callable(declared):
                        declared = declared(cls)
                    paths += list(declared)
                    field.depends = tuple(dict.fromkeys(paths))
                    keys = tuple(getattr(method, "_depends_context", ()))
                    field.depends_context = tuple(dict.fromkeys(tuple(field.depends_context) + keys))
                if field.related:
                    paths = [field.related]
                    field.depends = (field.related,)
                for path in paths:
                    self._add_triggers(cls, field, path)

    def _add_triggers(self, cls, field, path):
        model = cls
        parts = path.split(".")
        for i, name in enumerate(parts):
            target = model._fields.get(name)
            if target is None:
                raise ValueError(f"{cls._name}.{field.name}: dependency {path!r} names unknown field "
                                 f"{model._name}.{name}")
            prefix = ".".join(parts[:i])
            self.triggers.setdefault((model._name, name), []).append((field, prefix))
            if target.inherited:
                parent = self.models[target.inherited_model]
                link = model._inherits[target.inherited_model]
                self.triggers.setdefault((parent._name, name), []).append(
                    (field, ".".join(parts[:i] + [link])))
            if not target.relational:
                break
            if target.type == "one2many":
                self.triggers.setdefault((target.comodel_name, target.inverse_name), []).append(
                    (field, ".".join(parts[:i + 1])))
            model = self.models[target.comodel_name]

    # ------------------------------------------------------------ schema
    def sync_schema(self, connection=None):
        """Build the tables of the models and bring the database in line."""
        self.metadata = sa.MetaData()
        if self.dialect == "postgresql":
            self.has_trigram = self._ensure_trigram()
        owners = schema_sync.build_tables(self, self.dialect)
        self._describe_views()
        if connection is not None:
            cache.ensure_table(connection)
            login_throttle.ensure_table(connection)
            return schema_sync.sync(self, connection, owners)
        with self.engine.begin() as conn:
            if self.dialect == "sqlite":
                conn.exec_driver_sql("SELECT 1")
            cache.ensure_table(conn)
            login_throttle.ensure_table(conn)
            return schema_sync.sync(self, conn, owners)

    def _describe_views(self):
        """Tables of ``_auto = False`` models: described for queries, never created."""
        views = sa.MetaData()
        for name, model in self.models.items():
            if model._abstract or model._auto:
                continue
            columns = [sa.Column("id", sa.Integer, primary_key=True)]
            columns += [sa.Column(f.name, f.sql_type(self.dialect)) for f in model._fields.values()
                        if f.column and f.name != "id" and not f.inherited]
            self.tables[name] = sa.Table(model._table, views, *columns)

    def _ensure_trigram(self):
        try:
            with self.engine.begin() as conn:
                conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            return True
        except sa.exc.DBAPIError:
            _logger.info("pg_trgm is not available: trigram indexes fall back to btree")
            return False

    # ------------------------------------------------------------ transactions
    def cursor(self):
        """A new transaction (use as a context manager: commit or roll back)."""
        return Cursor(self)

    def run(self, function, retries=5):
        """Call ``function(cr)`` in a fresh transaction, retried on serialization errors.

        This is the request / RPC call boundary: everything ``function`` did is
        committed together, or rolled back on any error.
        """
        attempt = 0
        while True:
            try:
                with self.cursor() as cr:
                    return function(cr)
            except (sa.exc.OperationalError, sa.exc.DBAPIError) as exc:
                if not is_retryable(exc) or attempt >= retries:
                    raise
                attempt += 1
                _logger.info("transaction conflict (%s), retry %d/%d", exc.orig, attempt, retries)
                time.sleep(random.uniform(0.01, 0.05) * 2 ** attempt)

    # ------------------------------------------------------------ lookups for the ORM
    def fields_referencing(self, model_name):
        key = ("referencing", model_name)
        if key not in self._methods:
            self._methods[key] = [f for m in self.models.values() for f in m._fields.values()
                                  if f.relational and f.comodel_name == model_name]
        return self._methods[key]

    def fields_on_relation(self, relation):
        """The many2many fields stored in the relation table ``relation``."""
        key = ("relation", relation)
        if key not in self._methods:
            self._methods[key] = [f for m in self.models.values() for f in m._fields.values()
                                  if f.type == "many2many" and getattr(f, "relation", None) == relation]
        return self._methods[key]

    def stored_computes(self, model_name):
        key = ("stored_computes", model_name)
        if key not in self._methods:
            self._methods[key] = [f for f in self.models[model_name]._fields.values()
                                  if (f.compute or f.related) and f.store and f.column]
        return self._methods[key]

    def inverse_one2many(self, model_name, field_name):
        """The one2many fields whose inverse is ``model_name.field_name``."""
        key = ("inverse_o2m", model_name, field_name)
        if key not in self._methods:
            field = self.models[model_name]._fields[field_name]
            self._methods[key] = [
                f for f in self.models[field.comodel_name]._fields.values()
                if f.type == "one2many" and f.comodel_name == model_name and f.inverse_name == field_name
            ] if field.type == "many2one" else []
        return self._methods[key]

    def feeds_stored(self, field):
        """True if a stored computed field depends, directly or not, on ``field``."""
        key = ("feeds_stored", field)
        if key not in self._methods:
            self._methods[key] = False  # guards against dependency cycles
            result = False
            for dependent, _path in self.triggers.get((field.model_name, field.name), ()):
                if (dependent.store and dependent.column) or self.feeds_stored(dependent):
                    result = True
                    break
            self._methods[key] = result
        return self._methods[key]

    def invalidate_dependents(self, cache, field, seen=None):
        """Forget every non-stored value that depends on ``field``, transitively."""
        seen = set() if seen is None else seen
        for dependent, _path in self.triggers.get((field.model_name, field.name), ()):
            if dependent not in seen:
                seen.add(dependent)
                cache.invalidate([dependent])
                self.invalidate_dependents(cache, dependent, seen)

    def reachable_from_new(self, model_name, path):
        """Can records of ``model_name`` reach a just-created record through ``path``?"""
        first = self.models[model_name]._fields[path.split(".")[0]]
        return first.type == "many2many" or (
            "." not in path and self.simple_inverse(model_name, path) is not None)

    def simple_inverse(self, model_name, path):
        """For a one-step one2many path, the comodel's many2one that points back."""
        if "." in path:
            return None
        field = self.models[model_name]._fields[path]
        if field.type == "one2many" and field.inverse_name:
            comodel = self.models[field.comodel_name]
            inverse = comodel._fields.get(field.inverse_name)
            if inverse is not None and inverse.type == "many2one":
                return field.inverse_name
        return None

    def _decorated(self, model_name, attribute):
        key = (attribute, model_name)
        if key not in self._methods:
            cls = self.models[model_name]
            found, seen = [], set()
            for klass in cls.__mro__:
                for name, member in vars(klass).items():
                    if name in seen or not callable(member):
                        continue
                    seen.add(name)
                    final = getattr(cls, name, None)
                    if final is not None and hasattr(final, attribute):
                        found.append(final)
            self._methods[key] = found
        return self._methods[key]

    def constraint_methods(self, model_name):
        return self._decorated(model_name, "_constrains")

    def onchange_methods(self, model_name, field_name):
        return [m for m in self._decorated(model_name, "_onchange") if field_name in m._onchange]

    def describe_integrity_error(self, exc, model_name):
        """A message naming the model, field or constraint an integrity error is about."""
        orig = exc.orig
        model = self.models[model_name]
        diag = getattr(orig, "diag", None)
        text = str(orig)
        column = getattr(diag, "column_name", None) if diag else None
        constraint = getattr(diag, "constraint_name", None) if diag else None
        table = getattr(diag, "table_name", None) if diag else None
        sqlstate = getattr(orig, "sqlstate", None)
        if self.dialect == "sqlite":
            if text.startswith("NOT NULL constraint failed:"):
                table, _, column = text.split(":", 1)[1].strip().partition(".")
                sqlstate = "23502"
            elif text.startswith("UNIQUE constraint failed:"):
                cols = tuple(c.strip().partition(".")[2] for c in text.split(":", 1)[1].split(","))
                table = text.split(":", 1)[1].strip().partition(".")[0]
                constraint = self._unique_constraint_name(table, cols)
                sqlstate = "23505"
            elif text.startswith("CHECK constraint failed:"):
                constraint = text.split(":", 1)[1].strip()
                sqlstate = "23514"
            elif "FOREIGN KEY constraint failed" in text:
                sqlstate = "23503"
        message = self._constraint_message(constraint)
        if message:
            return message
        owner = next((m for m in self.models.values() if m._table == table and not m._abstract), model)
        if sqlstate == "23502" and column:
            field = owner._fields.get(column)
            label = field.string if field else column
            return (f"The field '{label}' ({column}) of model {owner._name} is required: "
                    f"a value is missing.")
        if sqlstate == "23503":
            return (f"The operation on {model._name} cannot be completed: another record refers to "
                    f"the record being deleted or changed, or a referenced record does not exist"
                    f"{f' ({constraint})' if constraint else ''}.")
        if sqlstate == "23505":
            return f"A record of {owner._name} with the same values already exists ({constraint or text})."
        return f"The operation on {model._name} violates a database constraint: {text.splitlines()[0]}"

    def _constraint_message(self, constraint):
        if not constraint:
            return None
        for model in self.models.values():
            for name, _definition, message in model._sql_constraints:
                if schema_sync.short_name(f"{model._table}_{name}") == constraint or name == constraint:
                    return message
        return None

    def _unique_constraint_name(self, table_name, columns):
        table = self.metadata.tables.get(table_name)
        if table is None:
            return None
        for constraint in table.constraints:
            if isinstance(constraint, sa.UniqueConstraint) and tuple(c.name for c in constraint.columns) == columns:
                return constraint.name
        return None

