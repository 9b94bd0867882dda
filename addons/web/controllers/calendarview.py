"""The calendar view: its page and the routes that create and move events.

Routes, under both window prefixes ``/web/action/<id>`` and ``/web/model/<model>`` (W):

- ``GET W?view_type=calendar[&mode=month|week|day][&date=YYYY-MM-DD]``: the page
  (registered with ``view_page.register``, served by the window's root route);
- ``GET W/calendar/new?start=...[&stop=...][&allday=1]``: to the form of a new event,
  its dates given as ``default_*`` in the context of the URL (where a click on an empty
  slot leads when the view has ``quick_create="0"``, and the "+" links without script);
- ``JSON W/calendar/quick_create`` ``{name, start, stop?, allday?}``: an event made
  from a name alone;
- ``JSON W/calendar/move`` ``{id, days | start | stop}``: an event dragged by whole
  days, to another time, or resized.

Days and times come from the browser as the user's local ones; ``calendar_page.Slot``
turns them into the UTC values written.  Everything runs as the user: access rights,
record rules and constraints may refuse a move, and then the error comes back and
nothing is written.  What the page shows is computed by ``calendar_page.py``.
"""
import datetime
import json
from urllib.parse import parse_qsl, urlsplit

from werkzeug.utils import redirect

from core.exceptions import UserError
from core.http import Controller, route

from ..calendar_page import CalendarArch, CalendarPage, Slot
from ..formatting import Formatter
from ..view_page import register
from ..window import back_param, window_paths
from .listview import ids_param, open_window


@register("calendar")
def calendar_page(window, args):
    """The calendar view page of ``window``."""
    return CalendarPage(window, args, Formatter(window.env)).load().render("web/calendar.html")


def _arch(action_id, model, params):
    window = open_window(action_id, model, params)
    fmt = Formatter(window.env)
    return window, fmt, CalendarArch(window, fmt)


def _url_context(window):
    """The context the window's URLs carry (an action's extra one, a model window's own)."""
    text = dict(parse_qsl(urlsplit(window.url()).query)).get("context")
    return json.loads(text) if text else {}


def _default(value):
    """A value as a ``default_*`` of a context (Odoo's text form for dates and times)."""
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


class CalendarView(Controller):

    @route(window_paths("/calendar/new"), methods=["GET"], auth="user")
    def new(self, action_id=None, model=None, start=None, stop=None, allday=None, back=None, **params):
        """To the form of a new event at the slot clicked, its dates as defaults."""
        window, fmt, arch = _arch(action_id, model, params)
        if not arch.can_create:
            raise UserError(fmt._("You cannot create records here."))
        if not start:
            start = datetime.datetime.now(fmt.tz).date().isoformat()
        values = Slot(arch, fmt).new_values(start, stop, bool(allday))
        context = dict(_url_context(window), **{f"default_{name}": _default(value) for name, value in values.items()})
        return redirect(window.url("new", back=back_param(back) if back else None, context=json.dumps(context)), 303)

    @route(window_paths("/calendar/quick_create"), type="json", auth="user")
    def quick_create(self, action_id=None, model=None, name=None, start=None, stop=None, allday=False, **params):
        """An event named ``name`` at the slot clicked; its id and the URL of its form."""
        window, fmt, arch = _arch(action_id, model, params)
        if not (arch.can_create and arch.quick_create):
            raise UserError(fmt._("Events cannot be created from the calendar here."))
        name = name.strip() if isinstance(name, str) else ""
        rec_name = window.records._rec_name
        if not name or not rec_name:
            raise UserError(fmt._("Give the event a name."))
        values = Slot(arch, fmt).new_values(start, stop, bool(allday))
        values[rec_name] = name
        record = window.records.create(values)
        return {"id": record.id, "url": window.url(record.id)}

    @route(window_paths("/calendar/move"), type="json", auth="user")
    def move(self, action_id=None, model=None, id=None, days=None, start=None, stop=None, **params):  # noqa: A002
        """Event ``id`` moved by ``days``, to the local time ``start``, or ending at ``stop``."""
        window, fmt, arch = _arch(action_id, model, params)
        record = window.records.browse(ids_param([id], fmt)).exists() if id is not None else None
        if not record:
            raise UserError(fmt._("This event does not exist any more."))
        values = Slot(arch, fmt).moved_values(record, days=days, start=start, stop=stop)
        record.write(values)
        return {"id": record.id}
