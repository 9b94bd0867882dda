"""The list page of a window: its columns, the records or groups of one page, the pager.

:class:`ListArch` reads the window's list view (``<list>``/``<tree>``): the columns
(``<field>`` with ``string``, ``widget``, ``optional``, ``column_invisible``,
``invisible``, ``readonly``, ``sum``/``avg``), the row decorations, ``editable``,
``default_order`` and the ``create``/``edit``/``delete`` switches.

:class:`ListPage` is one request's page: the search state (``search.py``), the order,
the offset and limit, the groups the user expanded, and what they give: the records of
the page (one search, then every column read in batches by prefetching, so the number
of queries does not grow with the page size), a capped count (``1-80 / 1000+``), the
footer aggregates (one ``read_group`` over the whole result) or the groups
(``read_group`` one level at a time).  Every link of the page is built by :meth:`url`,
which keeps the whole state in the query.

Rendering belongs to ``templates/web/list*.html``; the routes to ``controllers/listview.py``.
"""
import datetime
import json
import logging
from urllib.parse import urlsplit

from markupsafe import Markup, escape

from core.exceptions import UserError
from core.views import evaluate_modifier, modifier_names

from .formatting import selection_of
from .search import NUMBER_TYPES, static_truth
from .view_page import ViewPage

_logger = logging.getLogger(__name__)

#: counting stops this many records past the page (the pager then shows "1-80 / 1000+")
COUNT_CAP = 1000
MAX_LIMIT = 1000
DECORATIONS = ("bf", "it", "danger", "info", "muted", "primary", "success", "warning")
#: field types edited in place in an editable list (others open the form)
INLINE_TYPES = ("char", "text", "integer", "float", "monetary", "date", "datetime", "boolean", "selection")
UNSORTABLE = ("one2many", "many2many", "binary", "html", "json", "properties")
#: field types whose cell is their text as it is
PLAIN_TYPES = ("char", "text")
#: a read-only checkbox of a boolean cell, unticked and ticked (%s: its label)
CHECKBOX = ('<input type="checkbox" disabled aria-label="%s">',
            '<input type="checkbox" disabled checked aria-label="%s">')


def _flag(value, default=True):
    if value is None:
        return default
    return value.strip().lower() not in ("0", "false", "")


class Column:
    """A ``<field>`` of the list view shown as a column."""

    def __init__(self, node, field, description):
        self.name = node.get("name")
        self.field = field
        self.type = field.type
        self.label = node.get("string") or description.get("string") or self.name
        self.widget = node.get("widget")
        self.optional = node.get("optional") if node.get("optional") in ("show", "hide") else None
        self.invisible = node.get("invisible")           # per cell (an expression)
        self.readonly = node.get("readonly")
        self.sum = node.get("sum")
        self.avg = node.get("avg")
        self.numeric = field.type in NUMBER_TYPES
        self.sortable = bool(field.store) and field.type not in UNSORTABLE
        self.aggregate = "sum" if self.sum else "avg" if self.avg else None
        self.selection = None
        self.help = description.get("help") or ""
        self.css = f"o-col-{self.type} o-num" if self.numeric else f"o-col-{self.type}"
        self.checkboxes = tuple(Markup(html) % self.label for html in CHECKBOX)

    def group_aggregate(self):
        """The aggregate a group row shows for this column (None: nothing)."""
        if not self.numeric or not self.field.store or not getattr(self.field, "column", None):
            return None
        return self.aggregate or self.field.aggregator


