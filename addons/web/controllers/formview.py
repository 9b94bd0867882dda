"""The form view: reading, editing, saving records; buttons; autocomplete and onchange.

Routes, under both window prefixes ``/web/action/<id>`` and ``/web/model/<model>`` (W):

- ``GET W/<id>``: the record in read mode (``?edit=1``: edit mode); ``POST W/<id>``: save
  what the form posted, then back to read mode (303); the form again with the errors
  (422, nothing saved) when it cannot be saved; with ``_add_line=<one2many>`` the form
  again with one more line, nothing saved (the "Add a line" of a page without script);
- ``GET W/new``: a new record with its defaults and creation onchange; ``POST W/new``: create;
- ``POST W/<id>/button`` (``W/new/button``): a button of the form (``_button`` =
  ``object:<method>``, ``action:<action id>`` or ``status:<value>`` for a clickable
  statusbar), after saving the form when it was being edited; only buttons of the
  user's view, and only public methods, can be pressed;
- ``POST W/<id>/duplicate``, ``/archive``, ``/unarchive``, ``/delete``;
- ``GET W/<id>/binary/<field>``: the content of a binary field;
- JSON ``/web/dataset/name_search``, ``/web/dataset/name_create``: the autocomplete of
  relational fields; JSON ``/web/dataset/onchange``: the form's live changes.

Everything runs as the user (``request.env``).  The work is done by ``form_page.py``
(a page: URLs, pager, render, save), ``form_render.py`` and ``form_onchange.py``.
"""
import base64
import json
import mimetypes
from urllib.parse import urlencode

from werkzeug.exceptions import BadRequest, NotFound
from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from core import domain as dom
from core.exceptions import AccessError, UserError
from core.http import Controller, request, route, safe_redirect_target
from core.rpc.describe import MethodNotFound, rpc_method
from core.tools.safe_eval import EvalError, safe_eval

from ..form_arch import check_button, client_value, eval_values, evaluate
from ..form_onchange import onchange_answer
from ..form_page import FormPage
from ..form_values import build_draft
from ..form_widgets import options_of
from ..formatting import selection_of
from ..window import Window, int_param, window_paths

MAX_NAME_SEARCH = 100
#: the beginnings of images a browser may show inline (never SVG: it may carry script)
IMAGE_SIGNATURES = {b"\x89PNG": "image/png", b"\xff\xd8\xff": "image/jpeg", b"GIF8": "image/gif",
                    b"RIFF": "image/webp"}


def open_window(action_id, model, params):
    return Window.from_request(request.env, action_id, model, params)


def _page(action_id, model, res_id, params):
    return FormPage(open_window(action_id, model, params), res_id, params)


def _check(page, operation):
    if not page.window.can(operation):
        raise AccessError(page.fmt._("You are not allowed to change records of “%s”.")
                          % page.window.records._description)


