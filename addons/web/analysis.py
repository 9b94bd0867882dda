"""What the graph and the pivot views share: their arch, the measures, the group-bys, and the
aggregates of a search over row and column group-bys, computed with ``read_group`` only.

- :class:`AnalysisArch` reads a ``<graph>`` or ``<pivot>`` arch (Odoo's attributes: ``type``,
  ``stacked``, ``order``, ``disable_linking``; ``<field type="row|col|measure" interval=...>``).
- :func:`measure_choices` lists what one may measure: Count, and the stored numeric fields the
  user may read that have an aggregator; :func:`check_measures` refuses any other name with a
  UserError naming it.
- :class:`Cube` holds the aggregates of a domain for every combination of a row path and a
  column path (a path: the group values from the top level down).  Every record never comes to
  Python: one ``read_group`` groups by the deepest row *and* column levels shown, and the
  coarser cells (subtotals, totals) are added up here from those groups — which is exact for
  ``sum``, ``count``, ``min``, ``max`` and, through a sum and a count, ``avg``.  A measure that
  cannot be added up (``count_distinct``) makes the cube ask ``read_group`` once per level
  combination instead.  Header values come in the order ``read_group`` would give them.
- :class:`AnalysisPage` is the base of both pages (``ViewPage``): the measures chosen, the
  labels and formatted values, cell domains and the list URL that opens a cell's records.

The pages themselves (their URL parameters, the pivot's header tree with expand, collapse
and flip, the chart's series) are ``GraphPage`` and ``PivotPage`` in ``controllers/graphview.py``
and ``controllers/pivotview.py``; the SVG drawing is ``graph_svg.py``.  Nothing here renders HTML.
"""
import csv
import io
import json
from urllib.parse import urlencode

from werkzeug.wrappers import Response

from core import domain as dom
from core.exceptions import UserError

from .formatting import _t, selection_of
from .search import NUMBER_TYPES
from .view_page import ViewPage

#: ``read_group`` aggregators a measure may use; the first four add up from finer groups
ROLLABLE = ("sum", "count", "min", "max", "avg")
MEASURABLE = ROLLABLE + ("count_distinct",)
COUNT = "__count"
#: groups of the deepest level one page may aggregate (beyond: a UserError asking to narrow)
MAX_GROUPS = 20_000
COUNT_LABEL = _t("Count")


def _flag(value):
    return (value or "").strip().lower() in ("1", "true", "yes")


# ---------------------------------------------------------------- the arch
class AnalysisArch:
    """A ``<graph>`` or ``<pivot>`` arch: group-bys by axis, measures, display attributes.
    A window without such a view gets an empty one (Count, no group-by), as in Odoo."""

    def __init__(self, window, view_type):
        view = window.view(view_type)
        root = view["root"]
        self.labels = {name: desc.get("string") for name, desc in view["fields"].items()}
        self.title = root.get("string")
        attrs = root.attrib
        self.chart_type = attrs.get("type") if attrs.get("type") in ("bar", "line", "pie") else "bar"
        self.stacked = _flag(attrs.get("stacked", "1"))
        self.order = attrs.get("order") if attrs.get("order") in ("asc", "desc") else None
        self.linking = not _flag(attrs.get("disable_linking"))
        self.rows, self.cols, self.measures = [], [], []
        model = window.records
        for node in root:
            name = node.get("name")
            if node.tag != "field" or name not in model._fields:
                continue
            kind = node.get("type")
            if kind == "measure":
                self.measures.append(name)
                continue
            if node.get("invisible") in ("1", "True"):
                continue
            spec = f"{name}:{node.get('interval')}" if node.get("interval") else name
            (self.cols if kind == "col" else self.rows).append(spec)


