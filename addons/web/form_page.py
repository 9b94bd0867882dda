"""One form page: a record of a window shown, edited, saved; what the controller needs
besides the routes.

:class:`FormPage` holds the window, the form arch and the record of a request, and
knows the page's URLs (read, edit, save, buttons, duplicate, archive, delete), the
previous/next pager over the list the user came from (``back``: its search is run
again), how to render the page (``web/form.html``) and how to save what was posted:
parse (``form_values.py``), check the view's required and read-only modifiers, then
``write``/``create`` inside a savepoint, so that a refused save leaves nothing behind
while its page (status 422, the user's input kept) is still answered.

The routes themselves are ``controllers/formview.py``.
"""
from urllib.parse import parse_qsl, urlsplit

from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import NotFound

from core.exceptions import UserError

from .form_arch import FormArch, client_value, eval_values, field_modifiers
from .form_lines import LineEntry, _next_key
from .form_render import FormRenderer
from .form_values import (build_draft, editable, field_of_message, line_defaults, read_form,
                          write_values)
from .formatting import Formatter
from .window import back_param, breadcrumbs

NUMERIC = ("integer", "float", "monetary")
#: how many records of the list the previous/next pager runs through
MAX_PAGER_IDS = 20000


class FormPage:
    """The form of ``record`` (an id, ``'new'``) in ``window``, for the request's user."""

    def __init__(self, window, res_id, params):
        self.window = window
        self.env = window.env
        self.params = params
        self.fmt = Formatter(self.env)
        self.arch = FormArch(self.env, window.model, window.view("form"))
        self.back = back_param(params.get("back")) if params.get("back") else None
        if res_id == "new":
            self.record = window.records.browse()
        else:
            self.record = window.records.browse(res_id).exists()
            if not self.record:
                raise NotFound(self.fmt._("This record does not exist (any more)."))

    # ------------------------------------------------------------ URLs
    @property
    def key(self):
        return self.record.id if self.record else "new"

    def url(self, record=None, suffix="", **query):
        target = self.key if record is None else record
        return self.window.url(target, suffix, back=self.back, **query)

    @property
    def read_url(self):
        return self.url()

    @property
    def list_url(self):
        return self.back or self.window.url()

    def binary_url(self, record, name):
        return self.window.url(self.record.id, f"/binary/{name}") if self.record else None

    # ------------------------------------------------------------ rendering
    def render(self, draft=None, *, mode="read", form_input=None, errors=None, message=None, status=200,
               warning=None):
        from .controllers.home import render_page
        editing = mode == "edit"
        record = draft if draft is not None else self.record
        page_url = self.url(edit=1 if editing and self.record else None)
        renderer = FormRenderer(
            self.arch, record, mode=mode, fmt=self.fmt, context=self.window.context, page_url=page_url,
            save_url=self.url(), button_url=self.url(suffix="/button"), binary_url=self.binary_url,
            form_input=form_input, record_id=self.record.id if self.record else False, errors=errors,
            menu_id=self.window.menu_id, cancel_url=self.list_url)
        body = renderer.render()
        chatter = renderer.chatter(self.url()) if self.record and draft is None else None
        all_errors = dict(renderer.errors)
        if form_input is not None:
            for name, entries in form_input.lines.items():
                for entry in entries:
                    for sub, text in entry.errors.items():
                        all_errors.setdefault(f"{name}.{entry.key}.{sub}", text)
        label = self.record.display_name if self.record else self.fmt._("New")
        active_name = self.window.records._active_name
        values = {
            "page": self,
            "mode": mode,
            "form_html": body,
            "chatter_html": chatter,
            "crumbs": breadcrumbs(self.env, self.back, label or self.fmt._("Unnamed")),
            "pager": self.pager() if self.record else None,
            "message": message,
            "warning": warning,
            "error_links": self._error_links(all_errors),
            "can_write": self.window.can("write"),
            "can_create": self.window.can("create"),
            "can_unlink": self.window.can("unlink"),
            "active_name": active_name if self.record else None,
            "active": bool(self.record[active_name]) if self.record and active_name else True,
            "done": self._done_message(),
        }
        return render_page("web/form.html", values, window=self.window, status=status)

    def _error_links(self, errors):
        """``[(input id, label, message)]`` for the message at the top of the form."""
        links = []
        order = {name: index for index, name in enumerate(self.arch.field_names)}
        for name, text in sorted(errors.items(), key=lambda item: order.get(item[0].split(".")[0], len(order))):
            parts = name.split(".")
            field = self.arch.model._fields.get(parts[0])
            if field is None:
                continue
            label = field.string
            input_id = f"f-{parts[0]}"
            if len(parts) == 3:
                sub = self.env[field.comodel_name]._fields.get(parts[2])
                label = f"{label} › {sub.string if sub else parts[2]}"
                input_id = "f-" + name.replace(".", "-")
            links.append((input_id, label, text))
        return links

    def _done_message(self):
        messages = {"duplicated": self.fmt._("This is the copy: change what differs, then save."),
                    "archived": self.fmt._("The record is archived."),
                    "unarchived": self.fmt._("The record is active again."),
                    "saved": self.fmt._("Saved.")}
        return messages.get(self.params.get("done"))

    # ------------------------------------------------------------ pager
    def _list_search(self):
        """(domain, order) of the list the user came from (its search run again), or the window's."""
        if self.back:
            parts = urlsplit(self.back)
            if parts.path == self.window.base_url:
                from .listing import ListPage
                try:
                    page = ListPage(self.window, MultiDict(parse_qsl(parts.query)), self.fmt)
                    return page.domain, page.order
                except (UserError, ValueError):
                    return None
            return None
        return self.window.domain, None

    def pager(self):
        """``(position, total, previous url, next url)`` of the record in its list, or None."""
        search = self._list_search()
        if search is None:
            return None
        domain, order = search
        try:
            ids = self.window.records.search(domain, order=order, limit=MAX_PAGER_IDS).ids
        except ValueError:
            return None
        if self.record.id not in ids or len(ids) < 2:
            return None
        index = ids.index(self.record.id)
        previous = ids[index - 1]
        following = ids[(index + 1) % len(ids)]
        return (index + 1, len(ids), self.url(previous), self.url(following))

    # ------------------------------------------------------------ new records
    def new_draft(self):
        """A new record filled with its defaults (``default_*`` of the window's context
        first) and the creation onchange run over them."""
        model = self.arch.model
        names = [name for name in model._fields if name not in ("id",)]
        defaults = model.default_get(names)
        draft = model.new(defaults)
        draft._apply_onchanges(list(defaults))
        return draft

    # ------------------------------------------------------------ saving
    def read_post(self):
        return read_form(self.arch, self.fmt, self.record, self.params)

    def add_line(self, form_input, name):
        """One more (empty) line in the one2many ``name`` of the posted form."""
        node = self.arch.first_node(name)
        if node is None or self.arch.field(node).type != "one2many" or not self.arch.subview(node).editable:
            raise UserError(self.fmt._("Lines cannot be added to “%s” here.") % name)
        entries = form_input.lines.setdefault(name, [])
        entry = LineEntry(str(_next_key(entries)))
        sub = self.arch.subview(node)
        entry.values = {k: v for k, v in line_defaults(sub).items()
                        if editable(next(c for c in sub.columns if c.get("name") == k), sub.comodel._fields[k])}
        entries.append(entry)

    def check(self, form_input, draft):
        """Errors of the view's required fields, and the read-only fields and line columns
        (``(readonly names, line_readonly function)``) with the draft's values."""
        values = eval_values(draft, self.arch.names, self.window.context, self.record.id or False)
        readonly = set()
        seen = set()
        required_message = self.fmt._("This field is required.")
        for node in self.arch.field_nodes:
            name = node.get("name")
            if name in seen:
                continue
            seen.add(name)
            field = self.arch.field(node)
            invisible, is_readonly, required = field_modifiers(node, field, values)
            if is_readonly or not editable(node, field):
                readonly.add(name)
            elif required and not invisible and name not in form_input.errors and _missing(draft, field, form_input):
                form_input.errors[name] = required_message
        line_readonly = {}
        for name, entries in form_input.lines.items():
            node = self.arch.first_node(name)
            sub = self.arch.subview(node)
            parent = dict(values)
            parent.update({n: client_value(draft, n) for n in sub.parent_names
                           if n not in parent and n in draft._fields})
            for entry in entries:
                if entry.deleted:
                    continue
                line_values = eval_values(entry.record, sub.names, self.window.context, parent=parent)
                skip = set()
                for column in sub.columns:
                    field = sub.field_of(column)
                    invisible, is_readonly, required = field_modifiers(column, field, line_values)
                    if is_readonly or not editable(column, field):
                        skip.add(field.name)
                    elif (required and not invisible and field.name not in entry.errors
                          and _missing(entry.record, field, entry)):
                        entry.errors[field.name] = required_message
                line_readonly[(name, entry.key)] = skip
        return readonly, lambda name, entry: line_readonly.get((name, entry.key), set())

    def save(self, form_input):
        """Write (or create) what ``form_input`` holds.  Returns ``(record, None)``, or
        ``(None, response)``: the form shown again with the errors, nothing saved."""
        draft = build_draft(self.arch, self.record, form_input)
        readonly, line_readonly = self.check(form_input, draft)
        if form_input.has_errors:
            return None, self.invalid(form_input, draft, self.fmt._("The form has errors: correct them, then save again."))
        values = write_values(self.arch, self.record, form_input, readonly, line_readonly)
        try:
            with self.env.cr.savepoint():
                if self.record:
                    if values:
                        self.record.write(values)
                    record = self.record
                else:
                    record = self.arch.model.create(values)
        except UserError as exc:
            # the savepoint rolled back (and emptied the cache): show the form again from the post
            message = str(exc)
            name = field_of_message(self.arch.model, message, self.arch.field_names)
            errors = {name: message} if name else {}
            draft = build_draft(self.arch, self.record, form_input)
            return None, self.invalid(form_input, draft, message, errors)
        return record, None

    def invalid(self, form_input, draft, message, errors=None):
        return self.render(draft, mode="edit", form_input=form_input, errors=errors, message=message, status=422)


def _missing(record, field, form_input):
    """Is required ``field`` without a value (as posted, else on the draft)?"""
    if field.type == "boolean":
        return False
    if field.name in form_input.values:
        value = form_input.values[field.name]
        return value is False or value is None or value == "" or value == []
    if field.type in NUMERIC:
        return False
    return not record[field.name]

