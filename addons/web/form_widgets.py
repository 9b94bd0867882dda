"""The widgets of form fields: how one field is shown (read mode) or edited (edit mode).

:class:`Widgets` renders the value of one field of one record as HTML (``Markup``),
as text or links in read mode, and as the inputs ``form_values.py`` reads back in edit
mode (see that module for the names of the inputs).  The one2many table and the layout
around a field (labels, groups, errors) are ``form_lines.py`` and ``form_render.py``.

Texts shown to the user go through the formatter's ``_()``; values are escaped by
:func:`~addons.web.html_tools.h`; HTML fields are shown sanitised.
"""
import json
from urllib.parse import urlencode

from .formatting import selection_of
from .html_sanitize import sanitize_html
from .html_tools import h, safe_url
from .window import back_param

#: widgets of char fields that show a link in read mode, with its URL scheme and input type
LINK_WIDGETS = {"email": ("mailto:", "email"), "url": ("", "url"), "phone": ("tel:", "tel")}


class Input:
    """Where and how one input is rendered: its name and id, and its state."""

    def __init__(self, name, input_id, *, readonly=False, required=False, error_id=None,
                 placeholder=None, label=None, raw=None, widget=None, options=None, domain=None):
        self.name = name
        self.id = input_id
        self.readonly = readonly
        self.required = required
        self.error_id = error_id
        self.placeholder = placeholder
        self.label = label            # aria-label when the input has no <label>
        self.raw = raw                # text to show back instead of the value
        self.widget = widget
        self.options = options or {}
        self.domain = domain

    def attrs(self, **extra):
        """The attributes every input carries (id, name, state, description)."""
        attrs = {"id": self.id, "name": self.name, "disabled": self.readonly or None,
                 "aria-required": "true" if self.required else None,
                 "aria-invalid": "true" if self.error_id else None,
                 "aria-describedby": self.error_id, "aria-label": self.label}
        attrs.update(extra)
        return attrs


