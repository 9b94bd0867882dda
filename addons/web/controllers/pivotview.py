"""The pivot view: measures of a search over row and column group-bys, headers that expand
and collapse, totals, flipped axes, CSV export.

Routes, under both window prefixes ``/web/action/<id>`` and ``/web/model/<model>`` (W):

- ``GET W?view_type=pivot`` (or W when the pivot is the action's first view): the page, by
  the renderer registered here;
- ``GET W/pivot.csv``: the table as shown, as a CSV file, with the same query.

The state lives in the query, besides the search panel's parameters:

- ``pivot_row`` / ``pivot_col`` (repeated, in order): the group-by of each level of an axis;
  without them the rows are the search panel's group-bys, else the arch's ``type="row"``
  fields, and the columns the arch's ``type="col"`` fields;
- ``pivot_measure`` (repeated): the measures, else the arch's ``type="measure"`` fields, else Count;
- ``expand_row`` / ``expand_col`` (repeated): the JSON paths of the open headers, ``[]`` being
  the total; without them every header down to the last level is open.  A header of the last
  level offers the groupable fields: choosing one adds a level.

Every link of the page is built here, so the page works without JavaScript.  The numbers come
from ``analysis.Cube``: ``read_group`` at the deepest level shown, the rest added up.
"""
from urllib.parse import urlencode

from markupsafe import Markup, escape
from werkzeug.utils import redirect

from core import domain as dom
from core.exceptions import UserError
from core.http import Controller, request, route

from ..analysis import COUNT, AnalysisPage, Cube, check_measures, csv_download, parse_paths, path_json
from ..formatting import Formatter
from ..view_page import register
from ..window import window_paths

AXES = ("row", "col")


class Header:
    """A row or column header of the table: its path, label, and what clicking it does."""

    def __init__(self, axis, path, label, is_open):
        self.axis = axis
        self.path = path
        self.label = label
        self.depth = len(path)
        self.open = is_open
        self.url = None             # collapse (open) or expand (closed, a level below exists)
        self.choices = []           # closed on the last level: [(field label, url)] adding a level
        self.children = []
        self.leaves = 1             # data columns under a column header

    @property
    def key(self):
        return path_json(self.path)


