"""The calendar page of a window: its records as events on a month, a week or a day.

:class:`CalendarArch` reads the window's ``<calendar>`` view, with Odoo's attributes:
``date_start`` (a date or datetime field, required), ``date_stop`` (the end) or
``date_delay`` (a length in hours), ``all_day`` (a boolean: the event is dates, not
times), ``color`` (a field whose values get a colour each), ``mode`` (``month``,
``week`` or ``day``: the page shown first), ``quick_create`` (clicking an empty slot
asks only for a name; ``0``: it opens the form), ``create`` / ``edit`` switches and
the ``<field>``\\ s shown on each event.

:class:`CalendarPage` is one request's page: the mode and the date the user went to
(``mode=`` and ``date=`` in the URL), the visible days, one search over them (with
the search panel's domain and the action's), and what the template places: per day
the events that touch it, and in the week and day pages the timed events positioned
by the minute in day columns, side by side where they overlap.

Datetimes are stored in UTC and shown in the user's time zone (the Formatter's): an
event is placed by its wall-clock time there, so that 09:00 stays at 09:00 on the days
around a change of summer time.  All-day events are dates: a date field's value, or
the (UTC) date of a datetime's value when the ``all_day`` field is set, as Odoo
stores them (08:00 to 18:00 UTC of the first and the last day).

:class:`Slot` turns what the browser sends (a day, or a local time, from a click on an
empty slot or a drag) into the values the ORM writes; the routes that create and move
events are in ``controllers/calendarview.py``, the HTML in
``templates/web/calendar*.html``, the clicking and dragging in ``static/src/js/calendar.js``.
"""
import datetime
import zlib

from babel import dates as babel_dates

from core import domain as dom
from core.exceptions import UserError
from core.views import ViewError

from .formatting import _t, selection_of
from .view_page import ViewPage

DAY = datetime.timedelta(days=1)
MODES = ("month", "week", "day")
MODE_LABELS = {"month": _t("Month"), "week": _t("Week"), "day": _t("Day")}
#: how many colours the palette of calendar.css has (classes o-cal-color-0 ... 11)
PALETTE = 12
#: field types a ``color`` attribute may name
COLOR_TYPES = ("many2one", "selection", "integer", "char", "boolean")
#: where an event made from a day alone starts (local time) and how long any new event lasts
DEFAULT_HOUR = 9
DEFAULT_LENGTH = datetime.timedelta(hours=1)
#: the UTC hours of an all-day event stored in datetime fields (Odoo's convention)
ALLDAY_START, ALLDAY_STOP = datetime.time(8), datetime.time(18)
#: with a duration and no end field, events that started this long before the first
#: visible day are looked at too (a longer one is not shown on the days it overlaps)
DELAY_LOOKBACK = datetime.timedelta(days=7)
#: the most events one page loads (a notice says when there are more)
MAX_EVENTS = 1000
#: the shortest height an event takes in a day column, in minutes
MIN_MINUTES = 30
#: how far a move may shift an event at once
MAX_SHIFT_DAYS = 3660


def _flag(value, default=True):
    if value is None:
        return default
    return value.strip().lower() not in ("0", "false", "")