class Widgets:
    """Renders field values for the user of ``fmt`` (a Formatter)."""

    def __init__(self, fmt, page_url, binary_url, menu_id=None):
        self.fmt = fmt
        self.env = fmt.env
        self.page_url = page_url            # the URL of the page, for "back" links
        self.menu_id = menu_id              # the app the user is in, kept by links
        self.binary_url = binary_url        # (record, field name) -> URL of its content
        self._can_create = {}

    def _(self, text):
        return self.fmt._(text)

    # ------------------------------------------------------------ read mode
    def display(self, record, field, widget=None, options=None):
        """The value of ``field`` of ``record`` shown as read-only HTML."""
        kind = field.type
        name = field.name
        value = record[name]
        if kind == "boolean":
            return h("input", {"type": "checkbox", "disabled": True, "checked": bool(value),
                               "aria-label": field.string, "class": "o-checkbox"})
        if kind == "many2one":
            return self.record_link(value)
        if kind == "many2many":
            return self.tags(value, widget == "many2many_tags")
        if kind == "html":
            return h("div", {"class": "o-html"}, sanitize_html(value or ""))
        if kind == "text":
            return h("div", {"class": "o-text"}, value or "")
        if kind == "binary":
            return self.binary_display(record, field, widget, options)
        if kind == "char" and widget in LINK_WIDGETS and value:
            scheme = LINK_WIDGETS[widget][0]
            url = safe_url(scheme + value if scheme else value)
            if url and (scheme or url.startswith(("http://", "https://"))):
                return h("a", {"href": url, "rel": "noopener noreferrer" if not scheme else None}, value)
        return h("span", {"class": "o-value"}, self.fmt.display(record, name))

    def record_url(self, record):
        """The form of ``record`` (its model's default views), coming back to this page."""
        query = {"menu_id": self.menu_id, "back": back_param(self.page_url)}
        return f"/web/model/{record._name}/{record.id}?" + urlencode({k: v for k, v in query.items() if v})

    def record_link(self, value):
        if not value:
            return h("span", {"class": "o-value"}, "")
        return h("a", {"href": self.record_url(value), "class": "o-m2o-link"}, value.display_name or "")

    def tags(self, records, as_tags=True):
        items = [h("li", {"class": "o-tag" if as_tags else None}, record.display_name or "")
                 for record in records]
        return h("ul", {"class": "o-tags" if as_tags else "o-m2m-list"}, items)

    def binary_display(self, record, field, widget, options):
        value = record[field.name]
        if not value:
            return h("span", {"class": "o-value o-muted"}, "")
        url = self.binary_url(record, field.name)
        if widget == "image" and url:
            return h("img", {"src": url, "alt": field.string, "class": "o-image"})
        filename = (options or {}).get("filename") or self._("Download")
        if not url:
            return h("span", {"class": "o-value"}, filename)
        return h("a", {"href": url, "class": "o-binary-link", "download": filename}, filename)

    # ------------------------------------------------------------ edit mode
    def edit(self, record, field, spec):
        """The inputs of ``field`` of ``record`` for ``spec`` (an :class:`Input`)."""
        kind = field.type
        method = getattr(self, f"_edit_{kind}", None)
        if method is None:
            return self._edit_char(record, field, spec)
        return method(record, field, spec)

    def _text_value(self, record, field, spec):
        if spec.raw is not None:
            return spec.raw
        return str(self.fmt.input_value(record, field.name))

    def _edit_char(self, record, field, spec):
        input_type = LINK_WIDGETS.get(spec.widget, (None, "text"))[1]
        size = getattr(field, "size", None)
        return h("input", spec.attrs(type=input_type, value=self._text_value(record, field, spec),
                                     placeholder=spec.placeholder, maxlength=size or None,
                                     **{"class": "o-input"}))

    def _edit_text(self, record, field, spec):
        return h("textarea", spec.attrs(rows="4" if field.type == "text" else "8",
                                        placeholder=spec.placeholder, **{"class": "o-input"}),
                 self._text_value(record, field, spec))

    _edit_html = _edit_text

    def _edit_integer(self, record, field, spec):
        return h("input", spec.attrs(type="text", inputmode="numeric" if field.type == "integer" else "decimal",
                                     value=self._text_value(record, field, spec),
                                     placeholder=spec.placeholder, **{"class": "o-input o-input-number"}))

    _edit_float = _edit_integer

    def _edit_monetary(self, record, field, spec):
        currency_field = getattr(field, "currency_field", None)
        currency = record[currency_field] if currency_field and currency_field in record._fields else None
        number = self._edit_integer(record, field, spec)
        if not currency:
            return number
        symbol = h("span", {"class": "o-currency", "aria-hidden": "true"}, currency.symbol or currency.name)
        after = getattr(currency, "position", "after") == "after"
        return h("span", {"class": "o-monetary"}, number if after else symbol, symbol if after else number)

    def _edit_boolean(self, record, field, spec):
        checked = bool(record[field.name]) if spec.raw is None else spec.raw not in ("", "0")
        box = h("input", spec.attrs(type="checkbox", value="1", checked=checked, **{"class": "o-checkbox"}))
        # the first value posted wins: the hidden 0 counts only when the box is not ticked
        hidden = h("input", {"type": "hidden", "name": spec.name, "value": "0",
                             "disabled": spec.readonly or None})
        return box + hidden

    def _edit_date(self, record, field, spec):
        return h("input", spec.attrs(type="date", value=self._text_value(record, field, spec),
                                     **{"class": "o-input"}))

    def _edit_datetime(self, record, field, spec):
        return h("input", spec.attrs(type="datetime-local", step="60",
                                     value=self._text_value(record, field, spec), **{"class": "o-input"}))

    def _edit_selection(self, record, field, spec):
        current = spec.raw if spec.raw is not None else (record[field.name] or "")
        options = selection_of(record, field.name)
        if spec.widget == "radio":
            items = []
            for index, (value, label) in enumerate(options):
                radio_id = f"{spec.id}-{index}"
                items.append(h("span", {"class": "o-radio"},
                               h("input", {"type": "radio", "id": radio_id, "name": spec.name, "value": value,
                                           "checked": str(value) == str(current),
                                           "disabled": spec.readonly or None,
                                           "aria-describedby": spec.error_id}),
                               h("label", {"for": radio_id}, label)))
            return h("div", {"id": spec.id, "role": "radiogroup", "class": "o-radios",
                             "aria-labelledby": f"{spec.id}-label", "aria-required": "true" if spec.required else None,
                             "aria-invalid": "true" if spec.error_id else None}, items)
        choices = [] if spec.required and current else [h("option", {"value": ""}, "")]
        for value, label in options:
            choices.append(h("option", {"value": value, "selected": str(value) == str(current)}, label))
        return h("select", spec.attrs(**{"class": "o-input"}), choices)

    def _edit_many2one(self, record, field, spec):
        value = record[field.name]
        display = spec.raw if spec.raw is not None else (value.display_name or "" if value else "")
        rid = "" if spec.raw is not None or not value else value.id
        list_id = f"{spec.id}-options"
        text = h("input", spec.attrs(type="text", name=f"{spec.name}.display", value=display,
                                     autocomplete="off", role="combobox", placeholder=spec.placeholder,
                                     **{"aria-autocomplete": "list", "aria-expanded": "false",
                                        "aria-controls": list_id, "class": "o-input o-m2o-input"}))
        hidden = h("input", {"type": "hidden", "name": spec.name, "value": rid, "class": "o-m2o-id",
                             "disabled": spec.readonly or None})
        listbox = h("ul", {"id": list_id, "role": "listbox", "class": "o-autocomplete", "hidden": True})
        link = None
        if value and spec.raw is None and not spec.options.get("no_open"):
            link = h("a", {"href": self.record_url(value),
                           "class": "o-m2o-open", "title": self._("Open"), "aria-label": self._("Open")}, "↗")
        return h("div", self._autocomplete_attrs(field, spec, "o-m2o"), text, hidden, listbox, link)

    def _autocomplete_attrs(self, field, spec, css):
        options = spec.options
        can_create = not options.get("no_create") and self.can_create(field.comodel_name)
        return {"class": css, "data-model": field.comodel_name,
                "data-domain": json.dumps(spec.domain or []),
                "data-create": "1" if can_create and not options.get("no_quick_create") else None,
                "data-create-edit": "1" if can_create and not options.get("no_create_edit") else None,
                "data-create-label": self._("Create “%s”"), "data-create-edit-label": self._("Create and edit…"),
                "data-empty-label": self._("No records found")}

    def can_create(self, model_name):
        if model_name not in self._can_create:
            from core import security
            self._can_create[model_name] = self.env.su or security.check_model_access(
                self.env, model_name, "create", raise_exception=False)
        return self._can_create[model_name]

    def _edit_many2many(self, record, field, spec):
        value = record[field.name]
        as_tags = spec.widget == "many2many_tags"
        items = []
        for tag in value:
            box_id = f"{spec.id}-{tag.id}"
            items.append(h("li", {"class": "o-tag" if as_tags else "o-m2m-item", "data-id": tag.id},
                           h("input", {"type": "checkbox", "id": box_id, "name": f"{spec.name}.{tag.id}",
                                       "value": "1", "checked": True, "class": "o-tag-check",
                                       "disabled": spec.readonly or None}),
                           h("label", {"for": box_id}, tag.display_name or ""),
                           h("button", {"type": "button", "class": "o-tag-remove", "hidden": True,
                                        "aria-label": self._("Remove %s") % (tag.display_name or "")}, "×")))
        marker = h("input", {"type": "hidden", "name": spec.name, "value": "",
                             "disabled": spec.readonly or None})
        list_id = f"{spec.id}-options"
        adder = h("input", spec.attrs(type="text", name=f"{spec.name}.add", value=spec.raw or "",
                                      autocomplete="off", role="combobox",
                                      placeholder=spec.placeholder or self._("Add…"),
                                      **{"aria-autocomplete": "list", "aria-expanded": "false",
                                         "aria-controls": list_id, "class": "o-input o-m2m-input"}))
        listbox = h("ul", {"id": list_id, "role": "listbox", "class": "o-autocomplete", "hidden": True})
        attrs = self._autocomplete_attrs(field, spec, "o-m2m" + (" o-m2m-tags" if as_tags else ""))
        attrs["data-name"] = spec.name
        attrs["data-remove-label"] = self._("Remove %s")
        return h("div", attrs, marker, h("ul", {"class": "o-tags" if as_tags else "o-m2m-list"}, items),
                 adder, listbox)

    def _edit_binary(self, record, field, spec):
        current = self.binary_display(record, field, spec.widget, spec.options) if record[field.name] else None
        upload = h("input", spec.attrs(type="file", accept="image/*" if spec.widget == "image" else None,
                                       **{"class": "o-input"}))
        clear = None
        if record[field.name]:
            clear_id = f"{spec.id}-clear"
            clear = h("span", {"class": "o-binary-clear"},
                      h("input", {"type": "checkbox", "id": clear_id, "name": f"{spec.name}._clear", "value": "1",
                                  "disabled": spec.readonly or None}),
                      h("label", {"for": clear_id}, self._("Remove")))
        return h("div", {"class": "o-binary"}, current, upload, clear)


def label_text(node, field):
    return node.get("string") or field.string


def options_of(node):
    """The ``options`` attribute of a node as a dict (Python-like literal); {} if unreadable."""
    text = node.get("options")
    if not text:
        return {}
    try:
        import ast
        value = ast.literal_eval(text.strip())
    except (ValueError, SyntaxError):
        return {}
    return value if isinstance(value, dict) else {}