class ListArch:
    """The list view of a window, read once per request."""

    def __init__(self, window, fmt):
        self.window = window
        self.fmt = fmt
        view = window.view("list")
        root = view["root"]
        model = window.records
        self.view_id = view.get("id")
        editable = root.get("editable")
        self.editable = editable if editable in ("top", "bottom") else None
        self.default_order = root.get("default_order") or None
        self.can_create = _flag(root.get("create")) and window.can("create")
        self.can_edit = _flag(root.get("edit")) and window.can("write")
        self.can_delete = _flag(root.get("delete")) and window.can("unlink")
        self.limit = int(root.get("limit")) if (root.get("limit") or "").isdigit() else None
        self.decorations = [(kind, root.get(f"decoration-{kind}")) for kind in DECORATIONS
                            if root.get(f"decoration-{kind}")]
        self.static_values = static_values(window)
        # <header><button type="object" name="m"/></header>: methods run on the ticked rows
        self.header_buttons = [(button.get("name"), button.get("string") or button.get("name"),
                                button.get("confirm"))
                               for header in root.findall("header") for button in header.findall("button")
                               if (button.get("type") or "object") == "object" and button.get("name")
                               and not button.get("name").startswith("_")
                               and not self._static(button.get("invisible"))]
        self.columns = []
        for node in root:
            if node.tag != "field" or node.get("name") not in model._fields:
                continue
            column = Column(node, model._fields[node.get("name")], view["fields"].get(node.get("name"), {}))
            if self._static(node.get("column_invisible")) or static_truth(column.invisible):
                continue
            if column.type == "selection":
                column.selection = dict(selection_of(model, column.name))
            self.columns.append(column)
        names = set()
        for _kind, expression in self.decorations:
            names.update(self._names(expression))
        for column in self.columns:
            for expression in (column.invisible, column.readonly):
                if expression and not static_truth(expression):
                    names.update(self._names(expression))
        self.expression_fields = sorted(name for name in names if name in model._fields)

    def _static(self, expression):
        """A column-level expression (context, uid, today only) evaluated once."""
        if not expression:
            return False
        try:
            return evaluate_modifier(expression, self.static_values)
        except ValueError as exc:
            _logger.warning("list view of %s: %s", self.window.model, exc)
            return False

    def _names(self, expression):
        try:
            return [name for name in modifier_names(expression) if not name.startswith("parent.")]
        except ValueError as exc:
            _logger.warning("list view of %s: %s", self.window.model, exc)
            return []


def static_values(window):
    """The names every modifier expression may use besides the record's fields."""
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None, microsecond=0)
    return {"context": window.context, "uid": window.env.uid, "today": now.date().isoformat(),
            "now": now.isoformat(sep=" ")}


def expression_value(field, value):
    """A field value as modifier expressions see it (ids, ISO dates), as Odoo's client does."""
    if field.type == "many2one":
        return value.id or False
    if field.type in ("one2many", "many2many"):
        return tuple(value.ids)
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


class Row:
    """A record of the page: its cells and the classes of its decorations."""

    __slots__ = ("record", "id", "cells", "classes", "url", "readonly", "select_label")

    def __init__(self, record, cells, classes, url, readonly):
        self.record = record
        self.id = record.id
        self.cells = cells          # Markup per column, None where the cell is invisible
        self.classes = classes
        self.url = url
        self.readonly = readonly
        self.select_label = ""      # the label of the row's checkbox ("Select <first cell>")

    @property
    def label(self):
        """The text naming the row (its first cell)."""
        first = self.cells[0] if self.cells else None
        text = first.striptags() if first is not None else ""
        return text or f"#{self.id}"


class Group:
    """A group of the grouped list: label, count, aggregates, and what it shows when open."""

    def __init__(self, label, count, aggregates, key, expanded, toggle_url, depth, domain):
        self.label = label
        self.count = count
        self.aggregates = aggregates
        self.key = key
        self.expanded = expanded
        self.toggle_url = toggle_url
        self.depth = depth
        self.domain = domain
        self.groups = []
        self.rows = []
        self.more = 0               # records of the group beyond the ones shown