# ---------------------------------------------------------------- measures
class Measure:
    """Something the views aggregate: Count, or a numeric field with its aggregator."""

    def __init__(self, name, label, field=None):
        self.name = name
        self.label = label
        self.field = field
        self.aggregator = "count" if field is None else (field.aggregator or "sum")
        self.type = "integer" if field is None else field.type

    @property
    def rollable(self):
        return self.aggregator in ROLLABLE

    def specs(self):
        """The ``read_group`` aggregates this measure needs (avg: a sum and a count, to add up)."""
        if self.field is None:
            return []
        if self.aggregator == "avg":
            return [f"{self.name}__sum:sum({self.name})", f"{self.name}__n:count({self.name})"]
        return [f"{self.name}:{self.aggregator}"]

    def state(self, group, count):
        """What one group of ``read_group`` contributes, in a form :meth:`add` combines."""
        if self.field is None:
            return count
        if self.aggregator == "avg":
            return (group.get(f"{self.name}__sum") or 0, group.get(f"{self.name}__n") or 0)
        value = group.get(self.name)
        return None if value is False else value

    def add(self, a, b):
        if a is None:
            return b
        if b is None:
            return a
        if self.aggregator == "avg":
            return (a[0] + b[0], a[1] + b[1])
        if self.aggregator == "min":
            return min(a, b)
        if self.aggregator == "max":
            return max(a, b)
        return a + b

    def value(self, state):
        """The number a state stands for (None: no value, e.g. the average of nothing)."""
        if self.aggregator == "avg" and isinstance(state, tuple):
            return state[0] / state[1] if state[1] else None
        return state

    def digits(self):
        if self.type == "integer":
            return 0 if self.aggregator not in ("avg",) else 2
        if self.type == "monetary":
            return 2
        digits = getattr(self.field, "digits", None)
        return digits[1] if isinstance(digits, (tuple, list)) else 2


def measure_choices(model, fmt):
    """``{name: Measure}``: Count first, then the stored numeric fields the user may read, by label."""
    candidates = [name for name, field in model._fields.items()
                  if name != "id" and field.type in NUMBER_TYPES and field.store
                  and getattr(field, "column", None) and not getattr(field, "inherited", False)
                  and (field.aggregator or "sum") in MEASURABLE]
    described = model.fields_get(candidates, ["string"]) if candidates else {}
    fields = sorted(((desc.get("string") or name, name) for name, desc in described.items()),
                    key=lambda item: item[0].casefold())
    choices = {COUNT: Measure(COUNT, fmt._(COUNT_LABEL))}
    for label, name in fields:
        choices[name] = Measure(name, label, model._fields[name])
    return choices


def check_measures(names, choices, fmt):
    """The Measures of ``names`` (duplicates dropped); a UserError naming every unknown one."""
    unknown = [name for name in names if name not in choices]
    if unknown:
        raise UserError(fmt._("Cannot measure “%(names)s”: expected Count or a numeric field of this "
                              "model (%(choices)s).") % {"names": ", ".join(unknown),
                                                          "choices": ", ".join(choices)})
    result = []
    for name in names:
        if choices[name] not in result:
            result.append(choices[name])
    return result


# ---------------------------------------------------------------- group values
class Level:
    """One group-by (``field`` or ``field:interval``) and what it learnt of its values: their
    labels, the domain of each, and the order ``read_group`` gives them."""

    def __init__(self, model, spec, fmt):
        self.model = model
        self.spec = spec
        self.name, _, self.interval = spec.partition(":")
        self.field = model._fields[self.name]
        if self.field.type in ("date", "datetime") and not self.interval:
            self.interval = "month"
        self.fmt = fmt
        self.labels = {}
        self.domains = {}
        self.starts = {}            # date buckets: key -> start (sorts them)
        self._rank = None
        self._selection = dict(selection_of(model, self.name)) if self.field.type == "selection" else None

    def key(self, group):
        """The key of the group's value at this level (JSON-safe, stable across requests);
        its label and domain are noted on the way."""
        value = group.get(self.spec)
        kind = self.field.type
        if kind == "boolean":
            key = bool(value)
        elif value is False or value is None:
            key = None
        elif kind == "many2one":
            key = value[0] if isinstance(value, (list, tuple)) else value
        elif kind in ("date", "datetime"):
            key = ((group.get("__range") or {}).get(self.spec) or {}).get("from", value)
        else:
            key = value
        if key not in self.labels:
            self.labels[key] = self._label(value)
            self.domains[key] = self._domain(key, group)
        return key

    def _label(self, value):
        return self.fmt.group_label(self.field, value, self._selection)

    def _domain(self, key, group):
        if self.field.type in ("date", "datetime") and key is not None:
            bucket = (group.get("__range") or {}).get(self.spec) or {}
            return [(self.name, ">=", bucket.get("from", key)), (self.name, "<", bucket.get("to", key))]
        if self.field.type == "boolean":
            return [(self.name, "=", bool(key))]
        return [(self.name, "=", key if key is not None else False)]

    def rank(self, key):
        """A sort key giving this level's values in ``read_group``'s order, empty values last."""
        if self._rank is None:
            self._rank = self._ranks()
        return self._rank.get(key, (2, 0))

    def _ranks(self):
        keys = [key for key in self.labels if key is not None]
        kind = self.field.type
        if kind == "many2one":
            # the comodel's own order (what read_group orders many2one groups by); sudo only
            # to learn that order: the names shown come from read_group, as the user reads them
            comodel = self.model.env[self.field.comodel_name].sudo().with_context(active_test=False)
            ordered = comodel.search([("id", "in", keys)]).ids
            ordered += sorted(set(keys) - set(ordered))
        elif self._selection is not None:
            position = {value: i for i, value in enumerate(self._selection)}
            ordered = sorted(keys, key=lambda k: (position.get(k, len(position)), str(k)))
        else:
            ordered = sorted(keys, key=lambda k: (str(type(k)), k))
        ranks = {key: (0, i) for i, key in enumerate(ordered)}
        ranks[None] = (1, 0)
        return ranks


