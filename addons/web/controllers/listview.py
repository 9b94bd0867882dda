"""The list view: a window's records page by page, searched, grouped, acted on in bulk,
edited in place, exported as CSV.

Routes, under both window prefixes ``/web/action/<id>`` and ``/web/model/<model>`` (W):

- ``GET W[?view_type=...]``: the window in one of its views: the list here, the others
  by the function their module registers (``view_page.register``); the action's first
  view by default; a form-only action, or one with a ``res_id``, redirects to its form
  (``W/<id>`` or ``W/new``, served by ``formview.py``);
- ``POST W/bulk``: delete, archive or unarchive the selected ids, or every record of
  the search; back to the list with a message;
- ``GET|POST W/export``: the page choosing what to export; posted with ``fields``, the
  CSV file (``export.py``);
- ``JSON W/save_row``: an editable list's row written (or created) in place;
- ``JSON /web/dataset/search_count``: the exact count the pager's "1000+" asks for;
- ``JSON /web/search/records``: records of a many2one searched by name, for the
  search box's suggestions.

Everything runs as the user (``request.env``): access rights and record rules apply.
What a page shows is computed by ``listing.py`` and ``search.py``; here are only the
requests and their answers.
"""
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import NotFound
from werkzeug.utils import redirect

from core import domain as dom
from core.exceptions import UserError
from core.http import Controller, request, route, safe_redirect_target

from ..export import Exporter, csv_response
from ..formatting import Formatter, ParseError
from ..html_sanitize import sanitize_html
from ..listing import ListArch, ListPage
from ..view_page import register, renderer
from ..window import Window, breadcrumbs, window_paths
from .home import render_page

OPERATIONS = ("delete", "archive", "unarchive")
MAX_SUGGESTIONS = 8


def open_window(action_id, model, params):
    """The window of a request under a window root (``window_paths``)."""
    return Window.from_request(request.env, action_id, model, params)


def ids_param(values, fmt):
    """Record ids sent by a page (form fields, JSON): whole numbers, else a UserError naming the value."""
    ids = []
    for value in values:
        if not str(value).isdigit():
            raise UserError(fmt._("Invalid record id “%s”.") % value)
        ids.append(int(value))
    return ids


@register("list")
def list_page(window, args):
    """The list view page of ``window``."""
    fmt = Formatter(window.env)
    return ListPage(window, args, fmt).load().render(
        "web/list.html", message=_done_message(fmt, args), help=sanitize_html(window.help) if window.help else "")


