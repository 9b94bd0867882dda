"""The graph view: a chart of one measure over one or two group-bys, drawn on the server.

Routes, under both window prefixes ``/web/action/<id>`` and ``/web/model/<model>`` (W):

- ``GET W?view_type=graph`` (or W when the graph is the action's first view): the page, by
  the renderer registered here — the control panel (search, chart type, measure, stacked,
  order, CSV, view switcher), the SVG chart (``graph_svg.py``), the data table under it;
- ``GET W/graph.csv``: that data table as a CSV file, with the same query.

The state is all in the query, as every view's: ``graph_type=bar|line|pie``,
``graph_measure=<field>|__count``, ``stacked=0|1``, ``graph_order=asc|desc``, besides the
search panel's parameters.  The group-bys are the search panel's when it has some, else the
arch's; the first gives the categories, the second the series.  One ``read_group`` computes
everything (``analysis.Cube``); nothing of the records is loaded.
"""
from markupsafe import Markup

from core.exceptions import UserError
from core.http import Controller, request, route

from .. import graph_svg
from ..analysis import COUNT, AnalysisPage, Cube, check_measures, csv_download
from ..formatting import Formatter, _t
from ..view_page import register
from ..window import window_paths

CHART_TYPES = {"bar": _t("Bar"), "line": _t("Line"), "pie": _t("Pie")}
ORDERS = {"": _t("Default order"), "desc": _t("Largest first"), "asc": _t("Smallest first")}


