"""The kanban view: the board page and what its cards and columns do.

Routes, under both window prefixes ``/web/action/<id>`` and ``/web/model/<model>`` (W):

- ``GET W?view_type=kanban`` (or a window whose first view is the kanban): the board,
  rendered by :func:`kanban_page` (registered with ``view_page.register``);
- ``JSON W/kanban/json/cards``: the next cards of a column ("load more");
- ``JSON W/kanban/json/move``: a card dropped on another column: the group field written
  (and the column's order when the model has a ``sequence``);
- ``JSON W/kanban/json/quick_create``: a record created in a column from its name;
- ``JSON W/kanban/json/priority``: a card's priority stars clicked;
- ``POST W/kanban/move``, ``W/kanban/quick_create``, ``W/kanban/priority``: the same from
  the card's "Move to" menu, the column's form and the stars without JavaScript; back to
  the board (``return_url``).

Every JSON call carries ``query``: the board's URL query (search, group-by), so that
the answer (cards, column headers) is the board the user sees.  Everything runs as the
user: access rights, record rules and constraints refuse what they refuse, the request's
transaction is rolled back and the message shown; nothing is written.  What the board
shows is computed by ``kanban.py``; here are only the requests and their answers.
"""
from urllib.parse import parse_qsl, urlsplit

from werkzeug.datastructures import MultiDict
from werkzeug.utils import redirect

from core.exceptions import UserError
from core.http import Controller, request, route, safe_redirect_target

from ..formatting import Formatter
from ..kanban import KanbanPage
from ..view_page import register
from ..window import Window, window_paths


@register("kanban")
def kanban_page(window, args):
    """The kanban board of ``window``."""
    return _prepare(KanbanPage(window, args, Formatter(window.env))).load().render("web/kanban.html")


def _prepare(page):
    page.renderer.csrf_token = request.csrf_token()
    return page


def _board(action_id, model, url):
    """The board (a KanbanPage, not loaded) whose URL, or URL query, is ``url``."""
    query = urlsplit(url or "").query if "?" in (url or "") or "/" in (url or "") else (url or "").lstrip("?")
    args = MultiDict(parse_qsl(query, keep_blank_values=True))
    window = Window.from_request(request.env, action_id, model, args)
    return _prepare(KanbanPage(window, args, Formatter(window.env)))


def _fragment(page, part, **values):
    """A piece of the board (``card``, ``header``, ``cards``) as HTML, for JSON answers."""
    values.setdefault("current", None)
    return request.app.render_template("web/kanban_fragment.html", dict(
        values, request=request, page=page, window=page.window, part=part), db=request.db)


def _answer(page, record, current, keys=()):
    """The JSON answer of a change: ``record``'s card (in column ``current``) and the headers
    of the columns ``keys`` as they are now (the board's headers are read again)."""
    page.load(cards=False)
    card = page.make_cards(record)[0]
    return {"card": _fragment(page, "card", card=card, current=current),
            "headers": {column.key: _fragment(page, "header", column=column)
                        for column in page.columns if column.key in keys}}


def _return(page, return_url):
    target = safe_redirect_target(return_url, default=None) or page.current_url
    return redirect(target, 303)