class ListPage(ViewPage):
    """One page of a window's list, as the query ``args`` (a MultiDict) describes it."""

    view_type = "list"

    def __init__(self, window, args, fmt):
        self.arch = ListArch(window, fmt)
        super().__init__(window, args, fmt)
        self.default_limit = self.arch.limit or window.limit or 80
        self.limit = self._int(args, "limit", self.default_limit, 1, MAX_LIMIT)
        self.offset = self._int(args, "offset", 0, 0, None)
        self.order_param = self._check_order(args.get("order"))
        self.exact = args.get("count") == "exact"
        self.want_totals = args.get("totals") == "1"
        self.expand = [key for key in args.getlist("expand") if key]
        if "optional" in args:
            self.optional = {name for name in args.getlist("optional") if name}
        else:
            self.optional = {c.name for c in self.arch.columns if c.optional == "show"}
        self.columns = [c for c in self.arch.columns if not c.optional or c.name in self.optional]
        self.optional_columns = [c for c in self.arch.columns if c.optional]
        self.records = self.model.browse()
        self.rows = []
        self.groups = []
        self.count = 0
        self.capped = False
        self.more_groups = False
        self.totals = {}
        self.totals_deferred = False
        self._raw_groups = []

    # ------------------------------------------------------------ parameters
    def _int(self, args, name, default, low, high):
        text = args.get(name)
        if text in (None, ""):
            return default
        try:
            value = int(text)
        except ValueError:
            raise UserError(self.fmt._("The parameter “%(name)s” must be a whole number, not “%(value)s”.")
                            % {"name": name, "value": text}) from None
        if value < low or (high is not None and value > high):
            raise UserError(self.fmt._("The parameter “%(name)s” is out of range: %(value)s.")
                            % {"name": name, "value": text})
        return value

    def _check_order(self, text):
        """``'name'`` or ``'name desc'`` for a sortable stored field, else a UserError."""
        if not text:
            return None
        parts = text.split()
        name = parts[0] if parts else ""
        direction = parts[1].lower() if len(parts) == 2 else "asc" if len(parts) == 1 else None
        field = self.model._fields.get(name)
        if field is None or direction not in ("asc", "desc") or not field.store \
                or field.type in UNSORTABLE or (field.groups and not self.model._user_in_groups(field.groups)):
            raise UserError(self.fmt._("Cannot sort by “%s”: expected a stored field of the list, "
                                       "then asc or desc.") % text)
        return f"{name} {direction}"

    @property
    def order(self):
        """The ORM order string: the column sorted on (then id), else the view's or the model's."""
        if self.order_param:
            name, direction = self.order_param.split()
            return self.order_param if name == "id" else f"{self.order_param}, id {direction}"
        return self.arch.default_order or None

    def sort_state(self, column):
        """``'asc'``/``'desc'`` if the page is sorted on ``column``, else None."""
        if self.order_param:
            name, direction = self.order_param.split()
            return direction if name == column.name else None
        return None

    def sort_url(self, column):
        current = self.sort_state(column)
        return self.url(order=f"{column.name} {'desc' if current == 'asc' else 'asc'}", offset=None)

    # ------------------------------------------------------------ URLs
    def query(self, state=None, **changes):
        query = super().query(state)
        query["order"] = self.order_param
        query["limit"] = self.limit if self.limit != self.default_limit else None
        query["offset"] = self.offset or None
        query["expand"] = list(self.expand)
        if self.optional != {c.name for c in self.arch.columns if c.optional == "show"}:
            query["optional"] = sorted(self.optional) or [""]
        query.update(changes)
        return query

    def search_url(self, state):
        """The first page of the list with another search state."""
        return self.url(state, offset=None, expand=[])

    def toggle_url(self, key):
        expand = [k for k in self.expand if k != key] if key in self.expand else self.expand + [key]
        return self.url(expand=expand)

    # ------------------------------------------------------------ loading
    def load(self):
        try:
            if self.state.groupby:
                self._load_groups()
            else:
                self._load_records()
            self._load_totals()
        except ValueError as exc:
            raise UserError(self.fmt._("Invalid search: %s") % exc) from None
        return self

    def _load_records(self):
        records = self.model.search(self.domain, offset=self.offset, limit=self.limit, order=self.order)
        self.records = records
        if self.exact:
            self.count = self.model.search_count(self.domain)
        elif len(records) < self.limit and (records or not self.offset):
            self.count = self.offset + len(records)
        else:
            cap = self.offset + COUNT_CAP
            self.count = self.model.search_count(self.domain, limit=cap + 1)
            if self.count > cap:
                self.count, self.capped = cap, True
        self.rows = self.make_rows(records)

    @property
    def aggregated_columns(self):
        return [c for c in self.columns if c.aggregate and c.field.store and getattr(c.field, "column", None)]

    def _load_totals(self):
        columns = self.aggregated_columns
        if not columns or (not self.records and not self.groups):
            return
        if self.capped and not self.want_totals:
            # as the count, totals over more than COUNT_CAP records are computed on demand:
            # they read every record of the search (tens of ms over 100,000 rows)
            self.totals_deferred = True
            return
        row = self._totals_of_groups(columns)
        if row is None:
            result = self.model.read_group(self.domain, [f"{c.name}:{c.aggregate}" for c in columns], [])
            row = result[0] if result else {}
        self.totals = {c.name: self.format_number(c, row.get(c.name)) for c in columns}

    def _totals_of_groups(self, columns):
        """The totals made from the first-level groups when they are all on the page (their
        aggregates already cover the whole search), else None."""
        if not self.state.groupby or self.more_groups or self.offset:
            return None
        raw = self._raw_groups
        if any(c.group_aggregate() != c.aggregate for c in columns):
            return None
        count = sum(self._group_count(item) for item in raw)
        row = {}
        for column in columns:
            values = [(item.get(column.name) or 0, self._group_count(item)) for item in raw]
            if column.aggregate == "sum":
                row[column.name] = sum(value for value, _n in values)
            else:
                row[column.name] = sum(value * n for value, n in values) / count if count else None
        return row

    def _group_count(self, item):
        name = self.state.groupby[0].partition(":")[0]
        return item.get(f"{name}_count", item.get("__count", 0))

    def format_number(self, column, value):
        if value is None or value is False:
            return ""
        if column.type == "integer" and column.aggregate != "avg" and float(value).is_integer():
            return self.fmt.integer(value)
        if column.type == "integer":
            return self.fmt.number(value, 2)
        return self.fmt.number(value, 2 if column.type == "monetary" else _digits(column.field))

    # ------------------------------------------------------------ groups
    @property
    def group_columns(self):
        return [c for c in self.columns if c.group_aggregate()]

    def _group_specs(self):
        return [f"{c.name}:{c.group_aggregate()}" for c in self.group_columns]

    def _load_groups(self):
        groupby = self.state.groupby
        raw = self.model.read_group(self.domain, self._group_specs(), groupby, offset=self.offset,
                                    limit=self.limit + 1, lazy=True)
        self.more_groups = len(raw) > self.limit
        raw = self._raw_groups = raw[:self.limit]
        self.groups = self._groups(raw, 0, [])
        self.count = sum(group.count for group in self.groups)

    def _groups(self, raw, depth, path):
        spec = self.state.groupby[depth]
        name = spec.partition(":")[0]
        field = self.model._fields[name]
        expand = set(self.expand)
        groups = []
        selection = dict(selection_of(self.model, name)) if field.type == "selection" else None
        for item in raw:
            value = item.get(spec)
            key_path = path + [_group_key(field, spec, value, item)]
            key = json.dumps(key_path, separators=(",", ":"), ensure_ascii=False, default=str)
            count = item.get(f"{name}_count", item.get("__count", 0))
            aggregates = {c.name: self.format_number(c, item.get(c.name)) for c in self.group_columns}
            group = Group(self.fmt.group_label(field, value, selection), count, aggregates, key,
                          key in expand, self.toggle_url(key), depth, item["__domain"])
            if group.expanded:
                self._open_group(group, depth, key_path)
            groups.append(group)
        return groups

    def _open_group(self, group, depth, key_path):
        groupby = self.state.groupby
        if depth + 1 < len(groupby):
            raw = self.model.read_group(group.domain, self._group_specs(), groupby[depth + 1:], lazy=True)
            group.groups = self._groups(raw, depth + 1, key_path)
            return
        records = self.model.search(group.domain, limit=self.limit, order=self.order)
        group.rows = self.make_rows(records)
        group.more = max(0, group.count - len(records))

    # ------------------------------------------------------------ rows
    def make_rows(self, records):
        """The rows of ``records``: each cell's HTML (escaped here, which is much cheaper than
        a template macro per cell), read column by column from the prefetched records."""
        arch = self.arch
        columns = self.columns
        fields = [self.model._fields[name] for name in arch.expression_fields]
        static = arch.static_values
        model_name = self.window.model
        display = self.fmt.display
        base = self.window.base_url
        query = urlsplit(self.window.url(0, back=self.current_url)).query
        query = f"?{query}" if query else ""
        select = self.fmt._("Select %s")
        rows = []
        for record in records:
            values = None
            if fields:
                values = dict(static)
                for field in fields:
                    values[field.name] = expression_value(field, record[field.name])
            classes = [f"o-decoration-{kind}" for kind, expression in arch.decorations
                       if _truth(expression, values, model_name)]
            cells = []
            readonly = []
            for column in columns:
                if column.invisible and values is not None and _truth(column.invisible, values, model_name):
                    cells.append(None)
                    continue
                if column.readonly and _truth(column.readonly, values or static, model_name):
                    readonly.append(column.name)
                cells.append(self._cell(record, column, display))
            row = Row(record, cells, " ".join(classes), f"{base}/{record.id}{query}", readonly)
            row.select_label = select % row.label
            rows.append(row)
        return rows

    def _cell(self, record, column, display):
        """The HTML of one cell (Markup): text escaped, tags, badge or a read-only checkbox."""
        kind = column.type
        if kind in PLAIN_TYPES and not column.widget:
            return escape(record[column.name] or "")       # what display() gives, without the detour
        if column.selection is not None:
            value = record[column.name]
            text = column.selection.get(value, value or "")
        elif kind == "boolean":
            return column.checkboxes[bool(record[column.name])]
        elif kind == "many2many" and column.widget == "many2many_tags":
            return Markup('<span class="o-tags">%s</span>') % Markup("").join(
                Markup('<span class="o-tag">%s</span>') % tag.display_name for tag in record[column.name])
        else:
            text = display(record, column.name)
        if column.widget == "badge" and text:
            return Markup('<span class="o-badge">%s</span>') % text
        return escape(text)

    def input_values(self, row):
        """``{field: text}`` an editable row's inputs start with."""
        result = {}
        for column in self.columns:
            if column.type in INLINE_TYPES:
                result[column.name] = self.fmt.input_value(row.record, column.name) \
                    if column.type != "boolean" else bool(row.record[column.name])
        return result

    def editable_columns(self):
        """Columns an editable list edits in place (the others are read-only there)."""
        return [c for c in self.columns if c.type in INLINE_TYPES and not static_truth(c.readonly)
                and not c.field.readonly and c.field.store and not c.field.compute]

    # ------------------------------------------------------------ pager
    @property
    def pager(self):
        """(first, last, total text, previous url, next url) of the page, or None when empty."""
        shown = len(self.groups) if self.state.groupby else len(self.records)
        if not shown:
            return None
        first, last = self.offset + 1, self.offset + shown
        previous = self.url(offset=max(0, self.offset - self.limit) or None) if self.offset else None
        if self.state.groupby:
            more = self.more_groups
            total = f"{last}+" if more else str(last)
        else:
            more = last < self.count
            total = self.fmt.integer(self.count) + ("+" if self.capped else "")
        following = self.url(offset=self.offset + self.limit) if more else None
        return first, last, total, previous, following

    def count_domain_json(self):
        return json.dumps(self.domain, default=str)


def _digits(field):
    digits = getattr(field, "digits", None)
    return digits[1] if isinstance(digits, (tuple, list)) else 2


def _truth(expression, values, model_name):
    try:
        return evaluate_modifier(expression, values or {})
    except ValueError as exc:
        _logger.warning("list view of %s: %s", model_name, exc)
        return False


def _group_key(field, spec, value, item):
    """The part of a group's key that its value gives (stable across requests)."""
    if value is False or value is None:
        return None
    if field.type == "many2one":
        return value[0] if isinstance(value, (list, tuple)) else value
    if field.type in ("date", "datetime"):
        return (item.get("__range") or {}).get(spec, {}).get("from", value)
    return value
