"""A form view's architecture turned into HTML, in read or edit mode.

:class:`FormRenderer` walks the arch of a :class:`~addons.web.form_arch.FormArch` and
renders, over one record (saved, or a draft holding what the user typed):

- ``<header>``: the buttons and the statusbar; ``<sheet>``; ``<div name="button_box">``
  with its stat buttons;
- ``<group>``: label/value pairs on a grid of ``col`` columns (2 by default), nested
  groups side by side, a ``string`` as title; one column on a phone;
- ``<notebook>``/``<page>``: sections with a heading, which the script turns into tabs;
- ``<separator>``, ``<label for>``, ``<newline>``, and plain HTML elements, whose
  attributes are copied from an allow-list only (no ``on*``, no ``javascript:``);
- ``<field>``: the widget of ``form_widgets.py`` (``form_lines.py`` for one2many),
  with its label, error message and ``aria-*`` state;
- ``<chatter/>`` and Odoo's ``<div class="oe_chatter">`` (whose fields are not shown):
  nothing inside the form; :meth:`FormRenderer.chatter` asks the installed addons
  (hook ``render_chatter``) for what goes under it, for a saved record being read.

Modifiers are evaluated here, on the server; a node with modifiers carries
``data-node="<key>"`` so that the script can apply the values the onchange route sends.
A node invisible now is rendered hidden (the script may show it), never left out, so
that its inputs are posted with the form.

What the page around the form shows (control panel, pager, messages) is the template
``web/form.html``.
"""
import ast

from core.tools.safe_eval import EvalError, safe_eval

from .form_arch import (DISPLAY_WIDGETS, client_value, eval_values, evaluate, field_modifiers,
                        static_modifier)
from .form_lines import LinesRenderer
from .form_values import editable
from .form_widgets import Input, Widgets, label_text, options_of
from .formatting import selection_of
from .html_tools import h, join, safe_attributes

#: HTML elements a form arch may contain, copied with their safe attributes
HTML_TAGS = frozenset({"div", "span", "p", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i",
                       "u", "small", "br", "hr", "ul", "ol", "li", "a", "img", "code", "pre", "blockquote",
                       "table", "thead", "tbody", "tr", "td", "th", "section", "footer", "address", "abbr"})
#: elements in which a field's wrapper must be inline
INLINE_PARENTS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "p", "span", "label", "a", "strong", "em",
                            "b", "i", "small", "button"})
MAX_COLS = 12