class CalendarArch:
    """The calendar view of a window, read once per request."""

    def __init__(self, window, fmt):
        self.window = window
        self.fmt = fmt
        self.model = window.records
        try:
            root = window.view("calendar")["root"]
        except ViewError as exc:      # a model without a calendar view: there is no default one
            raise UserError(str(exc)) from None
        self.string = root.get("string")
        self.date_start = self._field(root, "date_start", ("date", "datetime"), required=True)
        self.date_stop = self._field(root, "date_stop", (self.date_start.type,))
        self.date_delay = None if self.date_stop else self._field(root, "date_delay", ("float", "integer"))
        self.all_day = self._field(root, "all_day", ("boolean",)) if self.date_start.type == "datetime" else None
        self.color = self._field(root, "color", COLOR_TYPES)
        self.mode = root.get("mode") if root.get("mode") in MODES else "week"
        self.quick_create = _flag(root.get("quick_create"))
        self.can_create = _flag(root.get("create")) and window.can("create")
        self.date_fields = [f for f in (self.date_start, self.date_stop, self.date_delay) if f]
        self.can_move = (_flag(root.get("edit")) and window.can("write")
                         and all(f.store and not f.readonly for f in self.date_fields))
        model = self.model
        self.detail_fields = [node.get("name") for node in root.iter("field")
                              if node.get("name") in model._fields and node.get("name") != model._rec_name
                              and node.get("invisible") not in ("1", "True")]
        self._selection = dict(selection_of(model, self.color.name)) if self.color and \
            self.color.type == "selection" else None

    def _field(self, root, attribute, types, required=False):
        """The field the ``attribute`` of the arch names, checked; None when not given."""
        name = root.get(attribute)
        if not name:
            if required:
                raise UserError(self.fmt._("The calendar view of “%(model)s” has no “%(attribute)s”.")
                                % {"model": self.model._name, "attribute": attribute})
            return None
        field = self.model._fields.get(name)
        if field is None or field.type not in types:
            raise UserError(self.fmt._("The calendar view of “%(model)s”: %(attribute)s=“%(name)s” must "
                                       "name a field of type %(types)s.")
                            % {"model": self.model._name, "attribute": attribute, "name": name,
                               "types": ", ".join(types)})
        return field

    def color_of(self, record):
        """``(palette index, label, key)`` of ``record``'s colour value, or None (no value)."""
        field = self.color
        if field is None:
            return None
        value = record[field.name]
        if field.type == "many2one":
            return (value.id % PALETTE, value.display_name, value.id) if value else None
        if field.type == "boolean":
            return (1 if value else 0, self.fmt._("Yes") if value else self.fmt._("No"), bool(value))
        if value in (False, None, ""):
            return None
        if field.type == "selection":
            keys = list(self._selection)
            index = keys.index(value) if value in keys else zlib.crc32(str(value).encode())
            return index % PALETTE, self._selection.get(value, value), value
        if field.type == "integer":
            return value % PALETTE, str(value), value
        return zlib.crc32(value.encode()) % PALETTE, value, value


class Event:
    """A record as the calendar shows it.

    ``start`` and ``end`` are dates (both days included) for an all-day event, else
    naive datetimes in the user's zone (the end excluded, never before the start);
    ``first_day`` and ``last_day`` are the days it touches.
    """

    def __init__(self, record, start, end, allday):
        self.record = record
        self.id = record.id
        self.start = start
        self.end = max(end, start)
        self.allday = allday
        if allday:
            self.first_day, self.last_day = self.start, self.end
        else:
            self.first_day = start.date()
            self.last_day = (self.end - datetime.timedelta(microseconds=1)).date() if self.end > start \
                else start.date()
        self.title = self.url = ""
        self.color = self.color_label = None
        self.details = []
        self.time_text = ""
        self.when = ""

    @property
    def long(self):
        """A timed event of a day or more is shown in the all-day band with the dates."""
        return not self.allday and self.end - self.start >= DAY

    @property
    def in_band(self):
        return self.allday or self.long

    @property
    def multi_day(self):
        return self.first_day != self.last_day

    def touches(self, day):
        return self.first_day <= day <= self.last_day


class Segment:
    """The part of a timed event inside one day column, in minutes from midnight."""

    def __init__(self, event, day, begin, finish):
        self.event = event
        self.day = day
        self.begin = begin
        self.finish = finish
        self.lane = 0
        self.lanes = 1

    @property
    def style(self):
        """The CSS custom properties that place the segment (see calendar.css)."""
        return (f"--o-top:{self.begin / 1440 * 100:.4f}%;"
                f"--o-len:{max(self.finish - self.begin, MIN_MINUTES / 2) / 1440 * 100:.4f}%;"
                f"--o-lane:{self.lane};--o-lanes:{self.lanes}")

    @property
    def starts_here(self):
        return self.event.first_day == self.day

    @property
    def ends_here(self):
        return self.event.last_day == self.day


def _minutes(value):
    return value.hour * 60 + value.minute + value.second / 60