class ListView(Controller):

    # ------------------------------------------------------------ the page
    @route(window_paths(), methods=["GET"], auth="user")
    def window_page(self, action_id=None, model=None, **params):
        """The window in the view ``view_type`` asks for, else its first view this client shows."""
        window = open_window(action_id, model, params)
        if action_id and not params.get("view_type"):
            action = request.env["ir.actions.act_window"].browse(action_id)
            if action.res_id:
                return redirect(window.url(action.res_id, back=params.get("back")), 303)
        view_type = params.get("view_type") or window.default_view_type()
        if view_type == "form":
            return redirect(window.url("new", back=params.get("back")), 303)
        render = renderer(view_type) if view_type in window.view_modes else None
        if render is None:
            raise NotFound(Formatter(window.env)._("This window has no “%s” view.") % view_type)
        return render(window, request.args)

    # ------------------------------------------------------------ bulk actions
    @route(window_paths("/bulk"), methods=["POST"], auth="user")
    def bulk(self, action_id=None, model=None, **params):
        window = open_window(action_id, model, params)
        fmt = Formatter(window.env)
        form = request.form
        operation = form.get("operation")
        method = operation[len("object:"):] if operation and operation.startswith("object:") else None
        if method is not None:
            # only a button of the list view's header: never any other method of the model
            if method not in [name for name, _label, _confirm in ListArch(window, fmt).header_buttons]:
                raise UserError(fmt._("The list has no button “%s”.") % method)
        elif operation not in OPERATIONS:
            raise UserError(fmt._("Unknown operation “%s”: expected delete, archive or unarchive.")
                            % (operation or ""))
        records = self._chosen(window, form, fmt)
        if not records:
            raise UserError(fmt._("Select at least one record first."))
        count = len(records)
        if method is not None:
            getattr(records, method)()
            operation = "done"
        elif operation == "delete":
            records.unlink()
        else:
            active = window.records._active_name
            if not active:
                raise UserError(fmt._("These records cannot be archived."))
            records.write({active: operation == "unarchive"})
        target = safe_redirect_target(form.get("return_url"), default=None) or window.url()
        separator = "&" if "?" in target else "?"
        return redirect(f"{target}{separator}done={operation}&n={count}", 303)

    def _chosen(self, window, form, fmt):
        """The records a bulk request acts on: the ticked ids, or the whole search with ``all``."""
        if form.get("all"):
            page = ListPage(window, form, fmt)
            return window.records.with_context(active_test=False).search(page.domain) \
                if form.get("operation") == "unarchive" else window.records.search(page.domain)
        ids = ids_param(form.getlist("ids"), fmt)
        return window.records.browse(ids).exists()

    # ------------------------------------------------------------ export
    @route(window_paths("/export"), methods=["GET", "POST"], auth="user")
    def export(self, action_id=None, model=None, **params):
        window = open_window(action_id, model, params)
        fmt = Formatter(window.env)
        values = request.values
        page = ListPage(window, values, fmt)
        exporter = Exporter(window, fmt)
        ids = ids_param(values.getlist("ids"), fmt)
        scope = values.get("scope") or ("selected" if ids and not values.get("all") else "all")
        if scope not in ("selected", "all"):
            raise UserError(fmt._("Unknown export scope “%s”.") % scope)
        keys = [key for key in values.getlist("fields") if key]
        if request.method == "POST" and values.get("download"):
            keys = exporter.check(keys)
            if scope == "selected":
                records = window.records.browse(ids).exists()
            else:
                records = window.records.search(page.domain, order=page.order)
            return csv_response(exporter, records, keys, import_compat=bool(values.get("import_compat")))
        count_all = window.records.search_count(page.domain)
        return render_page("web/export.html", {
            "page": page,
            "crumbs": breadcrumbs(window.env, page.current_url, fmt._("Export")),
            "choices": exporter.choices(keys or [c.name for c in page.columns]),
            "ids": ids,
            "scope": scope,
            "count_all": count_all,
        }, window=window)

    # ------------------------------------------------------------ editable lists
    @route(window_paths("/save_row"), type="json", auth="user")
    def save_row(self, action_id=None, model=None, id=None, values=None, **params):  # noqa: A002
        window = open_window(action_id, model, params)
        fmt = Formatter(window.env)
        page = ListPage(window, MultiDict(), fmt)
        page.columns = page.arch.columns        # the answer carries every column
        if not page.arch.editable:
            raise UserError(fmt._("This list is not editable in place."))
        if not isinstance(values, dict):
            raise UserError(fmt._("Nothing to save."))
        editable = {column.name: column for column in page.editable_columns()}
        vals = {}
        for name, text in values.items():
            column = editable.get(name)
            if column is None:
                raise UserError(fmt._("The field “%s” cannot be edited in this list.") % name)
            try:
                vals[name] = fmt.parse(column.field, text)
            except ParseError as exc:
                raise UserError(f"{column.label}: {exc}") from None
        if id:
            record = window.records.browse(ids_param([id], fmt))
            if not record.exists():
                raise UserError(fmt._("This record does not exist any more."))
            if vals:
                record.write(vals)
        else:
            record = window.records.create(vals)
        row = page.make_rows(record)[0]
        return {
            "id": record.id,
            "url": window.url(record.id),
            "classes": row.classes,
            "cells": {column.name: cell for column, cell in zip(page.columns, row.cells)},
            "values": page.input_values(row),
        }

    # ------------------------------------------------------------ JSON helpers
    @route("/web/dataset/search_count", type="json", auth="user")
    def search_count(self, model=None, domain=None, context=None):
        env = request.env
        if not isinstance(model, str) or model not in env:
            raise UserError(f"Unknown model {model!r}.")
        if not isinstance(context, (dict, type(None))):
            raise UserError("The context must be an object.")
        try:
            domain = dom.normalize(domain or [])
            return env[model].with_context(**(context or {})).search_count(domain)
        except ValueError as exc:
            raise UserError(f"Invalid domain: {exc}") from None

    @route("/web/search/records", type="json", auth="user")
    def search_records(self, model=None, field=None, text=None):
        env = request.env
        if not isinstance(model, str) or model not in env:
            raise UserError(f"Unknown model {model!r}.")
        target = env[model]._fields.get(field) if isinstance(field, str) else None
        if target is None or target.type not in ("many2one", "many2many"):
            raise UserError(f"{model} has no relational field {field!r}.")
        return [[rid, name] for rid, name in
                env[target.comodel_name].name_search(str(text or ""), limit=MAX_SUGGESTIONS)]


def _done_message(fmt, args):
    done, count = args.get("done"), args.get("n", "")
    if not count.isdigit():
        return None
    count = int(count)
    messages = {
        "delete": fmt._("%(count)s record(s) deleted."),
        "archive": fmt._("%(count)s record(s) archived."),
        "unarchive": fmt._("%(count)s record(s) unarchived."),
        "done": fmt._("Done for %(count)s record(s)."),
    }
    return messages[done] % {"count": count} if done in messages else None