class FormRenderer:
    """Renders the form ``arch`` over ``record`` for the user of ``fmt``.

    ``mode`` is ``'read'`` or ``'edit'``; ``form_input`` (a FormInput) gives back what
    was posted when the form is shown again (errors, texts that could not be read, the
    posted lines); ``record_id`` is the id of the saved record a draft stands for.
    """

    def __init__(self, arch, record, *, mode, fmt, context, page_url, save_url, button_url,
                 binary_url, form_input=None, record_id=None, errors=None, menu_id=None, cancel_url=None):
        self.arch = arch
        self.env = arch.env
        self.record = record
        self.editing = mode == "edit"
        self.fmt = fmt
        self.context = context
        self.page_url = page_url
        self.save_url = save_url
        self.button_url = button_url
        self.cancel_url = cancel_url      # where special="cancel" leads (a dialog's "Cancel")
        self.record_id = record_id if record_id is not None else (record.id if isinstance(record.id, int) else False)
        self.widgets = Widgets(fmt, page_url, lambda rec, name: binary_url(rec, name) if self.record_id else None,
                               menu_id)
        self.raw = form_input.raw if form_input else {}
        self.lines = form_input.lines if form_input else {}
        self.errors = dict(form_input.errors if form_input else {})
        self.errors.update(errors or {})
        self.values = eval_values(record, arch.names, context, self.record_id)
        self._ids = {}
        self._parent = None
        self.has_chatter = False

    # ------------------------------------------------------------ values
    def parent_values(self, names):
        """The form's values as ``parent`` in a sub-view's modifiers."""
        if self._parent is None:
            self._parent = dict(self.values)
        for name in names:
            if name not in self._parent and name in self.arch.model._fields:
                self._parent[name] = client_value(self.record, name)
        return self._parent

    def input_id(self, name):
        """``f-<name>`` for the first input of a field, ``f-<name>-2``... for the next ones."""
        count = self._ids.get(name, 0) + 1
        self._ids[name] = count
        return f"f-{name}" if count == 1 else f"f-{name}-{count}"

    def domain_of(self, node, field, record):
        """The domain of a relational field's autocomplete: the node's ``domain``
        expression evaluated with the record's values, else the field's own."""
        expression = node.get("domain")
        if expression is None:
            domain = field.domain if not callable(field.domain) else []
            if not isinstance(domain, str):
                return list(domain or [])
            expression = domain
        names = {"context": self.context, "uid": self.env.uid, "parent": self._parent or self.values}
        try:
            for item in ast.walk(ast.parse(expression.strip(), mode="eval")):
                if isinstance(item, ast.Name) and item.id in record._fields:
                    names[item.id] = client_value(record, item.id)
            value = safe_eval(expression, names)
        except (EvalError, SyntaxError, ValueError):
            return []
        return value if isinstance(value, list) else []

    # ------------------------------------------------------------ entry points
    def render(self):
        """The form's content (header and sheet) as Markup."""
        root = self.arch.root
        has_sheet = any(child.tag == "sheet" for child in root if isinstance(child.tag, str))
        body = self.children(root)
        return h("div", {"class": f"o-form-view o-form-{'edit' if self.editing else 'read'}"
                                  + ("" if has_sheet else " o-form-nosheet")}, body)

    def chatter(self, page_url):
        """What the addons show under the form for its ``<chatter/>`` (Markup), or None.

        Call it after :meth:`render`, which finds the tag.  Only a saved record being read
        has one: the chatter's own forms leave the page, which would lose an edit.
        """
        if not self.has_chatter or self.editing or not self.record_id or self.env.registry.hooks is None:
            return None
        record = self.arch.model.browse(self.record_id)
        return self.env.registry.hooks.hook.render_chatter(env=self.env, record=record, page_url=page_url)

    def field_widget(self, node):
        """The content of the field ``node``'s wrapper (what onchange answers replace)."""
        if node.get("widget") == "statusbar":
            return self._statusbar_list(node)
        return self._field_content(node, *self._field_state(node))

    def modifiers(self):
        """``{node key: [invisible, readonly, required]}`` of the nodes with modifiers."""
        result = {}
        for node in self.arch.modifier_nodes:
            if node.tag == "field" and node.get("name") in self.arch.model._fields:
                result[self.arch.key(node)] = list(field_modifiers(node, self.arch.field(node), self.values))
            else:
                result[self.arch.key(node)] = [evaluate(node, "invisible", self.values), False, False]
        return result

    # ------------------------------------------------------------ nodes
    def children(self, node, in_group=False):
        parts = []
        for child in node:
            if not isinstance(child.tag, str):
                continue
            parts.append(self.node(child, node))
            if child.tail and child.tail.strip() and not in_group:
                parts.append(child.tail)
        return join(parts)

    def node(self, node, parent):
        tag = node.tag
        method = getattr(self, f"_tag_{tag}", None)
        if method is not None:
            return method(node, parent)
        if tag in HTML_TAGS:
            return self._html(node, parent)
        if tag == "t":
            return self.children(node)
        return None      # an element this client does not show (unknown widgets)

    def _mod_attrs(self, node, extra_class=None):
        """``class`` plus ``data-node`` / ``hidden`` for a node that may be invisible."""
        attrs = {"class": " ".join(c for c in (extra_class, node.get("class")) if c) or None}
        if node.get("invisible") is not None:
            attrs["data-node"] = self.arch.key(node)
            attrs["hidden"] = evaluate(node, "invisible", self.values) or None
        return attrs

    def _tag_chatter(self, node, parent):
        self.has_chatter = True       # shown under the form: its forms cannot nest in this one
        return None

    def _html(self, node, parent):
        if node.tag == "div" and "oe_chatter" in (node.get("class") or "").split():
            return self._tag_chatter(node, parent)
        attrs = safe_attributes(node.attrib)
        attrs.update((k, v) for k, v in self._mod_attrs(node).items() if k != "class")
        if node.get("name") == "button_box" or "oe_button_box" in (node.get("class") or ""):
            attrs["class"] = (attrs.get("class", "") + " o-button-box").strip()
        if "oe_title" in (node.get("class") or ""):
            attrs["class"] = (attrs.get("class", "") + " o-title").strip()
        return h(node.tag, attrs, node.text if node.text and node.text.strip() else None, self.children(node))

    def _tag_header(self, node, parent):
        buttons = [self.node(child, node) for child in node
                   if isinstance(child.tag, str) and not (child.tag == "field" and child.get("widget") == "statusbar")]
        statusbar = [self._statusbar(child) for child in node
                     if isinstance(child.tag, str) and child.tag == "field" and child.get("widget") == "statusbar"]
        return h("div", {"class": "o-form-header"}, h("div", {"class": "o-form-buttons"}, buttons), statusbar)

    def _tag_sheet(self, node, parent):
        return h("div", {"class": "o-form-sheet"}, self.children(node))

    def _tag_newline(self, node, parent):
        return h("div", {"class": "o-newline"})

    def _tag_separator(self, node, parent):
        attrs = self._mod_attrs(node, "o-separator")
        if node.get("string"):
            return h("h3", attrs, node.get("string"))
        attrs["role"] = "separator"
        return h("div", attrs)

    def _tag_widget(self, node, parent):
        if node.get("name") == "web_ribbon":
            attrs = self._mod_attrs(node, "o-ribbon")
            return h("div", attrs, node.get("title") or node.get("text") or "")
        return None

    def _tag_label(self, node, parent):
        target = node.get("for")
        field_node = self.arch.first_node(target) if target else None
        string = node.get("string")
        if string is None and field_node is not None:
            string = label_text(field_node, self.arch.field(field_node))
        attrs = self._mod_attrs(node, "o-form-label")
        if field_node is not None and "data-node" not in attrs and self._is_dynamic(field_node, "invisible"):
            attrs["data-node"] = self.arch.key(field_node)
            attrs["hidden"] = evaluate(field_node, "invisible", self.values) or None
        if field_node is not None and self._field_state(field_node)[2]:
            attrs["class"] += " o-required"
        if self.editing and field_node is not None:
            attrs["for"] = f"f-{target}"
            attrs["id"] = f"f-{target}-label"
            return h("label", attrs, string or "")
        return h("span", attrs, string or "")

    @staticmethod
    def _is_dynamic(node, attribute):
        return node.get(attribute) is not None and static_modifier(node, attribute) is None

    # ------------------------------------------------------------ groups and notebooks
    def _tag_group(self, node, parent):
        children = [child for child in node if isinstance(child.tag, str)]
        inner = any(child.tag in ("field", "label") for child in children)
        try:
            cols = max(1, min(MAX_COLS, int(node.get("col") or 2)))
        except ValueError:
            cols = 2
        attrs = self._mod_attrs(node, f"o-group o-group-{'inner' if inner else 'outer'} o-cols-{cols}")
        title = h("div", {"class": "o-group-title", "role": "heading", "aria-level": "2"},
                  node.get("string")) if node.get("string") else None
        cells = []
        for child in children:
            if child.tag == "field" and child.get("name") in self.arch.model._fields:
                cells.append(self._group_field(child, cols))
            elif child.tag in ("separator", "newline"):
                cells.append(h("div", {"class": "o-cell o-span-all"}, self.node(child, node)))
            else:
                rendered = self.node(child, node)
                if rendered:
                    span = _span(child, 1, cols)
                    cells.append(h("div", {"class": f"o-cell o-span-{span}", **self._cell_mod(child)}, rendered))
        return h("div", attrs, title, cells)

    def _cell_mod(self, node):
        if node.get("invisible") is None:
            return {}
        return {"data-node": self.arch.key(node), "hidden": evaluate(node, "invisible", self.values) or None}

    def _group_field(self, node, cols):
        field = self.arch.field(node)
        invisible, readonly, required = self._field_state(node)
        mod = {"data-node": self.arch.key(node), "hidden": invisible or None}
        wrapper = self._field_wrapper(node, "div", invisible, readonly, required, with_node=False)
        if node.get("nolabel") in ("1", "True", "true"):
            span = _span(node, 2, cols)
            return h("div", {"class": f"o-cell o-cell-value o-span-{span}", **mod}, wrapper)
        label_id = f"{self._last_id(node)}-label"
        label_attrs = {"class": "o-form-label" + (" o-required" if required else ""), "id": label_id}
        if self.editing and not self._display_only(node, field):
            label = h("label", {"for": self._last_id(node), **label_attrs}, label_text(node, field))
        else:
            label = h("span", label_attrs, label_text(node, field))
        span = _span(node, 2, cols) - 1
        return join([h("div", {"class": "o-cell o-cell-label", **mod}, label),
                     h("div", {"class": f"o-cell o-cell-value o-span-{max(span, 1)}", **mod}, wrapper)])

    def _last_id(self, node):
        name = node.get("name")
        count = self._ids.get(name, 1)
        return f"f-{name}" if count <= 1 else f"f-{name}-{count}"

    def _tag_notebook(self, node, parent):
        pages = [child for child in node if isinstance(child.tag, str) and child.tag == "page"]
        tabs, sections = [], []
        for index, page in enumerate(pages):
            key = self.arch.key(page)
            mod = self._cell_mod(page)
            tabs.append(h("button", {"type": "button", "role": "tab", "id": f"tab-{key}", "aria-controls": f"page-{key}",
                                     "aria-selected": "true" if index == 0 else "false", "class": "o-tab", **mod},
                          page.get("string") or ""))
            sections.append(h("section", {"class": "o-page", "id": f"page-{key}", "role": "tabpanel",
                                          "aria-labelledby": f"tab-{key}", "data-page": key, **mod},
                              h("h2", {"class": "o-page-title"}, page.get("string") or ""),
                              self.children(page)))
        attrs = self._mod_attrs(node, "o-notebook")
        return h("div", attrs, h("div", {"class": "o-tabs", "role": "tablist", "hidden": True}, tabs), sections)

    # ------------------------------------------------------------ buttons
    def _tag_button(self, node, parent):
        kind = node.get("type") or "object"
        name = node.get("name")
        attrs = self._mod_attrs(node, "btn")
        if "oe_highlight" in (node.get("class") or "") or "btn-primary" in (node.get("class") or ""):
            attrs["class"] += " btn-primary"
        if node.get("special") == "cancel" and self.cancel_url:
            attrs["class"] += " o-button-cancel"
            return h("a", {**attrs, "href": self.cancel_url}, node.get("string") or self.fmt._("Cancel"))
        if not name or kind not in ("object", "action"):
            return h("button", {**attrs, "type": "button", "disabled": True}, node.get("string") or "")
        content = [node.get("string") or None]
        for child in node:
            if isinstance(child.tag, str) and child.tag == "field" and child.get("name") in self.arch.model._fields:
                field = self.arch.field(child)
                content.append(h("span", {"class": "o-stat-value", "data-node": self.arch.key(child),
                                          "data-widget": self.arch.key(child)},
                                 self.fmt.display(self.record, field.name)))
                content.append(h("span", {"class": "o-stat-text"}, label_text(child, field)))
        attrs.update({"type": "submit", "form": "o-form", "formaction": self.button_url, "name": "_button",
                      "value": f"{kind}:{name}", "formnovalidate": True,
                      "data-confirm": node.get("confirm"), "title": node.get("help")})
        return h("button", attrs, content)

    def _statusbar(self, node):
        key = self.arch.key(node)
        return h("div", {"class": "o-statusbar", "data-node": key, "data-widget": key}, self._statusbar_list(node))

    def _statusbar_list(self, node):
        field = self.arch.field(node)
        current = self.record[field.name]
        choices = selection_of(self.record, field.name) if field.type == "selection" else []
        visible = [v.strip() for v in (node.get("statusbar_visible") or "").split(",") if v.strip()]
        clickable = str(options_of(node).get("clickable", "")).lower() in ("1", "true")
        items = []
        for value, label in choices:
            if visible and value not in visible and value != current:
                continue
            if value == current:
                items.append(h("li", {"class": "o-status o-status-current", "aria-current": "step"}, label))
            elif clickable:
                items.append(h("li", {"class": "o-status"},
                               h("button", {"type": "submit", "form": "o-form", "formaction": self.button_url,
                                            "name": "_button", "value": f"status:{value}", "formnovalidate": True,
                                            "class": "o-status-button"}, label)))
            else:
                items.append(h("li", {"class": "o-status"}, label))
        return h("ol", {"aria-label": label_text(node, field)}, items)

    # ------------------------------------------------------------ fields
    def _tag_field(self, node, parent):
        if node.get("name") not in self.arch.model._fields:
            return None
        if node.get("widget") == "statusbar":
            return self._statusbar(node)
        invisible, readonly, required = self._field_state(node)
        tag = "span" if parent.tag in INLINE_PARENTS else "div"
        return self._field_wrapper(node, tag, invisible, readonly, required, with_node=True)

    def _field_state(self, node):
        field = self.arch.field(node)
        return field_modifiers(node, field, self.values)

    def _display_only(self, node, field):
        """Shown as text even in edit mode: read-only for good, or a display widget."""
        return not editable(node, field) or (
            field.type == "one2many" and not self.arch.subview(node).editable)

    def _field_wrapper(self, node, tag, invisible, readonly, required, with_node):
        field = self.arch.field(node)
        key = self.arch.key(node)
        attrs = {"class": f"o-field o-field-{field.type}" + (f" o-widget-{node.get('widget')}" if node.get("widget") else ""),
                 "data-name": field.name, "data-widget": key}
        if with_node:
            attrs["data-node"] = key
            attrs["hidden"] = invisible or None
        if self._is_dynamic(node, "readonly"):
            attrs["data-readonly"] = "1"
        content = self._field_content(node, invisible, readonly, required)
        label = None
        if (with_node and self.editing and field.name not in self.arch.labelled
                and not self._display_only(node, field) and field.type != "one2many"):
            # no <label for> in the view: a label for screen readers
            input_id = self._last_id(node)
            label = h("label", {"for": input_id, "id": f"{input_id}-label", "class": "o-sr-only"},
                      label_text(node, field))
        return h(tag, attrs, label, content)

    def _field_content(self, node, invisible, readonly, required):
        field = self.arch.field(node)
        name = field.name
        widget = node.get("widget")
        options = options_of(node)
        if node.get("filename") and node.get("filename") in self.record._fields:
            options["filename"] = self.record[node.get("filename")] or None
        if field.type == "one2many":
            self.input_id(name)
            return LinesRenderer(self, node).render(self.editing and not self._display_only(node, field),
                                                     readonly)
        if not self.editing or self._display_only(node, field) or widget in DISPLAY_WIDGETS:
            self.input_id(name)
            return self.widgets.display(self.record, field, widget, options)
        input_id = self.input_id(name)
        error = self.errors.get(name)
        spec = Input(name, input_id, readonly=readonly, required=required,
                     error_id=f"{input_id}-error" if error else None, raw=self.raw.get(name),
                     placeholder=node.get("placeholder"), widget=widget, options=options,
                     domain=self.domain_of(node, field, self.record) if field.relational else None)
        content = self.widgets.edit(self.record, field, spec)
        if error:
            content += h("p", {"class": "o-field-error", "id": f"{input_id}-error"}, error)
        return content


def _span(node, default, cols):
    try:
        span = int(node.get("colspan") or default)
    except ValueError:
        span = default
    return max(1, min(span, cols))