class KanbanView(Controller):

    # ------------------------------------------------------------ JSON
    @route(window_paths("/kanban/json/cards"), type="json", auth="user")
    def cards(self, action_id=None, model=None, query="", key=None, offset=0, **_params):
        """The cards of column ``key`` from ``offset`` on: their HTML and how many remain."""
        page = _board(action_id, model, query)
        if not page.grouped:
            raise UserError(page.fmt._("This board has no columns."))
        try:
            offset = max(int(offset), 0)
        except (TypeError, ValueError):
            raise UserError(page.fmt._("Invalid offset “%s”.") % offset) from None
        page.load(cards=False)
        cards = page.column_cards(key, offset)
        return {"html": _fragment(page, "cards", cards=cards, current=page.column_key(page.group_value(key))),
                "count": len(cards)}

    @route(window_paths("/kanban/json/move"), type="json", auth="user")
    def move_card(self, action_id=None, model=None, query="", id=None, key=None, ids=None,  # noqa: A002
                  **_params):
        """Move card ``id`` to column ``key``; ``ids``: the target column's cards in their new
        order.  The card and the headers of both columns, as they are now."""
        page = _board(action_id, model, query)
        record, source, target = self._move(page, id, key)
        if isinstance(ids, list) and page.arch.can_write:
            page.resequence(ids)
        return _answer(page, record, target, {source, target})

    @route(window_paths("/kanban/json/quick_create"), type="json", auth="user")
    def quick_create_card(self, action_id=None, model=None, query="", key=None, name="", **_params):
        page = _board(action_id, model, query)
        record = self._quick_create(page, key, name)
        target = page.column_key(page.group_value(key))
        return _answer(page, record, target, {target})

    @route(window_paths("/kanban/json/priority"), type="json", auth="user")
    def set_priority(self, action_id=None, model=None, query="", id=None, field=None, value=None,  # noqa: A002
                     **_params):
        page = _board(action_id, model, query)
        record = self._priority(page, id, field, value)
        field = page.group_field
        current = page.column_key((record[field.name].id or False) if field.type == "many2one"
                                  else record[field.name]) if page.grouped and ":" not in page.group_spec else None
        return _answer(page, record, current)

    # ------------------------------------------------------------ forms (no JavaScript)
    @route(window_paths("/kanban/move"), methods=["POST"], auth="user")
    def move_form(self, action_id=None, model=None, return_url="", id=None, key=None, **_params):  # noqa: A002
        page = _board(action_id, model, return_url)
        self._move(page, id, key)
        return _return(page, return_url)

    @route(window_paths("/kanban/quick_create"), methods=["POST"], auth="user")
    def quick_create_form(self, action_id=None, model=None, return_url="", key=None, name="", **_params):
        page = _board(action_id, model, return_url)
        self._quick_create(page, key, name)
        return _return(page, return_url)

    @route(window_paths("/kanban/priority"), methods=["POST"], auth="user")
    def priority_form(self, action_id=None, model=None, return_url="", id=None, field=None, value=None,  # noqa: A002
                      **_params):
        page = _board(action_id, model, return_url)
        self._priority(page, id, field, value)
        return _return(page, return_url)

    # ------------------------------------------------------------ the changes
    @staticmethod
    def _move(page, record_id, key):
        """Write the group field of ``record_id`` for column ``key``; (record, key of the column
        it leaves, key of the column it joins)."""
        value = page.group_value(key)
        record = page.record(record_id)
        field = page.group_field
        old = record[field.name]
        old = (old.id or False) if field.type == "many2one" else old
        if old != value:
            record.write({field.name: value})
        return record, page.column_key(old), page.column_key(value)

    @staticmethod
    def _quick_create(page, key, name):
        fmt = page.fmt
        if not page.quick_create:
            raise UserError(fmt._("Records cannot be created from the columns of this board."))
        name = (name or "").strip() if isinstance(name, str) else ""
        if not name:
            raise UserError(fmt._("Type a name first."))
        value = page.group_value(key)
        return page.model.create({page.model._rec_name: name, page.group_field.name: value})

    @staticmethod
    def _priority(page, record_id, field_name, value):
        fmt = page.fmt
        field = page.model._fields.get(field_name) if isinstance(field_name, str) else None
        widgets = {node.get("name"): node.get("widget") for node in page.arch.root.iter("field")}
        if field is None or field.type != "selection" or widgets.get(field_name) != "priority":
            raise UserError(fmt._("This board shows no priority “%s”.") % (field_name or ""))
        if not page.arch.can_write:
            raise UserError(fmt._("You may not change these records."))
        if value not in dict(page.renderer.selection(field)):
            raise UserError(fmt._("Invalid priority “%s”.") % (value or ""))
        record = page.record(record_id)
        record.write({field.name: value})
        return record

