"""The one2many table of a form: lines shown, or edited inline when the list is
``editable``.

Each line is a table row keyed ``<field>.<key>`` (``line_ids.0``, ``line_ids.x3`` for a
line added in the browser).  In edit mode a row holds the line's id in a hidden input,
an input per editable column (named ``line_ids.0.quantity``), the read-only columns as
text (``data-cell`` names them, so that the onchange answer can replace them) and a
"delete" checkbox.  A ``<template>`` row, filled with the comodel's defaults and keyed
``__KEY__``, is what the script clones to add a line; without script, the "Add a line"
button posts the form back and gets it again with one more empty row.

Rendering only: reading the posted lines back is ``form_values.py``.
"""
from .form_arch import evaluate, eval_values, static_modifier
from .form_values import LineEntry, editable
from .form_widgets import Input, label_text, options_of
from .html_tools import h, join

NUMERIC = ("integer", "float", "monetary")
TEMPLATE_KEY = "__KEY__"


class LinesRenderer:
    """Renders the x2many field ``node`` of the form being rendered by ``form``
    (a :class:`~addons.web.form_render.FormRenderer`)."""

    def __init__(self, form, node):
        self.form = form
        self.node = node
        self.name = node.get("name")
        self.sub = form.arch.subview(node)
        self.fmt = form.fmt

    # ------------------------------------------------------------ values
    def parent_values(self):
        return self.form.parent_values(self.sub.parent_names)

    def line_values(self, line, parent):
        return eval_values(line, self.sub.names, self.form.context, parent=parent)

    def columns(self, parent):
        """``[(node, field, column_invisible)]`` of the list, handles left out."""
        result = []
        for column in self.sub.columns:
            if column.get("widget") == "handle":
                continue
            hidden = evaluate(column, "column_invisible", {"parent": parent, "context": self.form.context,
                                                             "uid": self.form.env.uid})
            result.append((column, self.sub.field_of(column), hidden))
        return result

    def entries(self):
        """The lines to show: those posted (kept with their keys), else the record's."""
        posted = self.form.lines.get(self.name)
        if posted is not None:
            return posted
        lines = self.form.record[self.name]
        return [LineEntry(str(index), line.id if isinstance(line.id, int) else None, line)
                for index, line in enumerate(lines)]

    # ------------------------------------------------------------ rendering
    def render(self, editing, readonly):
        parent = self.parent_values()
        columns = self.columns(parent)
        entries = self.entries()
        inline = editing and self.sub.editable
        head = [h("th", {"scope": "col", "data-col": self.sub.keys[c], "hidden": hidden or None,
                         "class": "o-num" if f.type in NUMERIC else None}, label_text(c, f))
                for c, f, hidden in columns]
        if inline:
            head.append(h("th", {"class": "o-line-actions"}, h("span", {"class": "o-sr-only"}, self.fmt._("Delete"))))
        rows = []
        for entry in entries:
            if entry.deleted:
                rows.append(self._deleted_row(entry))
                continue
            rows.append(self.row(entry, columns, parent, inline, readonly))
        foot = self._footer(columns, entries, inline)
        table = h("table", {"class": "o-x2m-table"}, h("thead", {}, h("tr", {}, head)),
                  h("tbody", {}, rows), foot)
        if not inline:
            empty = None if entries else h("p", {"class": "o-x2m-empty o-muted"}, self.fmt._("No lines."))
            return h("div", {"class": "o-x2m", "data-name": self.name}, table if entries else None, empty)
        next_key = _next_key(entries)
        template = h("template", {"class": "o-line-template"},
                     self.row(LineEntry(TEMPLATE_KEY, None, self.template_line()), columns, parent, True, False))
        add = h("button", {"type": "submit", "name": "_add_line", "value": self.name, "formnovalidate": True,
                           "class": "btn o-add-line", "disabled": readonly or None,
                           "formaction": self.form.save_url}, self.fmt._("Add a line"))
        marker = h("input", {"type": "hidden", "name": self.name, "value": "", "disabled": readonly or None})
        return h("div", {"class": "o-x2m o-x2m-editable", "data-name": self.name, "data-next": next_key},
                 marker, table, template, h("div", {"class": "o-x2m-actions"}, add))

    def template_line(self):
        names = [column.get("name") for column in self.sub.columns]
        return self.sub.comodel.new(self.sub.comodel.default_get(names))

    def row(self, entry, columns, parent, inline, readonly):
        line = entry.record
        values = self.line_values(line, parent)
        prefix = f"{self.name}.{entry.key}"
        cells = []
        for column, field, hidden in columns:
            cells.append(self.cell(entry, line, column, field, hidden, values, prefix, inline, readonly))
        if inline:
            delete_id = _id(f"{prefix}._delete")
            cells.append(h("td", {"class": "o-line-actions"},
                           h("input", {"type": "hidden", "name": f"{prefix}.id", "value": entry.id or "",
                                       "disabled": readonly or None}),
                           h("input", {"type": "checkbox", "id": delete_id, "name": f"{prefix}._delete", "value": "1",
                                       "class": "o-line-delete", "disabled": readonly or None}),
                           h("label", {"for": delete_id, "class": "o-line-delete-label",
                                       "title": self.fmt._("Delete line")},
                             h("span", {"aria-hidden": "true", "class": "o-line-delete-icon"}, "×"),
                             h("span", {"class": "o-sr-only"}, self.fmt._("Delete line")))))
        return h("tr", {"class": "o-line", "data-key": entry.key}, cells)

    def cell(self, entry, line, column, field, hidden, values, prefix, inline, readonly):
        key = f"{prefix}.{self.sub.keys[column]}"
        invisible = evaluate(column, "invisible", values)
        cell_readonly = readonly or evaluate(column, "readonly", values, field.readonly)
        required = evaluate(column, "required", values, field.required)
        attrs = {"data-col": self.sub.keys[column], "hidden": hidden or None,
                 "class": "o-num" if field.type in NUMERIC else None, "data-cell": f"{prefix}.{field.name}"}
        if not inline or not editable(column, field) or field.type == "one2many":
            content = None if invisible else self.form.widgets.display(line, field, column.get("widget"))
            if not inline and entry.id and column is self._first_column():
                content = h("a", {"href": self._line_url(entry.id)}, self.fmt.display(line, field.name) or "—")
            return h("td", attrs, h("span", {"data-node": key, "hidden": invisible or None}, content))
        name = f"{prefix}.{field.name}"
        error = entry.errors.get(field.name)
        input_id = _id(name)
        spec = Input(name, input_id, readonly=cell_readonly, required=required,
                     error_id=f"{input_id}-error" if error else None, raw=entry.raw.get(field.name),
                     widget=column.get("widget"), options=options_of(column),
                     placeholder=column.get("placeholder"),
                     domain=self.form.domain_of(column, field, line) if field.relational else None)
        widget = self.form.widgets.edit(line, field, spec)
        return h("td", attrs,
                 h("div", {"class": "o-field", "data-node": key, "data-widget": key, "hidden": invisible or None,
                           "data-readonly": "1" if static_modifier(column, "readonly", None) is None else None},
                   h("label", {"for": input_id, "class": "o-sr-only"}, label_text(column, field)),
                   widget,
                   h("p", {"class": "o-field-error", "id": f"{input_id}-error"}, error) if error else None))

    def _first_column(self):
        return next((c for c in self.sub.columns if c.get("widget") != "handle"), None)

    def _line_url(self, line_id):
        return self.form.widgets.record_url(self.sub.comodel.browse(line_id))

    def _deleted_row(self, entry):
        prefix = f"{self.name}.{entry.key}"
        return h("tr", {"class": "o-line o-line-deleted", "data-key": entry.key, "hidden": True},
                 h("td", {}, h("input", {"type": "hidden", "name": f"{prefix}.id", "value": entry.id}),
                   h("input", {"type": "hidden", "name": f"{prefix}._delete", "value": "1"})))

    def _footer(self, columns, entries, inline):
        if not any(column.get("sum") for column, _f, _hidden in columns):
            return None
        lines = [entry.record for entry in entries if not entry.deleted]
        cells = []
        for column, field, hidden in columns:
            text = ""
            if column.get("sum") and field.type in NUMERIC:
                total = sum((line[field.name] or 0) for line in lines)
                text = self.fmt.integer(total) if field.type == "integer" else self.fmt.number(total, 2)
            cells.append(h("td", {"data-col": self.sub.keys[column], "hidden": hidden or None,
                                  "class": "o-num", "data-cell": f"{self.name}.sum.{field.name}"}, text))
        if inline:
            cells.append(h("td", {}))
        return h("tfoot", {}, h("tr", {}, cells))

    # ------------------------------------------------------------ onchange answers
    def cells_html(self, entries, changed):
        """``{data-cell: html}`` for the cells of ``changed`` ``{key: names}`` plus the sums."""
        parent = self.parent_values()
        columns = self.columns(parent)
        result = {}
        by_key = {entry.key: entry for entry in entries}
        for key, names in changed.items():
            entry = by_key[key]
            values = self.line_values(entry.record, parent)
            prefix = f"{self.name}.{key}"
            for column, field, hidden in columns:
                if field.name in names:
                    cell = self.cell(entry, entry.record, column, field, hidden, values, prefix, True, False)
                    result[f"{prefix}.{field.name}"] = _inner(cell)
        foot = self._footer(columns, entries, True)
        if foot is not None:
            for column, field, _hidden in columns:
                if column.get("sum"):
                    lines = [e.record for e in entries if not e.deleted]
                    total = sum((line[field.name] or 0) for line in lines)
                    text = self.fmt.integer(total) if field.type == "integer" else self.fmt.number(total, 2)
                    result[f"{self.name}.sum.{field.name}"] = str(join([text]))
        return result

    def modifiers(self, entries):
        """``{node key: [invisible, readonly, required]}`` of every cell with modifiers, and
        ``{column key: hidden}`` of the columns."""
        parent = self.parent_values()
        columns = self.columns(parent)
        nodes = {}
        for entry in entries:
            if entry.deleted:
                continue
            values = self.line_values(entry.record, parent)
            for column, field, _hidden in columns:
                if all(static_modifier(column, m) is not None for m in ("invisible", "readonly", "required")):
                    continue
                key = f"{self.name}.{entry.key}.{self.sub.keys[column]}"
                nodes[key] = [evaluate(column, "invisible", values),
                              evaluate(column, "readonly", values, field.readonly),
                              evaluate(column, "required", values, field.required)]
        return nodes, {self.sub.keys[column]: hidden for column, _f, hidden in columns}


def _inner(cell):
    """The content of a ``<td>`` rendered by :meth:`LinesRenderer.cell`."""
    text = str(cell)
    return text[text.index(">") + 1:text.rindex("</td>")]


def _next_key(entries):
    numbers = [int(entry.key) for entry in entries if entry.key.isdigit()]
    return max(numbers, default=-1) + 1


def _id(name):
    return "f-" + name.replace(".", "-")
