"""The field base class: declaration, validation and the value ladder.

A field is declared on a model definition class (``name = fields.Char()``).  Its
arguments are checked when the class is created, so a bad declaration fails at
import time, naming the model and the field.  When the registry assembles a model,
every definition of one field name across addons is merged (later definitions
override earlier arguments) into a fresh field object bound to the final class.

Each field type converts values along one ladder::

    database column  <->  cache  <->  record (what model code sees)
                                 ->  read() (what clients see)

and says its SQLAlchemy column type.  Relational fields live in ``relational.py``.
"""
import re

from ..exceptions import ValidationError

NOT_SET = object()

COMMON_ARGS = {
    "string", "help", "required", "readonly", "default", "index", "copy", "groups",
    "compute", "store", "depends", "depends_context", "inverse", "search", "related",
    "translate", "tracking", "aggregator", "group_operator", "prefetch", "compute_sudo",
    "precompute", "recursive", "change_default", "company_dependent", "exportable",
    "default_export_compatible", "group_expand", "states", "size", "trim", "sanitize",
    "sanitize_attributes", "sanitize_tags", "strip_style", "strip_classes", "context",
    "unaccent",
}
INDEX_KINDS = (True, False, None, "btree", "btree_not_null", "trigram")


def addon_of(python_module):
    """The addon a Python module belongs to: ``addons.crm.models.lead`` -> ``crm``."""
    parts = python_module.split(".")
    if parts[0] == "addons" and len(parts) > 1:
        return parts[1]
    return python_module


def label_from_name(name):
    """``partner_id`` -> "Partner", ``tag_ids`` -> "Tag", ``date_open`` -> "Date Open"."""
    if name.endswith("_ids"):
        name = name[:-4]
    elif name.endswith("_id"):
        name = name[:-3]
    return name.replace("_", " ").strip().title() or name