def path_json(path):
    """A header path as it travels in the URL: ``[3,"2024-01-01"]``."""
    return json.dumps(list(path), separators=(",", ":"), ensure_ascii=False, default=str)


def parse_paths(values, fmt, name):
    """The set of paths (tuples) of the URL parameter ``name``; a UserError if one is no JSON list."""
    paths = set()
    for text in values:
        if text == "":
            continue
        try:
            path = json.loads(text)
        except ValueError:
            path = None
        if not isinstance(path, list) or any(isinstance(k, (list, dict)) for k in path):
            raise UserError(fmt._("Invalid header path “%(path)s” in “%(name)s”: expected a JSON list.")
                            % {"path": text, "name": name})
        paths.add(tuple(path))
    return paths


# ---------------------------------------------------------------- the cube
class Cube:
    """The aggregates of ``domain`` for every (row path, column path) down to the given depths.

    ``cells[(row_path, col_path)]`` is the list of measure states of that cell; ``children``
    gives the sub-paths of a path in order, per axis.  See the module's docstring for how few
    ``read_group`` calls that takes.
    """

    def __init__(self, model, domain, rows, cols, measures, fmt):
        self.model = model
        self.domain = domain
        self.fmt = fmt
        self.measures = measures
        self.levels = {"row": [Level(model, spec, fmt) for spec in rows],
                       "col": [Level(model, spec, fmt) for spec in cols]}
        self.cells = {}
        self.queries = 0
        self.has_data = False           # did the search find any record?
        self._children = {"row": {}, "col": {}}

    def _specs(self):
        specs = []
        for measure in self.measures:
            specs.extend(spec for spec in measure.specs() if spec not in specs)
        return specs

    def _read(self, groupby):
        self.queries += 1
        try:
            groups = self.model.read_group(self.domain, self._specs(), groupby, limit=MAX_GROUPS + 1,
                                           lazy=False)
        except ValueError as exc:
            raise UserError(self.fmt._("Invalid search: %s") % exc) from None
        self.has_data = self.has_data or any(group.get("__count") for group in groups)
        if len(groups) > MAX_GROUPS:
            raise UserError(self.fmt._("Too many groups to show (more than %s): filter the records or "
                                       "group by fewer or coarser fields.") % self.fmt.integer(MAX_GROUPS))
        return groups

    def load(self, row_depth=None, col_depth=None):
        rows, cols = self.levels["row"], self.levels["col"]
        row_depth = len(rows) if row_depth is None else min(row_depth, len(rows))
        col_depth = len(cols) if col_depth is None else min(col_depth, len(cols))
        if all(measure.rollable for measure in self.measures):
            self._load_rolled(row_depth, col_depth)
        else:
            for i in range(row_depth + 1):
                for j in range(col_depth + 1):
                    self._load_exact(i, j)
        self._sort_children()
        return self

    def _keys(self, group, i, j):
        rows, cols = self.levels["row"], self.levels["col"]
        return (tuple(level.key(group) for level in rows[:i]), tuple(level.key(group) for level in cols[:j]))

    def _states(self, group):
        count = group.get("__count", 0)
        return [measure.state(group, count) for measure in self.measures]

    def _load_rolled(self, row_depth, col_depth):
        """One read_group at the finest level; every coarser cell added up from it."""
        specs = [level.spec for level in self.levels["row"][:row_depth]] + \
                [level.spec for level in self.levels["col"][:col_depth]]
        measures = self.measures
        cells = self.cells
        for group in self._read(specs):
            row, col = self._keys(group, row_depth, col_depth)
            states = self._states(group)
            for i in range(row_depth + 1):
                for j in range(col_depth + 1):
                    key = (row[:i], col[:j])
                    current = cells.get(key)
                    cells[key] = states if current is None else \
                        [m.add(a, b) for m, a, b in zip(measures, current, states)]
        if not cells:
            cells[((), ())] = [measure.state({}, 0) if measure.field is None else None for measure in measures]

    def _load_exact(self, i, j):
        specs = [level.spec for level in self.levels["row"][:i]] + [level.spec for level in self.levels["col"][:j]]
        for group in self._read(specs):
            self.cells[self._keys(group, i, j)] = self._states(group)

    def _sort_children(self):
        children = {"row": {}, "col": {}}
        for row, col in self.cells:
            if not col and row:
                children["row"].setdefault(row[:-1], set()).add(row)
            if not row and col:
                children["col"].setdefault(col[:-1], set()).add(col)
        for axis, tree in children.items():
            levels = self.levels[axis]
            self._children[axis] = {parent: sorted(paths, key=lambda p, lv=levels[len(parent)]: lv.rank(p[-1]))
                                    for parent, paths in tree.items()}

    # ------------------------------------------------------------ reading
    def children(self, axis, path):
        return self._children[axis].get(tuple(path), [])

    def has_children(self, axis, path):
        return bool(self._children[axis].get(tuple(path)))

    def values(self, row=(), col=()):
        """The measure values of a cell (None where it has no records)."""
        states = self.cells.get((tuple(row), tuple(col)))
        if states is None:
            return [None] * len(self.measures)
        return [measure.value(state) for measure, state in zip(self.measures, states)]

    def label(self, axis, path):
        if not path:
            return self.fmt._("Total")
        return self.levels[axis][len(path) - 1].labels.get(path[-1], "")

    def path_domain(self, axis, path):
        result = []
        for level, key in zip(self.levels[axis], path):
            result.extend(level.domains.get(key) or [])
        return result

    def cell_domain(self, row=(), col=()):
        leaves = self.path_domain("row", row) + self.path_domain("col", col)
        return dom.AND([self.domain, leaves]) if leaves else list(self.domain)