class FormView(Controller):

    # ------------------------------------------------------------ pages
    @route(window_paths("/<int:res_id>"), methods=["GET", "POST"], auth="user")
    def record(self, res_id, action_id=None, model=None, **params):
        page = _page(action_id, model, res_id, params)
        if request.method == "GET":
            editing = params.get("edit") and page.window.can("write")
            return page.render(mode="edit" if editing else "read")
        _check(page, "write")
        return self._submit(page)

    @route(window_paths("/new"), methods=["GET", "POST"], auth="user")
    def new(self, action_id=None, model=None, **params):
        page = _page(action_id, model, "new", params)
        _check(page, "create")
        if request.method == "GET":
            return page.render(page.new_draft(), mode="edit")
        return self._submit(page)

    def _submit(self, page):
        form_input = page.read_post()
        line_field = page.params.get("_add_line")
        if line_field:
            page.add_line(form_input, line_field)
            return page.render(build_draft(page.arch, page.record, form_input), mode="edit", form_input=form_input)
        record, response = page.save(form_input)
        if response is not None:
            return response
        return redirect(page.window.url(record, back=page.back), 303)

    # ------------------------------------------------------------ buttons
    @route(window_paths("/<int:res_id>/button") + window_paths("/new/button"), methods=["POST"], auth="user")
    def button(self, action_id=None, model=None, res_id=None, **params):
        page = _page(action_id, model, res_id or "new", params)
        kind, _sep, name = str(params.get("_button") or "").partition(":")
        if kind == "status":
            node = page.arch.statusbar_node()
            if node is None or str(options_of(node).get("clickable", "")).lower() not in ("1", "true"):
                raise BadRequest(page.fmt._("The status of this form cannot be changed by clicking it."))
        elif kind in ("object", "action"):
            node = check_button(page.arch, kind, name)
        else:
            raise BadRequest(page.fmt._("Unknown button “%s”.") % (params.get("_button") or ""))
        if params.get("_mode") == "edit" or not page.record:
            _check(page, "write" if page.record else "create")
            record, response = page.save(page.read_post())
            if response is not None:
                return response
            page.record = record
        record = page.record
        if kind == "status":
            field = page.arch.field(node)
            visible = [v.strip() for v in (node.get("statusbar_visible") or "").split(",") if v.strip()]
            values = [str(value) for value, _label in selection_of(record, field.name)]
            if name not in values or (visible and name not in visible):
                raise BadRequest(page.fmt._("“%s” is not a status of this record.") % name)
            _check(page, "write")
            record.write({field.name: name})
            return redirect(page.url(), 303)
        values = eval_values(record, page.arch.names, page.window.context, record.id)
        if evaluate(node, "invisible", values):
            raise UserError(page.fmt._("This button cannot be used on this record now."))
        if kind == "action":
            return self._open_action(page, record, name)
        try:
            # the same rule as the external API: no private method, whatever the view says
            function = rpc_method(record, name)
        except MethodNotFound:
            raise BadRequest(page.fmt._("The form of %(model)s has no button %(name)s.")
                             % {"model": page.window.records._description, "name": name}) from None
        try:
            with page.env.cr.savepoint():
                result = function(record.with_context(**self._button_context(page, node, record)))
        except UserError as exc:
            # what the method did is undone; the record is shown with the reason
            return page.render(mode="read", message=str(exc), status=403 if isinstance(exc, AccessError) else 400)
        return self._follow(page, record, result)

    @staticmethod
    def _button_context(page, node, record):
        text = node.get("context")
        if not text:
            return {}
        names = {"context": page.window.context, "uid": page.env.uid, "active_id": record.id}
        for fname in record._fields:
            if fname in text:
                names[fname] = client_value(record, fname)
        try:
            value = safe_eval(text, names)
        except EvalError as exc:
            raise UserError(page.fmt._("The button's context is invalid: %s") % exc) from None
        return value if isinstance(value, dict) else {}

    def _open_action(self, page, record, name):
        """A ``type="action"`` button: the action opened with the record as ``active_id``."""
        if not name.isdigit():
            raise BadRequest(page.fmt._("The button names no action."))
        env = page.env
        context = {"active_id": record.id, "active_ids": [record.id], "active_model": record._name}
        back = page.url()
        window_action = env["ir.actions.act_window"].browse(int(name)).exists()
        if window_action:
            query = {"context": json.dumps(context), "back": back, "menu_id": page.window.menu_id}
            return redirect(f"/web/action/{window_action.id}?" + _query(query), 303)
        url_action = env["ir.actions.act_url"].browse(int(name)).exists()
        if url_action and safe_redirect_target(url_action.url, default=None):
            return redirect(url_action.url, 303)
        raise NotFound(page.fmt._("The action of this button cannot be shown by this client."))

    def _follow(self, page, record, result):
        """Where a button's return value leads: its action dict, else the record again."""
        back = page.url()
        if isinstance(result, dict) and result.get("type") == "ir.actions.act_window":
            res_model = result.get("res_model")
            if res_model not in page.env:
                raise UserError(page.fmt._("The button opens an unknown model “%s”.") % res_model)
            res_id = int_param(result.get("res_id"))
            modes = result.get("view_mode") or "list,form"
            modes = modes.split(",") if isinstance(modes, str) else list(modes)
            path = f"/web/model/{res_model}"
            if res_id:
                path += f"/{res_id}"
            elif modes and modes[0].strip() == "form":
                path += "/new"
            query = {"back": back, "menu_id": page.window.menu_id, "name": result.get("name")}
            if result.get("domain") and not res_id:
                query["domain"] = json.dumps(result["domain"], default=str)
            if isinstance(result.get("context"), dict) and result["context"]:
                query["context"] = json.dumps(result["context"], default=str)
            return redirect(path + "?" + _query(query), 303)
        if isinstance(result, dict) and result.get("type") == "ir.actions.act_window_close":
            # a dialog (a wizard) is done: back to the page that opened it
            return redirect(page.list_url, 303)
        if isinstance(result, dict) and result.get("type") == "ir.actions.act_url":
            target = safe_redirect_target(result.get("url"), default=None)
            if target:
                return redirect(target, 303)
        if not record.exists():
            return redirect(page.list_url, 303)
        return redirect(page.url(), 303)

    # ------------------------------------------------------------ record actions
    @route(window_paths("/<int:res_id>/duplicate"), methods=["POST"], auth="user")
    def duplicate(self, res_id, action_id=None, model=None, **params):
        page = _page(action_id, model, res_id, params)
        _check(page, "create")
        copy = page.record.copy()
        return redirect(page.window.url(copy, back=page.back, edit=1, done="duplicated"), 303)

    @route(window_paths("/<int:res_id>/archive"), methods=["POST"], auth="user")
    def archive(self, res_id, action_id=None, model=None, **params):
        return self._set_active(action_id, model, res_id, params, False)

    @route(window_paths("/<int:res_id>/unarchive"), methods=["POST"], auth="user")
    def unarchive(self, res_id, action_id=None, model=None, **params):
        return self._set_active(action_id, model, res_id, params, True)

    def _set_active(self, action_id, model, res_id, params, active):
        page = _page(action_id, model, res_id, params)
        active_name = page.window.records._active_name
        if not active_name:
            raise UserError(page.fmt._("Records of “%s” cannot be archived.") % page.window.records._description)
        _check(page, "write")
        page.record.write({active_name: active})
        return redirect(page.url(done="unarchived" if active else "archived"), 303)

    @route(window_paths("/<int:res_id>/delete"), methods=["POST"], auth="user")
    def delete(self, res_id, action_id=None, model=None, **params):
        page = _page(action_id, model, res_id, params)
        _check(page, "unlink")
        page.record.unlink()
        return redirect(page.list_url, 303)

    @route(window_paths("/<int:res_id>/binary/<string:field>"), methods=["GET"], auth="user")
    def binary(self, res_id, field, action_id=None, model=None, **params):
        page = _page(action_id, model, res_id, params)
        definition = page.arch.model._fields.get(field)
        if definition is None or definition.type != "binary" or field not in page.arch.field_names:
            raise NotFound(page.fmt._("This form shows no file “%s”.") % field)
        value = page.record[field]
        if not value:
            raise NotFound(page.fmt._("There is no file here."))
        content = base64.b64decode(value)
        node = page.arch.first_node(field)
        filename_field = node.get("filename")
        filename = (page.record[filename_field] if filename_field in page.arch.model._fields else None) or field
        mimetype = next((kind for signature, kind in IMAGE_SIGNATURES.items() if content.startswith(signature)), None)
        response = Response(content, mimetype=mimetype or mimetypes.guess_type(filename)[0] or "application/octet-stream")
        if not mimetype or not mimetype.startswith("image/"):
            response.mimetype = "application/octet-stream"
            response.headers.set("Content-Disposition", "attachment", filename=str(filename))
        response.headers["Cache-Control"] = "private, no-cache"
        return response

    # ------------------------------------------------------------ JSON routes
    @route("/web/dataset/name_search", type="json", auth="user")
    def name_search(self, model=None, name="", domain=None, limit=8, context=None):
        env = request.env
        comodel = _model(env, model)
        try:
            limit = max(1, min(int(limit), MAX_NAME_SEARCH))
        except (TypeError, ValueError):
            raise UserError("The limit must be a whole number.") from None
        if not isinstance(name, str):
            raise UserError("The name must be a text.")
        try:
            domain = dom.normalize(domain or [])
            found = comodel.with_context(**_context(context)).name_search(name, domain, limit=limit)
        except ValueError as exc:
            raise UserError(f"Invalid domain: {exc}") from None
        return [[rid, label] for rid, label in found]

    @route("/web/dataset/name_create", type="json", auth="user")
    def name_create(self, model=None, name="", context=None):
        env = request.env
        comodel = _model(env, model)
        if not isinstance(name, str) or not name.strip():
            raise UserError("Type a name first.")
        try:
            rid, label = comodel.with_context(**_context(context)).name_create(name.strip())
        except ValueError as exc:
            raise UserError(str(exc)) from None
        return [rid, label]

    @route("/web/dataset/onchange", type="json", auth="user")
    def onchange(self, model=None, action_id=None, id=None, values=None, changed=None,  # noqa: A002
                 context=None, menu_id=None):
        params = {"context": context, "menu_id": menu_id}
        if model and not isinstance(model, str):
            raise UserError("The model must be a text.")
        record_id = int_param(id)
        if id not in (None, "", False, "new") and record_id is None:
            raise UserError("The record id must be a whole number.")
        page = _page(int_param(action_id), model, record_id or "new", params)
        return onchange_answer(page, values or {}, changed)


def _model(env, model):
    if not isinstance(model, str) or model not in env:
        raise UserError(f"Unknown model {model!r}.")
    return env[model]


def _context(context):
    if context in (None, ""):
        return {}
    if not isinstance(context, dict):
        raise UserError("The context must be an object.")
    return context


def _query(values):
    return urlencode({k: v for k, v in values.items() if v not in (None, "", False)})