class Field:
    """Base class of every field type."""

    type = None              # Odoo's type name, as fields_get reports it
    column_type = None       # SQLAlchemy type (instance or callable(field)) for stored fields
    extra_args = frozenset() # arguments specific to a subclass
    relational = False
    null_value = False       # what a record shows for a missing value
    default_aggregator = None
    converts_from_column = False  # True when convert_from_column does more than return
    _counter = 0             # declaration order, to keep fields_get and forms stable

    def __init__(self, string=NOT_SET, **kwargs):
        if string is not NOT_SET:
            kwargs["string"] = string
        if "group_operator" in kwargs and "aggregator" not in kwargs:
            kwargs["aggregator"] = kwargs.pop("group_operator")
        self._args = kwargs
        Field._counter += 1
        self._sequence = Field._counter
        self.name = None
        self.model_name = None
        self.module = None

    # ------------------------------------------------------------ declaration
    def declare(self, owner, name):
        """Check the declaration on its definition class (called at class creation)."""
        model = owner.__dict__.get("_name") or owner.__dict__.get("_inherit") or owner.__name__
        allowed = COMMON_ARGS | self.extra_args
        unknown = sorted(set(self._args) - allowed)
        if unknown:
            raise TypeError(
                f"{model}.{name}: unknown argument(s) {', '.join(unknown)} for "
                f"{type(self).__name__} (allowed: {', '.join(sorted(allowed))})")
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
            raise ValueError(f"{model}.{name}: field names are lowercase letters, digits and '_'")
        index = self._args.get("index")
        if index not in INDEX_KINDS:
            raise ValueError(f"{model}.{name}: index must be one of {INDEX_KINDS}, got {index!r}")
        self.check_args(model, name, self._args)
        self.module = addon_of(owner.__module__)

    def check_args(self, model, name, args):
        """Subclasses validate their own arguments here; raise naming model.name."""

    def new_from(self, definitions):
        """A fresh field for a final model, merged from every definition of it."""
        args = {}
        for definition in definitions:
            if type(definition) is not type(self):
                args = {}
            args.update(definition._args)
        field = type(self)(**args)
        field._sequence = definitions[0]._sequence
        field._definitions = definitions
        return field

    # ------------------------------------------------------------ set-up
    def setup(self, model_cls, name):
        """Bind to the final model class; resolve defaults of the arguments."""
        self.name = name
        self.model_name = model_cls._name
        args = self._args
        self.string = args.get("string") or label_from_name(name)
        self.help = args.get("help")
        self.related = args.get("related")
        self.compute = args.get("compute")
        self.inverse = args.get("inverse")
        self.search = args.get("search")
        self.translate = bool(args.get("translate", False))
        self.groups = args.get("groups")
        self.tracking = args.get("tracking")
        self.depends_context = tuple(args.get("depends_context", ()))
        self.group_expand = args.get("group_expand")
        self.change_default = bool(args.get("change_default", False))
        self.index = args.get("index") or None
        self.inherited = False          # True for fields delegated through _inherits
        self.inherited_field = None
        self.module = getattr(self, "_definitions", [self])[0].module
        computed = bool(self.compute or self.related)
        self.store = bool(args.get("store", not computed))
        self.required = bool(args.get("required", False))
        self.readonly = bool(args.get("readonly", computed and not self.inverse and not self.related))
        if self.related and "readonly" not in args:
            self.readonly = True
        self.default = args.get("default", NOT_SET)
        self.copy = bool(args.get("copy", not computed and name != "state"))
        self.aggregator = args.get("aggregator", self.default_aggregator)
        self.prefetch = args.get("prefetch", True)
        self.compute_sudo = bool(args.get("compute_sudo", self.store or bool(self.related)))
        self.precompute = bool(args.get("precompute", False))
        self.recursive = bool(args.get("recursive", False))
        self.depends = tuple(args.get("depends", ()))
        self.exportable = bool(args.get("exportable", True))

    @property
    def column(self):
        """True when the value lives in a column of the model's table."""
        return self.store and self.column_type is not None

    def sql_type(self, dialect_name):
        ctype = self.column_type
        return ctype(self) if callable(ctype) and not isinstance(ctype, type) else ctype

    @property
    def searchable(self):
        return bool(self.store or self.search or self.related)

    @property
    def sortable(self):
        return self.column

    def __repr__(self):
        return f"{type(self).__name__}({self.model_name}.{self.name})"

    # ------------------------------------------------------------ value ladder
    def convert_to_cache(self, value, record, validate=True):
        """Normalise a value given by code or a client into its cache form."""
        return None if value is False or value is None else value

    def convert_to_column(self, value, record=None):
        """Cache form -> the value bound as an SQL parameter."""
        return value

    def convert_from_column(self, value):
        """A value fetched from the database -> its cache form."""
        return value

    def convert_to_record(self, value, record):
        """Cache form -> what model code sees (``False`` for nothing)."""
        return self.null_value if value is None else value

    def convert_to_read(self, value, record, use_display_name=True):
        """Record value -> what ``read()`` returns."""
        return value

    def convert_to_write(self, value, record):
        """Record value -> a value suitable for ``write()`` (used by copy)."""
        return value

    def validation_error(self, value, expected):
        return ValidationError(
            f"Wrong value for {self.model_name}.{self.name}: {value!r} ({expected})")

    # ------------------------------------------------------------ descriptor
    def __get__(self, record, owner=None):
        if record is None:
            return self
        ids = record._ids
        if not ids:
            return self.convert_to_record(None, record)
        if len(ids) > 1:
            raise ValueError(f"Expected singleton: {record!r} (reading {self.name})")
        return self.convert_to_record(record._get_value(self), record)

    def __set__(self, record, value):
        record._set_value(self, value)

    # ------------------------------------------------------------ metadata
    def get_description(self, env):
        """The dict ``fields_get`` returns for this field (keys with None omitted)."""
        desc = {
            "type": self.type,
            "string": self.string,
            "help": self.help,
            "required": self.required,
            "readonly": self.readonly,
            "store": self.store,
            "searchable": self.searchable,
            "sortable": self.sortable,
            "groupable": self.column and self.type not in ("text", "html", "binary", "json"),
            "manual": False,
            "depends": list(self.depends) if self.compute else None,
            "related": self.related,
            "groups": self.groups,
            "translate": self.translate or None,
            "change_default": self.change_default,
            "exportable": self.exportable,
            "company_dependent": False,
            "name": self.name,
            "aggregator": self.aggregator,
            "group_operator": self.aggregator,
        }
        return {key: value for key, value in desc.items() if value is not None}