# ---------------------------------------------------------------- the page base
class AnalysisPage(ViewPage):
    """What the graph and pivot pages share: their arch, measures, number formats and the
    list of a cell's records."""

    def __init__(self, window, args, fmt):
        super().__init__(window, args, fmt)
        self.arch = AnalysisArch(window, self.view_type)
        self.choices = measure_choices(self.model, fmt)

    def checked_groupbys(self, specs):
        return [self.search.check_groupby(spec) for spec in specs if spec]

    def format(self, measure, value):
        """A measure's value as the user reads it (their language's separators)."""
        if value is None or value is False:
            return ""
        digits = measure.digits()
        if digits == 0 and float(value).is_integer():
            return self.fmt.integer(value)
        return self.fmt.number(value, digits or 2)

    @staticmethod
    def raw(measure, value):
        """A measure's value in a CSV file: a dot, no thousands separator."""
        if value is None or value is False:
            return ""
        digits = measure.digits()
        if digits == 0 and float(value).is_integer():
            return str(int(value))
        return f"{value:.{digits or 2}f}"

    def records_url(self, domain, label=None):
        """The list of the records of ``domain`` (a cell, a bar), coming back to this page.

        A window's URL carries no extra domain, so the records open in the model's own
        window with the whole domain (the action's, the search's and the cell's) and the
        action's context (without its search defaults, which the domain already holds)."""
        context = {key: value for key, value in self.window.context.items()
                   if not key.startswith("search_default_") and key != "group_by"
                   and _jsonable(value)}
        query = {"domain": json.dumps(domain, default=str, separators=(",", ":")),
                 "name": label or self.window.name, "back": self.current_url}
        if context:
            query["context"] = json.dumps(context, separators=(",", ":"))
        if self.window.menu_id:
            query["menu_id"] = self.window.menu_id
        return f"/web/model/{self.window.model}?" + urlencode(query)


def _jsonable(value):
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


def csv_download(rows, filename):
    """``rows`` as a CSV download (UTF-8 with a byte order mark, as the list's export)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    response = Response(("\ufeff" + buffer.getvalue()).encode("utf-8"), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
