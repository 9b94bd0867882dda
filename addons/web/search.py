"""The search panel of a window: what its search view offers and what the user chose.

:class:`SearchView` reads the window's search view once per request: the fields one
may search by text (``<field>``), the filters (``<filter domain>``) in their blocks,
the group-by filters (``<filter context="{'group_by': ...}">``), and the stored fields
a custom "Group by" may use.

:class:`SearchState` is what the user chose, read from and written back to the URL
query, so that every state is a plain link and the panel works without JavaScript:

- ``filter=<name>`` (repeated): active filters; filters of one block are ORed, blocks
  are ANDed, as in Odoo;
- ``search=<field>:<text>`` (repeated): a text searched in a field of the search view;
  several values of one field are ORed, fields are ANDed;
- ``searchid=<field>:<id>``: a many2one (or many2many) searched by record, as chosen
  from the autocomplete;
- ``groupby=<field>[:<granularity>]`` (repeated, in order);
- ``nodefault=1``: the user removed every facet; without any of these parameters the
  ``search_default_<name>`` keys of the action's context (and its ``group_by``) apply.

A name that the search view does not know gives a :class:`~core.exceptions.UserError`
naming it (a clean 400 page), never a traceback.  This module builds domains and group-by
specs; running them and rendering belong to ``listing.py`` and the templates.
"""
import datetime
from dataclasses import dataclass, field as dc_field

from core.exceptions import AccessError, UserError
from core.models.read_group import GRANULARITIES
from core.views import evaluate_modifier

from .formatting import ParseError, selection_of
from .window import evaluate, evaluation_names

TEXT_TYPES = ("char", "text", "html")
NUMBER_TYPES = ("integer", "float", "monetary")
RELATIONAL_TYPES = ("many2one", "many2many", "one2many")
NOT_GROUPABLE = ("one2many", "many2many", "binary", "html", "text", "json", "properties")
TRUE_WORDS = ("1", "true", "yes", "y", "on")
FALSE_WORDS = ("0", "false", "no", "n", "off")


@dataclass
class Filter:
    """A ``<filter>`` of the search view."""

    name: str
    string: str
    domain: str = None          # the domain's text (evaluated when active)
    groupby: list = None        # group-by specs of a group-by filter
    block: int = 0
    invisible: bool = False


@dataclass
class SearchField:
    """A ``<field>`` of the search view: the user types a text, the domain follows."""

    name: str
    string: str
    field: object
    operator: str = None
    filter_domain: str = None


@dataclass
class Facet:
    """A chip of the search box: one block of filters, one field's values, or the group-bys."""

    kind: str                   # "filter", "field" or "groupby"
    label: str
    values: list
    remove: object = None       # the SearchState without this facet
    key: str = ""