class GraphPage(AnalysisPage):
    """One request's chart of a window, as the query ``args`` describes it."""

    view_type = "graph"

    def __init__(self, window, args, fmt):
        super().__init__(window, args, fmt)
        arch = self.arch
        self.chart_type = args.get("graph_type") or arch.chart_type
        if self.chart_type not in CHART_TYPES:
            raise UserError(fmt._("Unknown chart type “%s”: expected bar, line or pie.") % self.chart_type)
        default_measure = arch.measures[0] if arch.measures else COUNT
        self.measure = check_measures([args.get("graph_measure") or default_measure], self.choices, fmt)[0]
        stacked = args.get("stacked")
        if stacked not in (None, "", "0", "1"):
            raise UserError(fmt._("The parameter “stacked” must be 0 or 1, not “%s”.") % stacked)
        self.stacked = arch.stacked if stacked in (None, "") else stacked == "1"
        order = args.get("graph_order")
        self.order = (arch.order or "") if order in (None, "") else "" if order == "none" else order
        if self.order not in ORDERS:
            raise UserError(fmt._("Unknown order “%s”: expected asc or desc.") % self.order)
        self.groupbys = (list(self.state.groupby) or self.checked_groupbys(arch.rows + arch.cols))[:2]
        self.cube = None
        self.categories = []
        self.series = []

    # ------------------------------------------------------------ URLs
    def query(self, state=None, **changes):
        query = super().query(state)
        arch = self.arch
        query["graph_type"] = self.chart_type if self.chart_type != arch.chart_type else None
        default_measure = arch.measures[0] if arch.measures else COUNT
        query["graph_measure"] = self.measure.name if self.measure.name != default_measure else None
        query["stacked"] = ("1" if self.stacked else "0") if self.stacked != arch.stacked else None
        query["graph_order"] = (self.order or "none") if self.order != (arch.order or "") else None
        query.update(changes)
        return query

    def csv_url(self):
        return self.window.url(suffix="/graph.csv", **self.query())

    def type_links(self):
        return [(kind, self.fmt._(label), self.url(graph_type=kind), kind == self.chart_type)
                for kind, label in CHART_TYPES.items()]

    def measure_links(self):
        return [(m.label, self.url(graph_measure=m.name), m is self.measure) for m in self.choices.values()]

    def order_links(self):
        return [(self.fmt._(label), self.url(graph_order=order or "none"), order == self.order)
                for order, label in ORDERS.items()]

    def stacked_url(self):
        return self.url(stacked="0" if self.stacked else "1")

    # ------------------------------------------------------------ data
    def load(self):
        rows, cols = self.groupbys[:1], self.groupbys[1:2]
        self.cube = cube = Cube(self.model, self.domain, rows, cols, [self.measure], self.fmt).load()
        categories = cube.children("row", ()) if rows else [()]
        if self.order:
            categories.sort(key=lambda path: cube.values(path)[0] or 0, reverse=self.order == "desc")
        self.categories = categories if cube.has_data else []
        self.series = cube.children("col", ()) if cols else [()]
        return self

    @property
    def several(self):
        return len(self.groupbys) > 1

    def value(self, category, series=()):
        return self.cube.values(category, series)[0]

    def category_label(self, path):
        return self.cube.label("row", path)

    def series_label(self, path):
        return self.cube.label("col", path) if path else self.measure.label

    def text(self, value):
        return self.format(self.measure, value)

    def groupby_labels(self):
        return [self.search.groupby_label(spec) for spec in self.groupbys]

    def title(self):
        kind = self.fmt._(CHART_TYPES[self.chart_type])
        labels = self.groupby_labels()
        if not labels:
            return self.fmt._("%(kind)s chart of %(measure)s") % {"kind": kind, "measure": self.measure.label}
        return self.fmt._("%(kind)s chart of %(measure)s by %(groups)s") % {
            "kind": kind, "measure": self.measure.label, "groups": self.fmt._(" and ").join(labels)}

    def chart(self):
        """The SVG of the chart (Markup)."""
        labels = [self.category_label(path) for path in self.categories]
        no_data = self.fmt._("No data to show")
        title = self.title()
        if self.chart_type == "pie":
            items = [(self._slice_label(c, s), self.value(c, s)) for c in self.categories for s in self.series]
            slices = graph_svg.pie_slices(items, self.fmt._("Others"))
            return graph_svg.pie_chart(slices, self.text, title, no_data=no_data)
        series = [(self.series_label(s), [self.value(c, s) for c in self.categories]) for s in self.series]
        draw = graph_svg.line_chart if self.chart_type == "line" else graph_svg.bar_chart
        return draw(labels, series, self.text, title, stacked=self.stacked, no_data=no_data,
                    tick_text=self.fmt.number)

    def _slice_label(self, category, series):
        label = self.category_label(category)
        return f"{label} / {self.series_label(series)}" if series else label

    def left_out(self):
        """A pie cannot show negative or zero values: the note saying some were left out."""
        if self.chart_type != "pie":
            return None
        if any((self.value(c, s) or 0) < 0 for c in self.categories for s in self.series):
            return self.fmt._("Negative values cannot be shown in a pie chart: they are left out.")
        return None

    def table_rows(self):
        """``[(label, records url, [value texts per series], total text)]`` of the data table."""
        linking = self.arch.linking
        result = []
        for category in self.categories:
            label = self.category_label(category)
            url = self.records_url(self.cube.cell_domain(category), label) if linking else None
            result.append((label, url, [self.text(self.value(category, s)) for s in self.series],
                           self.text(self.value(category))))
        return result

    def csv_rows(self):
        header = [" / ".join(self.groupby_labels()) or self.fmt._("Total")]
        header += [self.series_label(s) for s in self.series]
        if self.several:
            header.append(self.fmt._("Total"))
        rows = [header]
        for category in self.categories:
            row = [self.category_label(category)] + [self.raw(self.measure, self.value(category, s))
                                                     for s in self.series]
            if self.several:
                row.append(self.raw(self.measure, self.value(category)))
            rows.append(row)
        return rows


@register("graph")
def graph_page(window, args):
    """The graph view page of ``window``."""
    page = GraphPage(window, args, Formatter(window.env)).load()
    return page.render("web/graph.html", chart=Markup(page.chart()))


class GraphView(Controller):

    @route(window_paths("/graph.csv"), methods=["GET"], auth="user")
    def graph_csv(self, action_id=None, model=None, **params):
        page = GraphPage.open(request.env, action_id, model, params, request.args)
        name = page.window.model.replace("/", "_")
        return csv_download(page.csv_rows(), f"{name}-graph.csv")