def _place_lanes(segments):
    """Overlapping segments side by side: each gets a lane among its cluster's lanes."""
    segments.sort(key=lambda s: (s.begin, -s.finish))
    cluster, lane_ends, cluster_end = [], [], None

    def close():
        for segment in cluster:
            segment.lanes = len(lane_ends)

    for segment in segments:
        visual_end = min(max(segment.finish, segment.begin + MIN_MINUTES), 1440)
        if cluster and segment.begin >= cluster_end:
            close()
            cluster, lane_ends = [], []
        for lane, end in enumerate(lane_ends):
            if end <= segment.begin:
                segment.lane = lane
                lane_ends[lane] = visual_end
                break
        else:
            segment.lane = len(lane_ends)
            lane_ends.append(visual_end)
        cluster.append(segment)
        cluster_end = visual_end if cluster_end is None or len(cluster) == 1 else max(cluster_end, visual_end)
    close()
    return segments


class CalendarPage(ViewPage):
    """One calendar page of a window, as the query ``args`` describes it."""

    view_type = "calendar"
    #: the hour the "+" of a day in the week and day pages starts an event at
    default_hour = DEFAULT_HOUR

    def __init__(self, window, args, fmt):
        self.arch = CalendarArch(window, fmt)
        super().__init__(window, args, fmt)
        mode = args.get("mode") or None
        if mode is not None and mode not in MODES:
            raise UserError(fmt._("Unknown calendar mode “%s”: expected month, week or day.") % mode)
        self.mode = mode or self.arch.mode
        self.today = datetime.datetime.now(fmt.tz).date()
        self.date_param = _parse_day(args.get("date"), fmt) if args.get("date") else None
        self.anchor = self.date_param or self.today
        self.days = self._visible_days()
        self.events = []
        self.truncated = False

    # ------------------------------------------------------------ URLs
    def query(self, state=None, **changes):
        own = {"mode": self.mode if self.mode != self.arch.mode else None,
               "date": self.date_param.isoformat() if self.date_param else None}
        own.update(changes)
        return super().query(state, **own)

    def day_url(self, day, mode=None):
        """This calendar on ``day`` (today: no date in the URL), in ``mode`` (default: the current)."""
        mode = mode or self.mode
        return self.url(mode=mode if mode != self.arch.mode else None,
                        date=None if day == self.today else day.isoformat())

    def mode_url(self, mode):
        return self.day_url(self.anchor, mode)

    def modes(self):
        """``[(mode, label, url, current)]`` for the month / week / day switch."""
        return [(mode, self.fmt._(MODE_LABELS[mode]), self.mode_url(mode), mode == self.mode) for mode in MODES]

    def previous_url(self):
        return self.day_url(self._shift(-1))

    def next_url(self):
        return self.day_url(self._shift(1))

    def today_url(self):
        return self.day_url(self.today)

    def new_url(self, day=None, hour=None, allday=False):
        """The page that opens the form of a new event at ``day`` (and ``hour``, local)."""
        start = None
        if day is not None:
            start = day.isoformat() + (f"T{hour:02d}:00" if hour is not None else "")
        return self.window.url(suffix="/calendar/new", start=start, allday="1" if allday else None,
                               back=self.current_url)

    def route_url(self, name):
        """The URL of a JSON route of this window (the query carries its menu and context)."""
        return self.window.url(suffix=f"/calendar/{name}")

    def _shift(self, step):
        if self.mode == "month":
            month = self.anchor.month - 1 + step
            return datetime.date(self.anchor.year + month // 12, month % 12 + 1, 1)
        return self.anchor + step * (7 if self.mode == "week" else 1) * DAY

    # ------------------------------------------------------------ days
    def _visible_days(self):
        """The days the page shows: one, a week from the locale's first weekday, or whole
        weeks covering the month."""
        if self.mode == "day":
            return [self.anchor]
        first_weekday = self.fmt.locale.first_week_day
        if self.mode == "week":
            first = self.anchor - (self.anchor.weekday() - first_weekday) % 7 * DAY
            return [first + i * DAY for i in range(7)]
        month_first = self.anchor.replace(day=1)
        month_last = self._shift(1) - DAY
        first = month_first - (month_first.weekday() - first_weekday) % 7 * DAY
        last = month_last + (6 - (month_last.weekday() - first_weekday) % 7) * DAY
        return [first + i * DAY for i in range((last - first).days + 1)]

    @property
    def weeks(self):
        return [self.days[i:i + 7] for i in range(0, len(self.days), 7)]

    # ------------------------------------------------------------ loading
    def range_domain(self):
        """The events touching the visible days: they start before the range ends, and
        end (or start, without an end) at its start or later."""
        arch = self.arch
        start, stop = arch.date_start.name, arch.date_stop.name if arch.date_stop else None
        first, last = self.days[0], self.days[-1]
        if arch.date_start.type == "date":
            low, high = first, last + DAY
        else:
            low, high = self.to_utc(_midnight(first)), self.to_utc(_midnight(last + DAY))
            if arch.all_day:      # all-day events are the dates of their UTC values
                low, high = min(low, _midnight(first) - DAY), max(high, _midnight(last + DAY) + DAY)
        domain = [(start, "<", high)]
        if stop:
            return domain + ["|", (stop, ">=", low), "&", (stop, "=", False), (start, ">=", low)]
        if arch.date_delay:
            return domain + [(start, ">=", low - DELAY_LOOKBACK)]
        return domain + [(start, ">=", low)]

    def load(self):
        """Search the events of the visible days (one search) and read what is shown."""
        domain = dom.AND([self.domain, self.range_domain()])
        records = self.model.search(domain, order=f"{self.arch.date_start.name}, id", limit=MAX_EVENTS + 1)
        self.truncated = len(records) > MAX_EVENTS
        first, last = self.days[0], self.days[-1]
        for record in records[:MAX_EVENTS]:
            event = self.make_event(record)
            if event is not None and event.last_day >= first and event.first_day <= last:
                self.events.append(event)
        return self

    def make_event(self, record):
        """The :class:`Event` of ``record`` (None without a start)."""
        arch = self.arch
        begin = record[arch.date_start.name]
        if not begin:
            return None
        end = record[arch.date_stop.name] if arch.date_stop else None
        if arch.date_start.type == "date":
            event = Event(record, begin, end or begin, True)
        elif arch.all_day and record[arch.all_day.name]:
            event = Event(record, begin.date(), (end or begin).date(), True)
        else:
            if not end and arch.date_delay:
                end = begin + datetime.timedelta(hours=record[arch.date_delay.name] or 0)
            event = Event(record, self.to_local(begin), self.to_local(end or begin), False)
        self._describe(event, record)
        return event

    def _describe(self, event, record):
        fmt = self.fmt
        event.title = record.display_name or ""
        event.url = self.window.url(record.id, back=self.current_url)
        color = self.arch.color_of(record)
        if color:
            event.color, event.color_label = color[0], color[1]
        event.details = [(record._fields[name].string or name, text) for name in self.arch.detail_fields
                         for text in [fmt.display(record, name)] if text]
        event.when = self.when_text(event)
        if not event.allday:
            event.time_text = self.time_text(event.start)

    # ------------------------------------------------------------ placing
    def day_events(self, day):
        """The events touching ``day``, those of several days and all-day first."""
        return sorted((e for e in self.events if e.touches(day)),
                      key=lambda e: (not e.in_band, not e.multi_day, e.first_day,
                                     e.start if not e.allday else datetime.datetime.min, e.id))

    def band_events(self, day):
        """The all-day band of ``day`` in the week and day pages."""
        return [e for e in self.day_events(day) if e.in_band]

    def segments(self, day):
        """The timed events of ``day``'s column, placed by the minute and side by side."""
        midnight = _midnight(day)
        segments = []
        for event in self.events:
            if event.in_band or not event.touches(day):
                continue
            begin = max(event.start, midnight)
            finish = min(event.end, midnight + DAY)
            segments.append(Segment(event, day, _minutes(begin),
                                    1440 if finish == midnight + DAY else _minutes(finish)))
        return _place_lanes(segments)

    def scroll_hour(self):
        """The hour the day columns open at (calendar.js scrolls there): the earliest
        timed event's, or 8 o'clock when none starts earlier."""
        return min([8] + [e.start.hour for e in self.events if not e.in_band and e.first_day in self.days])

    def legend(self):
        """``[(palette index, label)]`` of the colours of the events shown, by label."""
        seen = {}
        for event in self.events:
            if event.color is not None:
                seen.setdefault((event.color_label, event.color), None)
        return [(index, label) for label, index in sorted(seen, key=lambda item: (str(item[0]).lower(), item[1]))]

    # ------------------------------------------------------------ texts
    def title(self):
        """The heading: the month, the week's dates or the day, in the user's language."""
        locale = self.fmt.locale
        if self.mode == "month":
            return babel_dates.format_skeleton("yMMMM", self.anchor, locale=locale)
        if self.mode == "week":
            return babel_dates.format_interval(self.days[0], self.days[-1], "yMMMd", locale=locale)
        return babel_dates.format_date(self.anchor, "full", locale=locale)

    def weekday(self, day, width="abbreviated"):
        return babel_dates.format_date(day, {"abbreviated": "EEE", "wide": "EEEE"}[width], locale=self.fmt.locale)

    def day_label(self, day):
        return babel_dates.format_date(day, "full", locale=self.fmt.locale)

    def time_text(self, value):
        return babel_dates.format_time(value, "short", locale=self.fmt.locale)

    def hours(self):
        """``[(hour, label)]`` of the hour rows."""
        return [(hour, self.time_text(datetime.time(hour))) for hour in range(24)]

    def when_text(self, event):
        """The dates (and times) of ``event`` in words, for its label."""
        fmt = self.fmt
        if event.allday:
            if event.first_day == event.last_day:
                return fmt.date(event.first_day)
            return f"{fmt.date(event.first_day)} – {fmt.date(event.last_day)}"
        start = babel_dates.format_datetime(event.start, "short", locale=fmt.locale)
        if event.end == event.start:
            return start
        if event.end.date() == event.start.date():
            return f"{start} – {self.time_text(event.end)}"
        return f"{start} – {babel_dates.format_datetime(event.end, 'short', locale=fmt.locale)}"

    # ------------------------------------------------------------ time zones
    def to_local(self, value):
        """A naive UTC datetime as the naive wall-clock time of the user's zone."""
        return self.fmt.to_local(value).replace(tzinfo=None)

    def to_utc(self, value):
        return to_utc(value, self.fmt.tz)


def to_utc(value, tz):
    """A naive wall-clock datetime of ``tz`` as a naive UTC datetime."""
    return value.replace(tzinfo=tz).astimezone(datetime.timezone.utc).replace(tzinfo=None)


def _midnight(day):
    return datetime.datetime.combine(day, datetime.time.min)


def _parse_day(text, fmt):
    try:
        return datetime.date.fromisoformat(text)
    except (TypeError, ValueError):
        raise UserError(fmt._("Invalid date “%s”: expected YYYY-MM-DD.") % text) from None


def _parse_moment(text, fmt):
    """``(day, time or None)`` of ``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM`` (local)."""
    if not isinstance(text, str) or not text:
        raise UserError(fmt._("Choose when the event takes place."))
    if "T" not in text and " " not in text:
        return _parse_day(text, fmt), None
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise UserError(fmt._("Invalid time “%s”: expected YYYY-MM-DDTHH:MM.") % text) from None
    return moment.date(), moment.replace(tzinfo=None).time()


class Slot:
    """What a click on an empty slot, or a drag, means for the ORM: the values written.

    The browser sends local days and times (``2024-03-31`` or ``2024-03-31T09:30``);
    here they become dates, or UTC datetimes of the user's zone, in the fields the
    calendar view names.
    """

    def __init__(self, arch, fmt):
        self.arch = arch
        self.fmt = fmt

    # ------------------------------------------------------------ new events
    def new_values(self, start, stop=None, allday=False):
        """The values of an event made at ``start`` (to ``stop``), all day or not."""
        arch, fmt = self.arch, self.fmt
        day, time = _parse_moment(start, fmt)
        end_day, end_time = _parse_moment(stop, fmt) if stop else (None, None)
        if end_day is not None and end_day < day:
            raise UserError(fmt._("An event cannot end before it starts."))
        values = {}
        if arch.date_start.type == "date":
            values[arch.date_start.name] = day
            if arch.date_stop:
                values[arch.date_stop.name] = end_day or day
            return values
        if allday and arch.all_day:
            values[arch.all_day.name] = True
            values[arch.date_start.name] = datetime.datetime.combine(day, ALLDAY_START)
            if arch.date_stop:
                values[arch.date_stop.name] = datetime.datetime.combine(end_day or day, ALLDAY_STOP)
            elif arch.date_delay:
                values[arch.date_delay.name] = 0
            return values
        local_start = datetime.datetime.combine(day, time or datetime.time(DEFAULT_HOUR))
        local_stop = datetime.datetime.combine(end_day, end_time) if end_time else local_start + DEFAULT_LENGTH
        if local_stop < local_start:
            raise UserError(fmt._("An event cannot end before it starts."))
        begin, end = to_utc(local_start, fmt.tz), to_utc(local_stop, fmt.tz)
        if arch.all_day:
            values[arch.all_day.name] = False
        values[arch.date_start.name] = begin
        if arch.date_stop:
            values[arch.date_stop.name] = end
        elif arch.date_delay:
            values[arch.date_delay.name] = _hours(end - begin, arch.date_delay)
        return values

    # ------------------------------------------------------------ moves
    def moved_values(self, record, days=None, start=None, stop=None):
        """The new dates of ``record`` moved by ``days`` (a whole-day drag: the same
        wall-clock times), to the local time ``start`` (same length), or with its end
        at the local time ``stop`` (a resize)."""
        arch, fmt = self.arch, self.fmt
        if not arch.can_move:
            raise UserError(fmt._("The dates of these records cannot be changed here."))
        begin = record[arch.date_start.name]
        end = record[arch.date_stop.name] if arch.date_stop else None
        if days is not None:
            return self._shifted(record, begin, end, _int_days(days, fmt))
        if start is not None:
            return self._moved_to(record, begin, end, start)
        if stop is not None:
            return self._resized(record, begin, stop)
        raise UserError(fmt._("Say where the event goes."))

    def _shifted(self, record, begin, end, days):
        arch = self.arch
        shift = days * DAY
        timed = arch.date_start.type == "datetime" and not (arch.all_day and record[arch.all_day.name])
        tz = self.fmt.tz

        def move(value):
            if not value:
                return value
            if timed:      # the same wall-clock time that many days later, across summer time
                local = value.replace(tzinfo=datetime.timezone.utc).astimezone(tz).replace(tzinfo=None)
                return to_utc(local + shift, tz)
            return value + shift

        values = {arch.date_start.name: move(begin)}
        if arch.date_stop:
            values[arch.date_stop.name] = move(end)
        return values

    def _moved_to(self, record, begin, end, start):
        arch, fmt = self.arch, self.fmt
        day, time = _parse_moment(start, fmt)
        if arch.date_start.type == "date" or (arch.all_day and record[arch.all_day.name]):
            current = begin if arch.date_start.type == "date" else begin.date()
            return self._shifted(record, begin, end, (day - current).days)
        if time is None:
            raise UserError(fmt._("Invalid time “%s”: expected YYYY-MM-DDTHH:MM.") % start)
        new_begin = to_utc(datetime.datetime.combine(day, time), fmt.tz)
        values = {arch.date_start.name: new_begin}
        if arch.date_stop and end:
            values[arch.date_stop.name] = new_begin + (end - begin)
        return values

    def _resized(self, record, begin, stop):
        arch, fmt = self.arch, self.fmt
        if arch.date_start.type == "date" or (arch.all_day and record[arch.all_day.name]):
            raise UserError(fmt._("An all-day event is resized in its form."))
        day, time = _parse_moment(stop, fmt)
        if time is None:
            raise UserError(fmt._("Invalid time “%s”: expected YYYY-MM-DDTHH:MM.") % stop)
        new_end = to_utc(datetime.datetime.combine(day, time), fmt.tz)
        if new_end < begin:
            raise UserError(fmt._("An event cannot end before it starts."))
        if arch.date_stop:
            return {arch.date_stop.name: new_end}
        if arch.date_delay:
            return {arch.date_delay.name: _hours(new_end - begin, arch.date_delay)}
        raise UserError(fmt._("These events have no end to change."))


def _hours(delta, field):
    hours = delta.total_seconds() / 3600
    return round(hours) if field.type == "integer" else round(hours, 4)


def _int_days(value, fmt):
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) > MAX_SHIFT_DAYS:
        raise UserError(fmt._("Invalid number of days “%s”.") % (value,))
    return value