class SearchView:
    """The search view of ``window``, as the search panel needs it."""

    def __init__(self, window, fmt):
        self.window = window
        self.fmt = fmt
        self.model = window.records
        view = window.view("search")
        self.labels = {name: desc.get("string") or name for name, desc in view["fields"].items()}
        self.fields = {}            # name -> SearchField, in view order
        self.filters = {}           # name -> Filter (domain and group-by filters)
        self.blocks = []            # [[Filter]] of the domain filters, as the menu shows them
        self.groupby_filters = []   # [Filter] with a group_by
        self._block = 0
        self._names = None
        self._walk(view["root"])
        self.blocks = [block for block in self.blocks if block]

    # ------------------------------------------------------------ parsing
    def _new_block(self):
        if not self.blocks or self.blocks[-1]:
            self.blocks.append([])
        self._block = len(self.blocks) - 1

    def _walk(self, node):
        for child in node:
            tag = child.tag if isinstance(child.tag, str) else None
            if tag == "separator":
                self._new_block()
            elif tag == "group":
                self._new_block()
                self._walk(child)
                self._new_block()
            elif tag == "filter":
                self._add_filter(child)
            elif tag == "field":
                self._new_block()
                self._add_field(child)
            elif tag and tag != "searchpanel":
                self._walk(child)

    def _add_filter(self, node):
        if node.get("date"):
            return  # date filters with periods are not offered by this client yet
        name = node.get("name") or f"filter_{len(self.filters) + 1}"
        invisible = static_truth(node.get("invisible"))
        context = node.get("context")
        groupby = None
        if context:
            value = self._eval(context, dict, f"filter {name!r}: context")
            spec = value.get("group_by")
            if spec:
                groupby = [spec] if isinstance(spec, str) else [s for s in spec if isinstance(s, str)]
        string = node.get("string") or node.get("help") or name
        item = Filter(name=name, string=string, domain=node.get("domain"), groupby=groupby,
                      invisible=invisible)
        self.filters[name] = item
        if groupby:
            if not invisible:
                self.groupby_filters.append(item)
            return
        if not self.blocks:
            self._new_block()
        item.block = self._block
        self.blocks[self._block].append(item)

    def _add_field(self, node):
        name = node.get("name")
        field = self.model._fields.get(name)
        if field is None or static_truth(node.get("invisible")):
            return
        self.fields[name] = SearchField(
            name=name, string=node.get("string") or self.labels.get(name) or field.string or name,
            field=field, operator=node.get("operator"), filter_domain=node.get("filter_domain"))

    # ------------------------------------------------------------ expressions
    def names(self):
        if self._names is None:
            self._names = evaluation_names(self.window.env)
        return self._names

    def _eval(self, text, kind, where, extra=None):
        names = dict(self.names(), **extra) if extra else self.names()
        try:
            return evaluate(text, names, kind, where)
        except ValueError as exc:
            raise UserError(self.fmt._("The search view is invalid: %s") % exc) from None

    def filter_domain(self, item):
        return self._eval(item.domain or "[]", list, f"filter {item.name!r}: domain")

    # ------------------------------------------------------------ values
    def value_domain(self, sfield, kind, value):
        """The domain of one value typed (``kind`` "text") or chosen (``kind`` "id")."""
        field = sfield.field
        if sfield.filter_domain:
            return self._eval(sfield.filter_domain, list, f"field {sfield.name!r}: filter_domain",
                              {"self": value, "raw_value": value})
        name = sfield.name
        if kind == "id":
            return [(name, sfield.operator or ("=" if field.type == "many2one" else "in"),
                     value if field.type == "many2one" else [value])]
        kind = field.type
        if kind in TEXT_TYPES or kind in RELATIONAL_TYPES:
            return [(name, sfield.operator or "ilike", value)]
        if kind in NUMBER_TYPES:
            try:
                number = self.fmt.parse(field, value)
            except ParseError:
                raise UserError(self.fmt._("“%(text)s” is not a number: %(field)s is searched by number.")
                                % {"text": value, "field": sfield.string}) from None
            return [(name, sfield.operator or "=", number)]
        if kind == "selection":
            if sfield.operator:
                return [(name, sfield.operator, value)]
            wanted = value.casefold()
            values = [key for key, label in selection_of(self.model, name)
                      if wanted in str(label).casefold() or wanted == str(key).casefold()]
            return [(name, "in", values)]
        if kind == "boolean":
            word = value.strip().casefold()
            yes, no = self.fmt._("Yes").casefold(), self.fmt._("No").casefold()
            if word in TRUE_WORDS or word == yes:
                return [(name, "=", True)]
            if word in FALSE_WORDS or word == no:
                return [(name, "=", False)]
            raise UserError(self.fmt._("“%(text)s” is neither yes nor no: %(field)s is a yes/no field.")
                            % {"text": value, "field": sfield.string})
        if kind in ("date", "datetime"):
            try:
                day = datetime.date.fromisoformat(value.strip())
            except ValueError:
                raise UserError(self.fmt._("“%(text)s” is not a date (YYYY-MM-DD): %(field)s is searched by date.")
                                % {"text": value, "field": sfield.string}) from None
            if kind == "date":
                return [(name, sfield.operator or "=", day)]
            start = datetime.datetime.combine(day, datetime.time()).replace(tzinfo=self.fmt.tz)
            utc = [moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)
                   for moment in (start, start + datetime.timedelta(days=1))]
            return [(name, ">=", utc[0]), (name, "<", utc[1])]
        return [(name, sfield.operator or "=", value)]

    # ------------------------------------------------------------ group-bys
    def groupable_fields(self):
        """``[(name, label)]`` of the stored fields one may group by, sorted by label."""
        names = [name for name, field in self.model._fields.items()
                 if name != "id" and field.store and field.type not in NOT_GROUPABLE and _is_column(field)]
        # fields_get leaves out the fields the user may not read, and translates the labels
        result = [(name, desc.get("string") or name)
                  for name, desc in self.model.fields_get(names, ["string"]).items()]
        result.sort(key=lambda item: item[1].casefold())
        return result

    def check_groupby(self, spec):
        """``spec`` if it is a valid group-by of the model, else a UserError naming it."""
        name, _, granularity = spec.partition(":")
        field = self.model._fields.get(name)
        if field is None or not field.store or field.type in NOT_GROUPABLE or not _is_column(field):
            raise UserError(self.fmt._("Cannot group by “%s”: it is not a stored field of this model "
                                       "one may group by.") % spec)
        if field.groups and not self.model._user_in_groups(field.groups):
            raise UserError(self.fmt._("Cannot group by “%s”: it is not a stored field of this model "
                                       "one may group by.") % spec)
        if granularity and (field.type not in ("date", "datetime") or granularity not in GRANULARITIES):
            raise UserError(self.fmt._("Cannot group by “%s”: unknown date grouping.") % spec)
        return spec

    def groupby_label(self, spec):
        for item in self.groupby_filters:
            if item.groupby == [spec]:
                return item.string
        name, _, granularity = spec.partition(":")
        label = self.labels.get(name) or self._field_label(name)
        if granularity:
            label = f"{label}: {self.granularity_labels().get(granularity, granularity)}"
        return label

    def granularity_labels(self):
        _ = self.fmt._
        return {"day": _("Day"), "week": _("Week"), "month": _("Month"), "quarter": _("Quarter"),
                "year": _("Year"), "hour": _("Hour")}

    def _field_label(self, name):
        description = self.model.fields_get([name], ["string"]).get(name)
        return description["string"] if description else name