class PivotPage(AnalysisPage):
    """One request's pivot table of a window, as the query ``args`` describes it."""

    view_type = "pivot"

    def __init__(self, window, args, fmt):
        super().__init__(window, args, fmt)
        arch = self.arch
        self.explicit = {name: name in args for name in ("pivot_row", "pivot_col", "pivot_measure")}
        self.levels = {
            "row": self.checked_groupbys(args.getlist("pivot_row")) if self.explicit["pivot_row"]
            else list(self.state.groupby) or self.checked_groupbys(arch.rows),
            "col": self.checked_groupbys(args.getlist("pivot_col")) if self.explicit["pivot_col"]
            else self.checked_groupbys(arch.cols),
        }
        names = [name for name in args.getlist("pivot_measure") if name] if self.explicit["pivot_measure"] \
            else arch.measures
        self.measures = check_measures(names or [COUNT], self.choices, fmt)
        self.opened = {axis: parse_paths(args.getlist(f"expand_{axis}"), fmt, f"expand_{axis}")
                       if f"expand_{axis}" in args else None for axis in AXES}
        self.cube = None
        self.trees = {}
        self._open_now = {}
        self._groupable = None
        self._base_query = None
        self._cell_base = None
        self._forms = {}
        self._columns = None

    # ------------------------------------------------------------ state
    def is_open(self, axis, path):
        if len(path) >= len(self.levels[axis]):
            return False
        opened = self.opened[axis]
        return opened is None or tuple(path) in opened

    def depth(self, axis):
        """How many levels of ``axis`` the open headers show (what read_group must group by)."""
        levels = len(self.levels[axis])
        opened = self.opened[axis]
        if opened is None:
            return levels
        depth = 0
        for path in opened:
            if len(path) < levels and all(path[:i] in opened for i in range(len(path))):
                depth = max(depth, len(path) + 1)
        return depth

    # ------------------------------------------------------------ URLs
    def query(self, state=None, **changes):
        query = super().query(state)
        if self.explicit["pivot_row"]:
            query["pivot_row"] = self.levels["row"] or [""]
        if self.explicit["pivot_col"]:
            query["pivot_col"] = self.levels["col"] or [""]
        if self.explicit["pivot_measure"]:
            query["pivot_measure"] = [m.name for m in self.measures]
        for axis in AXES:
            opened = self.opened[axis]
            query[f"expand_{axis}"] = None if opened is None else (sorted(map(path_json, opened)) or [""])
        query.update(changes)
        return query

    def search_url(self, state):
        """Another search: new search group-bys become the rows again (all open), as in Odoo."""
        if state.groupby != self.state.groupby:
            return self.url(state, pivot_row=None, expand_row=None)
        return self.url(state)

    def _open_param(self, paths):
        return sorted(map(path_json, paths)) or [""]

    def _levels_param(self, axis, levels):
        return {f"pivot_{axis}": list(levels) or [""]}

    def _fast_url(self, **changes):
        """This page's URL with ``changes``, from its query computed once (a table has many links)."""
        if self._base_query is None:
            self._base_query = self.query()
        return self.window.url(**{**self._base_query, **changes})

    def expand_url(self, axis, path):
        opened = self._open_now[axis] | {tuple(path)}
        return self._fast_url(**{f"expand_{axis}": self._open_param(opened)})

    def collapse_url(self, axis, path):
        path = tuple(path)
        opened = {p for p in self._open_now[axis] if p[:len(path)] != path}
        return self._fast_url(**{f"expand_{axis}": self._open_param(opened)})

    def choice_form(self, axis):
        """``(hidden fields, field name)`` of the form a closed header of the last level of
        ``axis`` shows: posted (GET) with the header's path and a field, it adds that level
        and opens the header.  One set of hidden fields serves every header of the axis."""
        if axis not in self._forms:
            query = dict(self._base_query or self.query())
            query[f"pivot_{axis}"] = list(self.levels[axis])
            query[f"expand_{axis}"] = self._open_param(self._open_now[axis])
            self._forms[axis] = self.hidden_fields(self.window.url(**query))
        return self._forms[axis], f"pivot_{axis}"

    def cell_url(self, row, col):
        """The link of a cell: a redirect to the list of its records (``W/pivot_records``),
        so that the page need not write every cell's domain."""
        if self._cell_base is None:
            self._cell_base = self.window.url(suffix="/pivot_records", **self._base_query or self.query())
            self._cell_base += "&" if "?" in self._cell_base else "?"
            self._cell_parts = {}
        # a table repeats each row's and each column's path in every cell: encode each once
        parts = self._cell_parts
        key_row, key_col = ("cell_row", row), ("cell_col", col)
        for key in (key_row, key_col):
            if key not in parts:
                parts[key] = urlencode({key[0]: path_json(key[1])})
        return f"{self._cell_base}{parts[key_row]}&{parts[key_col]}"

    def flip_url(self):
        changes = {**self._levels_param("row", self.levels["col"]), **self._levels_param("col", self.levels["row"])}
        for axis, other in (("row", "col"), ("col", "row")):
            opened = self.opened[other]
            changes[f"expand_{axis}"] = None if opened is None else self._open_param(opened)
        return self.url(**changes)

    def expand_all_url(self):
        return self.url(expand_row=None, expand_col=None)

    def collapse_all_url(self):
        return self.url(expand_row=[""], expand_col=[""])

    def measure_links(self):
        """``[(label, url or None, active)]``: each measure toggled (the last one stays)."""
        current = [m.name for m in self.measures]
        links = []
        for name, measure in self.choices.items():
            active = name in current
            names = [n for n in current if n != name] if active else current + [name]
            links.append((measure.label, self.url(pivot_measure=names) if names else None, active))
        return links

    def csv_url(self):
        return self.window.url(suffix="/pivot.csv", **self.query())

    def groupable(self, axis):
        """``[(spec, label)]`` a header of the last level of ``axis`` may be grouped by."""
        if self._groupable is None:
            self._groupable = []
            for name, label in self.search.groupable_fields():
                field = self.model._fields[name]
                spec = f"{name}:month" if field.type in ("date", "datetime") else name
                self._groupable.append((spec, label))
        used = {spec.partition(":")[0] for spec in self.levels[axis]}
        return [(spec, label) for spec, label in self._groupable if spec.partition(":")[0] not in used]

    # ------------------------------------------------------------ data
    def load(self):
        self.cube = Cube(self.model, self.domain, self.levels["row"], self.levels["col"], self.measures,
                         self.fmt).load(self.depth("row"), self.depth("col"))
        for axis in AXES:
            self._open_now[axis] = set()
            self.trees[axis] = self._tree(axis, ())
        for axis in AXES:
            self._links(self.trees[axis])
        return self

    def _tree(self, axis, path):
        """The visible headers under ``path`` (noting the open ones, which links need)."""
        cube = self.cube
        is_open = self.is_open(axis, path) and (cube.has_children(axis, path) or not path)
        header = Header(axis, path, cube.label(axis, path), is_open)
        if is_open:
            self._open_now[axis].add(path)
            header.children = [self._tree(axis, child) for child in cube.children(axis, path)]
            header.leaves = sum(child.leaves for child in header.children) or 1
        return header

    def _links(self, header):
        axis, path = header.axis, header.path
        if header.open:
            header.url = self.collapse_url(axis, path)
        elif len(path) < len(self.levels[axis]):
            header.url = self.expand_url(axis, path)
        else:
            header.choices = self.groupable(axis)
        for child in header.children:
            self._links(child)

    # ------------------------------------------------------------ the table
    def rows(self):
        """The row headers in reading order (each open header before its children)."""
        result = []

        def walk(header):
            result.append(header)
            for child in header.children:
                walk(child)
        walk(self.trees["row"])
        return result

    def column_header_rows(self):
        """The rows of column headers: ``[[(header, rowspan)]]``, from the top."""
        root = self.trees["col"]
        depth = self._max_depth(root)
        rows = [[] for _ in range(depth + 1)]

        def walk(header):
            rows[header.depth].append((header, 1 if header.open else depth - header.depth + 1))
            for child in header.children:
                walk(child)
        walk(root)
        return rows

    def _max_depth(self, header):
        return max([self._max_depth(child) for child in header.children], default=header.depth)

    def columns(self):
        """The column paths of the data columns: the leaves, then the total when the root is open."""
        if self._columns is not None:
            return self._columns
        leaves = self._columns = []

        def walk(header):
            if header.open and header.children:
                for child in header.children:
                    walk(child)
            else:
                leaves.append(header.path)
        walk(self.trees["col"])
        if self.trees["col"].open and self.trees["col"].children:
            leaves.append(())
        return leaves

    @property
    def total_column(self):
        return self.trees["col"].open and bool(self.trees["col"].children)

    def cells(self, row):
        """``[(text, url)]`` of a row: every data column, every measure."""
        linking = self.arch.linking
        result = []
        for col in self.columns():
            values = self.cube.values(row.path, col)
            url = None
            if linking and (row.path, col) in self.cube.cells:
                url = self.cell_url(row.path, col)
            for measure, value in zip(self.measures, values):
                result.append((self.format(measure, value), url))
        return result

    def cells_html(self, row):
        """A row's ``<td>`` cells as markup.  A pivot shows thousands of cells: built here in
        one pass, they cost a fifth of what the template's loop did."""
        columns = self.columns()
        total_from = (len(columns) - 1) * len(self.measures) if self.total_column else None
        parts = []
        for index, (text, url) in enumerate(self.cells(row), 1):
            css = "o-num o-total" if total_from is not None and index > total_from else "o-num"
            if url and text:
                parts.append(f'<td class="{css}"><a href="{escape(url)}">{escape(text)}</a></td>')
            else:
                parts.append(f'<td class="{css}">{escape(text)}</td>')
        return Markup("".join(parts))

    def cell_records_url(self, args):
        """The list of the records of the cell ``cell_row`` × ``cell_col`` of ``args``."""
        paths = {axis: parse_paths([args.get(f"cell_{axis}", "[]")], self.fmt, f"cell_{axis}") or {()}
                 for axis in AXES}
        row, col = next(iter(paths["row"])), next(iter(paths["col"]))
        leaves = []
        for axis, path in (("row", row), ("col", col)):
            if len(path) > len(self.levels[axis]):
                raise UserError(self.fmt._("Invalid cell: “%s” is deeper than the table.") % path_json(path))
            leaves += self.cube.path_domain(axis, path)
        domain = dom.AND([self.domain, leaves]) if leaves else list(self.domain)
        return self.records_url(domain, self._cell_label(row, col))

    def _cell_label(self, row, col):
        parts = [self.cube.label("row", row[:i + 1]) for i in range(len(row))]
        parts += [self.cube.label("col", col[:i + 1]) for i in range(len(col))]
        return " / ".join(parts) or self.window.name

    def path_label(self, axis, path):
        if not path:
            return self.cube.label(axis, ())
        return " / ".join(self.cube.label(axis, path[:i + 1]) for i in range(len(path)))

    def csv_rows(self):
        header = [" / ".join(self.search.groupby_label(s) for s in self.levels["row"][:self.depth("row")]) or ""]
        for col in self.columns():
            for measure in self.measures:
                header.append(f"{self.path_label('col', col)} / {measure.label}")
        rows = [header]
        for row in self.rows():
            line = [self.path_label("row", row.path)]
            for col in self.columns():
                for measure, value in zip(self.measures, self.cube.values(row.path, col)):
                    line.append(self.raw(measure, value))
            rows.append(line)
        return rows


@register("pivot")
def pivot_page(window, args):
    """The pivot view page of ``window``."""
    return PivotPage(window, args, Formatter(window.env)).load().render("web/pivot.html")


class PivotView(Controller):

    @route(window_paths("/pivot_records"), methods=["GET"], auth="user")
    def pivot_records(self, action_id=None, model=None, **params):
        """A cell's link: the list of its records (the page is loaded for the labels of its path)."""
        page = PivotPage.open(request.env, action_id, model, params, request.args)
        return redirect(page.cell_records_url(request.args), 303)

    @route(window_paths("/pivot.csv"), methods=["GET"], auth="user")
    def pivot_csv(self, action_id=None, model=None, **params):
        page = PivotPage.open(request.env, action_id, model, params, request.args)
        name = page.window.model.replace("/", "_")
        return csv_download(page.csv_rows(), f"{name}-pivot.csv")