def _is_column(field):
    return bool(getattr(field, "column", None)) and not getattr(field, "inherited", False)


def static_truth(expression):
    """True when a view attribute such as ``invisible`` is a constant true ("1", "True")."""
    if not expression:
        return False
    try:
        return evaluate_modifier(expression, {})
    except ValueError:
        return False


# ---------------------------------------------------------------- the state
@dataclass
class SearchState:
    """What the user chose in the search panel; see the module's docstring for its URL form."""

    view: SearchView
    filters: list = dc_field(default_factory=list)      # filter names, in activation order
    values: list = dc_field(default_factory=list)       # [(field name, "text"|"id", value)]
    groupby: list = dc_field(default_factory=list)      # group-by specs
    defaults_off: bool = False

    @classmethod
    def from_args(cls, view, args):
        """The state of the query ``args`` (a werkzeug MultiDict); UserError on unknown names."""
        fmt = view.fmt
        state = cls(view)
        explicit = any(key in args for key in ("filter", "search", "searchid", "groupby", "nodefault",
                                               "search_text"))
        for name in args.getlist("filter"):
            item = view.filters.get(name)
            if item is None:
                raise UserError(fmt._("Unknown filter “%s”: the search view has no such filter.") % name)
            if item.groupby:
                state.groupby.extend(s for s in item.groupby if s not in state.groupby)
            elif name not in state.filters:
                state.filters.append(name)
        for text in args.getlist("search"):
            name, sep, value = text.partition(":")
            state._add_text(name if sep else "", value)
        if args.get("search_text", "").strip():
            name = args.get("search_field") or next(iter(view.fields), "")
            state._add_text(name, args["search_text"])
        for text in args.getlist("searchid"):
            name, _, value = text.partition(":")
            sfield = state._search_field(name)
            if sfield.field.type not in ("many2one", "many2many") or not value.isdigit():
                raise UserError(fmt._("Invalid record search “%s”: expected a relational field and a "
                                      "record id.") % text)
            item = (name, "id", int(value))
            if item not in state.values:
                state.values.append(item)
        for spec in args.getlist("groupby"):
            if spec and spec not in state.groupby:
                state.groupby.append(view.check_groupby(spec))
        state.defaults_off = bool(args.get("nodefault"))
        if not explicit:
            state._apply_defaults()
        return state

    def _search_field(self, name):
        sfield = self.view.fields.get(name)
        if sfield is None:
            raise UserError(self.view.fmt._("Unknown search field “%s”: the search view cannot search "
                                            "by it.") % name)
        return sfield

    def _add_text(self, name, value):
        sfield = self._search_field(name)
        value = value.strip()
        item = (sfield.name, "text", value)
        if value and item not in self.values:
            self.values.append(item)

    def _apply_defaults(self):
        """The ``search_default_<name>`` keys and ``group_by`` of the window's context."""
        view = self.view
        context = view.window.context
        for key, value in context.items():
            if not key.startswith("search_default_") or not value:
                continue
            name = key[len("search_default_"):]
            if name in view.filters:
                item = view.filters[name]
                if item.groupby:
                    self.groupby.extend(s for s in item.groupby if s not in self.groupby)
                elif name not in self.filters:
                    self.filters.append(name)
            elif name in view.fields:
                field = view.fields[name].field
                if field.type in ("many2one", "many2many") and isinstance(value, int) \
                        and not isinstance(value, bool):
                    self.values.append((name, "id", value))
                else:
                    self.values.append((name, "text", str(value)))
        group_by = context.get("group_by")
        for spec in ([group_by] if isinstance(group_by, str) else group_by or []):
            if isinstance(spec, str) and spec not in self.groupby:
                try:
                    self.groupby.append(view.check_groupby(spec))
                except UserError:
                    continue

    # ------------------------------------------------------------ results
    @property
    def empty(self):
        return not (self.filters or self.values or self.groupby)

    def has_defaults(self):
        context = self.view.window.context
        return bool(context.get("group_by")) or any(
            key.startswith("search_default_") and value for key, value in context.items())

    def domain(self):
        """The domain of the active filters and searched values (without the action's)."""
        from core import domain as dom
        view = self.view
        parts = []
        by_block = {}
        for name in self.filters:
            item = view.filters[name]
            by_block.setdefault(item.block, []).append(view.filter_domain(item))
        for block in sorted(by_block):
            parts.append(dom.OR(by_block[block]))
        by_field = {}
        for name, kind, value in self.values:
            by_field.setdefault(name, []).append(view.value_domain(view.fields[name], kind, value))
        for name in by_field:
            parts.append(dom.OR(by_field[name]))
        return dom.AND(parts) if parts else []

    def query(self):
        """The URL query of this state: ``{key: [values]}``."""
        query = {
            "filter": list(self.filters),
            "search": [f"{name}:{value}" for name, kind, value in self.values if kind == "text"],
            "searchid": [f"{name}:{value}" for name, kind, value in self.values if kind == "id"],
            "groupby": list(self.groupby),
        }
        if self.empty and self.has_defaults():
            query["nodefault"] = "1"
        return query

    def copy(self, **changes):
        values = {"filters": list(self.filters), "values": list(self.values), "groupby": list(self.groupby)}
        values.update(changes)
        return SearchState(self.view, **values)

    def toggle_filter(self, name):
        if name in self.filters:
            return self.copy(filters=[n for n in self.filters if n != name])
        return self.copy(filters=self.filters + [name])

    def add_groupby(self, specs):
        """The state with the group-by ``specs`` added, or removed when all are there."""
        specs = [specs] if isinstance(specs, str) else list(specs)
        if all(spec in self.groupby for spec in specs):
            return self.copy(groupby=[s for s in self.groupby if s not in specs])
        return self.copy(groupby=self.groupby + [s for s in specs if s not in self.groupby])

    def facets(self):
        """The chips to show, each with the state it leaves when removed."""
        view = self.view
        facets = []
        blocks = {}
        for name in self.filters:
            blocks.setdefault(view.filters[name].block, []).append(name)
        for block, names in sorted(blocks.items()):
            facets.append(Facet("filter", view.fmt._("Filters"), [view.filters[n].string for n in names],
                                self.copy(filters=[n for n in self.filters if n not in names]),
                                key=f"filter-{block}"))
        fields = {}
        for name, kind, value in self.values:
            fields.setdefault(name, []).append((kind, value))
        for name, values in fields.items():
            facets.append(Facet("field", view.fields[name].string, self._value_labels(name, values),
                                self.copy(values=[v for v in self.values if v[0] != name]),
                                key=f"field-{name}"))
        if self.groupby:
            facets.append(Facet("groupby", view.fmt._("Group by"),
                                [view.groupby_label(spec) for spec in self.groupby],
                                self.copy(groupby=[]), key="groupby"))
        return facets

    def _value_labels(self, name, values):
        ids = [value for kind, value in values if kind == "id"]
        names = {}
        if ids:
            comodel = self.view.window.env[self.view.fields[name].field.comodel_name]
            try:
                names = {record.id: record.display_name for record in comodel.browse(ids).exists()}
            except AccessError:
                names = {}
        return [names.get(value, f"#{value}") if kind == "id" else value for kind, value in values]

