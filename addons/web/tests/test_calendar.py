"""The calendar page and its routes through a real HTTP server, for a user in Europe/Berlin:
events placed by local day and hour across the change to summer time, all-day and
multi-day events, the range searched at the edges of a month, the duration variant,
the colour legend, the search and the action's domain, and the routes that create and
move events writing UTC values (or refusing, with nothing written)."""
import datetime
import json
import os
import re
import urllib.parse

import pytest
from lxml import html as lxml_html

ADDONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "addons")
BERLIN = "Europe/Berlin"
dt = datetime.datetime


@pytest.fixture
def server(start_web_server):
    """web and test_web_calendar served; the admin (and the demo user) in Europe/Berlin."""
    server = start_web_server(addons=("web", "test_web_calendar"), addons_paths=[ADDONS])
    with server.env() as env:
        env.ref("base.user_admin").tz = BERLIN
        env.ref("base.user_demo").tz = BERLIN
    return server


def action_id(server, xmlid):
    with server.env() as env:
        return env.ref(f"test_web_calendar.{xmlid}").id


def events(server, *values, model="test.cal.event"):
    """Create records of ``model`` (as the superuser, organised by the admin); their ids."""
    with server.env() as env:
        admin = env.ref("base.user_admin").id
        return [env[model].create(dict({"user_id": admin} if model == "test.cal.event" else {}, **vals)).id
                for vals in values]


def css(tree, selector):
    """The elements matching a simple CSS ``selector`` (tags, classes, [attr], [attr="v"],
    descendants): lxml's own cssselect needs a package this project does not use."""
    path = "."
    for step in selector.split():
        match = re.fullmatch(r"([\w*]*)((?:\.[\w-]+)*)((?:\[[\w-]+(?:=\"[^\"]*\")?\])*)", step)
        tag, classes, attrs = match.groups()
        conditions = [f"contains(concat(' ', normalize-space(@class), ' '), ' {c} ')"
                      for c in classes.split(".") if c]
        for name, value in re.findall(r'\[([\w-]+)(?:="([^"]*)")?\]', attrs):
            conditions.append(f"@{name}='{value}'" if value else f"@{name}")
        path += "//" + (tag or "*") + "".join(f"[{c}]" for c in conditions)
    return tree.xpath(path)


def page(client, action, **query):
    reply = client.get(f"/web/action/{action}?" + urllib.parse.urlencode(query))
    assert reply.status == 200, reply.text[:3000]
    return lxml_html.fromstring(reply.text)


def placed(tree):
    """``{event id: [(container, day, style)]}``: where each event is shown (container:
    ``month``, ``band`` or ``column``)."""
    found = {}
    for link in css(tree, "a.o-cal-event"):
        parent = link.getparent()
        classes = parent.get("class", "") + " " + parent.getparent().get("class", "")
        where = "column" if "o-cal-col" in classes else "band" if "o-cal-band-day" in classes else "month"
        found.setdefault(int(link.get("data-id")), []).append((where, link.get("data-date"), link.get("style")))
    return found


def position(style):
    """``(top %, length %)`` of an event's style in a day column."""
    values = dict(re.findall(r"--o-(top|len):([\d.]+)%", style))
    return round(float(values["top"]), 2), round(float(values["len"]), 2)


def rpc(client, path, **params):
    reply = client.json(path, params)
    assert reply.status == 200, reply.text[:2000]
    return reply.json()


def read(server, model, rid, *names):
    with server.env() as env:
        record = env[model].browse(rid)
        return tuple(record[name] for name in names)


# ---------------------------------------------------------------- placing
def test_week_places_events_by_local_hour_across_summer_time(server):
    action = action_id(server, "action_events")
    before, night_cet, night_cest, after = events(
        server,
        {"name": "Before", "start": dt(2024, 3, 27, 8), "stop": dt(2024, 3, 27, 9)},       # 09:00 CET
        {"name": "Night 1", "start": dt(2024, 3, 31, 0, 30), "stop": dt(2024, 3, 31, 1)},  # 01:30 CET
        {"name": "Night 2", "start": dt(2024, 3, 31, 1, 30), "stop": dt(2024, 3, 31, 2)},  # 03:30 CEST
        {"name": "After", "start": dt(2024, 4, 1, 7), "stop": dt(2024, 4, 1, 8, 30)})      # 09:00 CEST
    client = server.login_client()
    tree = page(client, action, date="2024-03-31")          # the arch's mode: week (en_US: from Sunday)
    days = [section.get("data-date") for section in css(tree, "section.o-cal-col")]
    assert days == [f"2024-03-{d}" for d in (31,)] + [f"2024-04-0{d}" for d in range(1, 7)]
    where = placed(tree)
    assert before not in where
    assert [(w, d) for w, d, _s in where[night_cet]] == [("column", "2024-03-31")]
    # 01:30 CET to 03:00 CEST: half an hour, across the hour the clocks skip
    assert position(where[night_cet][0][2]) == (6.25, 6.25)
    assert position(where[night_cest][0][2]) == (14.58, 2.08)        # 03:30 (an hour went missing)
    assert where[after][0][:2] == ("column", "2024-04-01")
    assert position(where[after][0][2]) == (37.5, 6.25)             # 09:00 to 10:30
    tree = page(client, action, date="2024-03-27")
    assert position(placed(tree)[before][0][2]) == (37.5, 4.17)      # 09:00 in winter time too
    assert css(tree, ".o-cal-title")[0].text_content() == "Mar 24\u2009–\u200930, 2024"
    # the day page: one column
    tree = page(client, action, mode="day", date="2024-04-01")
    assert [s.get("data-date") for s in css(tree, "section.o-cal-col")] == ["2024-04-01"]
    assert list(placed(tree)) == [after]
    # a German user's week starts on Monday
    with server.env() as env:
        env.ref("base.user_admin").lang = "de_DE"
    tree = page(server.login_client(), action, date="2024-03-31")
    assert css(tree, "section.o-cal-col")[0].get("data-date") == "2024-03-25"


def test_all_day_multi_day_and_overnight_events(server):
    action = action_id(server, "action_events")
    allday, long, overnight, overlap = events(
        server,
        {"name": "Fair", "allday": True, "start": dt(2024, 3, 5, 8), "stop": dt(2024, 3, 7, 18)},
        {"name": "Trip", "start": dt(2024, 3, 10, 21), "stop": dt(2024, 3, 12, 9)},        # 22:00 to 10:00
        {"name": "Late", "start": dt(2024, 3, 14, 22), "stop": dt(2024, 3, 15, 0)},        # 23:00 to 01:00
        {"name": "Overlap", "start": dt(2024, 3, 14, 22, 30), "stop": dt(2024, 3, 14, 23)})
    client = server.login_client()
    month = placed(page(client, action, mode="month", date="2024-03-01"))
    assert [d for _w, d, _s in month[allday]] == ["2024-03-05", "2024-03-06", "2024-03-07"]
    assert [d for _w, d, _s in month[long]] == ["2024-03-10", "2024-03-11", "2024-03-12"]
    assert [d for _w, d, _s in month[overnight]] == ["2024-03-14", "2024-03-15"]
    tree = page(client, action, date="2024-03-05")           # the week of Sunday 3 March
    where = placed(tree)
    assert [(w, d) for w, d, _s in where[allday]] == [("band", f"2024-03-0{d}") for d in (5, 6, 7)]
    fair = css(tree, f'a.o-cal-event[data-id="{allday}"]')[0]
    assert "o-cal-allday" in fair.get("class") and "o-cal-goes-on" in fair.get("class")
    assert "Mar 5, 2024 – Mar 7, 2024" in fair.text_content()
    where = placed(page(client, action, date="2024-03-11"))  # a timed event of more than a day: the band
    assert [(w, d) for w, d, _s in where[long]] == [("band", f"2024-03-{d}") for d in (10, 11, 12)]
    tree = page(client, action, date="2024-03-14")
    where = placed(tree)
    assert [(w, d, position(s)) for w, d, s in where[overnight]] == [
        ("column", "2024-03-14", (95.83, 4.17)), ("column", "2024-03-15", (0.0, 4.17))]
    # overlapping events share the column's width
    late = css(tree, f'a.o-cal-event[data-id="{overnight}"][data-date="2024-03-14"]')[0].get("style")
    other = css(tree, f'a.o-cal-event[data-id="{overlap}"]')[0].get("style")
    assert "--o-lane:0;--o-lanes:2" in late and "--o-lane:1;--o-lanes:2" in other


def test_range_at_the_edges_of_the_month(server):
    action = action_id(server, "action_events")
    ends_at_grid, crosses_in, no_stop, last_evening, after = events(
        server,                                             # grid of March 2024: Sun 25 Feb to Sat 6 Apr
        {"name": "Ends at the start", "start": dt(2024, 2, 24, 21), "stop": dt(2024, 2, 24, 23)},
        {"name": "Crosses in", "start": dt(2024, 2, 24, 22, 30), "stop": dt(2024, 2, 24, 23, 30)},
        {"name": "No stop", "start": dt(2024, 2, 24, 23)},
        {"name": "Last evening", "start": dt(2024, 4, 6, 21, 30), "stop": dt(2024, 4, 6, 21, 45)},
        {"name": "After", "start": dt(2024, 4, 6, 22), "stop": dt(2024, 4, 6, 23)})
    day = datetime.date
    tasks = events(server, {"name": "Runs in", "date": day(2024, 2, 20), "date_end": day(2024, 2, 25)},
                   {"name": "Before", "date": datetime.date(2024, 2, 24)},
                   {"name": "Out", "date": datetime.date(2024, 4, 7)},
                   {"name": "Last day", "date": datetime.date(2024, 4, 6), "priority": "1"}, model="test.cal.task")
    client = server.login_client()
    tree = page(client, action, mode="month", date="2024-03-20")
    cells = css(tree, "td.o-cal-day")
    assert (cells[0].get("data-date"), cells[-1].get("data-date"), len(cells)) == ("2024-02-25", "2024-04-06", 42)
    assert "o-cal-outside" in cells[0].get("class") and "o-cal-outside" not in cells[10].get("class")
    where = placed(tree)
    assert ends_at_grid not in where and after not in where
    assert [d for _w, d, _s in where[crosses_in]] == ["2024-02-25"]
    assert [d for _w, d, _s in where[no_stop]] == ["2024-02-25"]
    assert [d for _w, d, _s in where[last_evening]] == ["2024-04-06"]
    # dates without times: the first and the last day both count
    tree = page(client, action_id(server, "action_tasks"), date="2024-03-20")
    where = placed(tree)
    assert sorted(where) == sorted([tasks[0], tasks[3]])
    assert [d for _w, d, _s in where[tasks[0]]] == ["2024-02-25"]
    # the month's own links: previous, next, today, the day's page
    prev = css(tree, "a.o-cal-prev")[0].get("href")
    assert "date=2024-02-01" in prev and "mode=" not in prev
    assert "date=2024-04-01" in css(tree, "a.o-cal-next")[0].get("href")
    assert "date=" not in css(tree, "a.o-cal-today")[0].get("href")
    day_link = css(tree, 'td[data-date="2024-03-12"] a.o-cal-daynum')[0].get("href")
    assert "mode=day" in day_link and "date=2024-03-12" in day_link


def test_duration_variant_and_colour_by_selection(server):
    action = action_id(server, "action_events_duration")
    meeting, call = events(
        server,
        {"name": "Workshop", "start": dt(2024, 3, 5, 13), "duration": 2.5, "kind": "meeting"},  # 14:00 to 16:30
        {"name": "Phone", "start": dt(2024, 3, 5, 7), "duration": 0.25, "kind": "call"})
    client = server.login_client()
    tree = page(client, action, view_type="calendar", date="2024-03-05")     # the arch's mode: day
    where = placed(tree)
    assert [(w, d, position(s)) for w, d, s in where[meeting]] == [("column", "2024-03-05", (58.33, 10.42))]
    assert position(where[call][0][2]) == (33.33, 1.04)
    legend = [(css(li, ".o-cal-swatch")[0].get("class").split()[-1], li.text_content().strip())
              for li in css(tree, ".o-cal-legend li")]
    assert legend == [("o-cal-color-1", "Call"), ("o-cal-color-0", "Meeting")]   # by label; the selection's order
    assert "o-cal-color-1" in css(tree, f'a.o-cal-event[data-id="{call}"]')[0].get("class")
    assert "Meeting" in css(tree, f'a.o-cal-event[data-id="{meeting}"] .o-cal-detail')[0].text_content()
    # the view switcher keeps the calendar and the list of the action
    switch = {a.get("class"): a.get("href") for a in css(tree, ".o-view-switcher a")}
    assert set(switch) == {"o-switch-list", "o-switch-calendar"}
    assert "view_type" not in switch["o-switch-list"]


def test_colour_legend_search_and_action_domain(server):
    action = action_id(server, "action_events")
    with server.env() as env:
        demo = env.ref("base.user_demo")
        admin = env.ref("base.user_admin")
        demo_id, admin_id, demo_name, admin_name = demo.id, admin.id, demo.name, admin.name
    mine, theirs, hidden, call = events(
        server,
        {"name": "Mine", "start": dt(2024, 3, 5, 8)},
        {"name": "Theirs", "start": dt(2024, 3, 6, 8), "user_id": demo_id},
        {"name": "A hidden one", "start": dt(2024, 3, 6, 9)},
        {"name": "Ring", "start": dt(2024, 3, 7, 9), "kind": "call"})
    client = server.login_client()
    tree = page(client, action, date="2024-03-05")
    assert set(placed(tree)) == {mine, theirs, call}                 # the action's domain hides one
    legend = {li.text_content().strip(): css(li, ".o-cal-swatch")[0].get("class") for li in
              css(tree, ".o-cal-legend li")}
    assert legend == {admin_name: f"o-cal-swatch o-cal-color-{admin_id % 12}",
                      demo_name: f"o-cal-swatch o-cal-color-{demo_id % 12}"}
    theirs_link = css(tree, f'a.o-cal-event[data-id="{theirs}"]')[0]
    assert f"o-cal-color-{demo_id % 12}" in theirs_link.get("class")
    href = theirs_link.get("href")
    assert href.startswith(f"/web/action/{action}/{theirs}?")
    assert urllib.parse.unquote(urllib.parse.parse_qs(href.split("?")[1])["back"][0]).endswith("date=2024-03-05")
    # the search panel's filters and texts narrow the calendar; its links keep the date
    tree = page(client, action, date="2024-03-05", filter="mine")
    assert set(placed(tree)) == {mine, call}
    remove = css(tree, ".o-facet-remove")[0].get("href")
    assert "date=2024-03-05" in remove
    assert set(placed(page(client, action, date="2024-03-05", search="name:Ring"))) == {call}
    # a bad date or mode is a clean error
    assert client.get(f"/web/action/{action}?date=2024-13-01").status == 400
    assert client.get(f"/web/action/{action}?mode=year").status == 400


# ---------------------------------------------------------------- creating
def test_quick_create_writes_utc_and_takes_the_action_context(server):
    action = action_id(server, "action_events")
    client = server.login_client()
    base = f"/web/action/{action}/calendar/quick_create"
    result = rpc(client, base, name="Dentist", start="2024-03-31T10:00")["result"]
    assert result["url"] == f"/web/action/{action}/{result['id']}"
    assert read(server, "test.cal.event", result["id"], "name", "start", "stop", "allday", "kind") == (
        "Dentist", dt(2024, 3, 31, 8), dt(2024, 3, 31, 9), False, "call")   # CEST; the action's default
    result = rpc(client, base, name="Late", start="2024-03-30T23:30", stop="2024-03-31T03:30")["result"]
    assert read(server, "test.cal.event", result["id"], "start", "stop") == (dt(2024, 3, 30, 22, 30),
                                                                            dt(2024, 3, 31, 1, 30))
    result = rpc(client, base, name="Holiday", start="2024-03-12", allday=True)["result"]
    assert read(server, "test.cal.event", result["id"], "start", "stop", "allday") == (
        dt(2024, 3, 12, 8), dt(2024, 3, 12, 18), True)
    shown = placed(page(client, action, mode="month", date="2024-03-12"))
    assert [d for _w, d, _s in shown[result["id"]]] == ["2024-03-12"]
    # dates without times
    tasks = action_id(server, "action_tasks")
    result = rpc(client, f"/web/action/{tasks}/calendar/quick_create", name="Report", start="2024-03-05")["result"]
    assert read(server, "test.cal.task", result["id"], "date", "date_end") == (
        datetime.date(2024, 3, 5), datetime.date(2024, 3, 5))
    # refused: no name, a bad time, quick_create="0"
    for params, text in (({"name": " ", "start": "2024-03-05"}, "Give the event a name"),
                         ({"name": "X", "start": "2024-03-05T25:00"}, "Invalid time"),
                         ({"name": "X", "start": "2024-03-05T10:00", "stop": "2024-03-04T10:00"}, "cannot end before")):
        error = rpc(client, base, **params)["error"]
        assert text in error["data"]["message"]
    duration = action_id(server, "action_events_duration")
    error = rpc(client, f"/web/action/{duration}/calendar/quick_create", name="X", start="2024-03-05")["error"]
    assert "cannot be created from the calendar" in error["data"]["message"]
    with server.env() as env:
        assert env["test.cal.event"].search_count([("name", "=", "X")]) == 0


def test_new_opens_the_form_with_utc_defaults(server):
    action = action_id(server, "action_events")
    client = server.login_client()
    back = f"/web/action/{action}?date=2024-03-31"
    reply = client.get(f"/web/action/{action}/calendar/new?start=2024-03-31T10:00&back={urllib.parse.quote(back)}")
    assert reply.status == 303
    target = reply.headers["Location"]
    path, query = target.split("?")
    assert path.endswith(f"/web/action/{action}/new")
    params = urllib.parse.parse_qs(query)
    assert json.loads(params["context"][0]) == {"default_allday": False, "default_start": "2024-03-31 08:00:00",
                                                "default_stop": "2024-03-31 09:00:00"}
    assert params["back"] == [back]
    form = lxml_html.fromstring(client.get(target[target.index("/web"):]).text)
    assert css(form, 'input[name="start"]')[0].get("value") == "2024-03-31T10:00"   # shown in Berlin time
    assert css(form, 'input[name="stop"]')[0].get("value") == "2024-03-31T11:00"
    # the duration variant: a length in hours
    duration = action_id(server, "action_events_duration")
    reply = client.get(f"/web/action/{duration}/calendar/new?start=2024-01-10T15:00")
    context = json.loads(urllib.parse.parse_qs(reply.headers["Location"].split("?")[1])["context"][0])
    assert context == {"default_start": "2024-01-10 14:00:00", "default_duration": 1.0}
    # the page's links to it: "+" on a day of the month (all day) and of the week (9:00)
    tree = page(client, action, mode="month", date="2024-03-01")
    add = css(tree, 'td[data-date="2024-03-12"] a.o-cal-add')[0].get("href")
    assert "/calendar/new?" in add and "start=2024-03-12" in add and "allday=1" in add
    tree = page(client, action, date="2024-03-12")
    add = css(tree, "a.o-cal-add")[2].get("href")
    assert "start=2024-03-12T09%3A00" in add


# ---------------------------------------------------------------- moving
def test_move_by_days_to_a_time_and_resize_write_utc(server):
    action = action_id(server, "action_events")
    event, allday = events(
        server,
        {"name": "Standup", "start": dt(2024, 3, 30, 8), "stop": dt(2024, 3, 30, 8, 30)},   # 09:00 CET
        {"name": "Fair", "allday": True, "start": dt(2024, 3, 5, 8), "stop": dt(2024, 3, 6, 18)})
    client = server.login_client()
    base = f"/web/action/{action}/calendar/move"
    assert rpc(client, base, id=event, days=1)["result"] == {"id": event}
    assert read(server, "test.cal.event", event, "start", "stop") == (dt(2024, 3, 31, 7), dt(2024, 3, 31, 7, 30))
    rpc(client, base, id=event, start="2024-04-02T14:00")                          # 14:00 CEST, same length
    assert read(server, "test.cal.event", event, "start", "stop") == (dt(2024, 4, 2, 12), dt(2024, 4, 2, 12, 30))
    rpc(client, base, id=event, stop="2024-04-02T16:30")
    assert read(server, "test.cal.event", event, "stop") == (dt(2024, 4, 2, 14, 30),)
    rpc(client, base, id=allday, days=-2)
    assert read(server, "test.cal.event", allday, "start", "stop") == (dt(2024, 3, 3, 8), dt(2024, 3, 4, 18))
    rpc(client, base, id=allday, start="2024-03-10")                               # dropped on another day
    assert read(server, "test.cal.event", allday, "start", "stop") == (dt(2024, 3, 10, 8), dt(2024, 3, 11, 18))
    # the duration variant: a resize changes the duration
    duration = action_id(server, "action_events_duration")
    (short,) = events(server, {"name": "Call", "start": dt(2024, 3, 5, 9), "duration": 1})
    rpc(client, f"/web/action/{duration}/calendar/move", id=short, stop="2024-03-05T11:45")  # 10:00 CET to 11:45
    assert read(server, "test.cal.event", short, "start", "duration") == (dt(2024, 3, 5, 9), 1.75)
    # dates without times
    (task,) = events(server, {"name": "Task", "date": datetime.date(2024, 3, 5), "date_end": datetime.date(2024, 3, 6)},
                     model="test.cal.task")
    rpc(client, f"/web/action/{action_id(server, 'action_tasks')}/calendar/move", id=task, days=3)
    assert read(server, "test.cal.task", task, "date", "date_end") == (datetime.date(2024, 3, 8),
                                                                      datetime.date(2024, 3, 9))


def test_moves_refused_leave_everything_as_it_was(server):
    action = action_id(server, "action_events")
    base = f"/web/action/{action}/calendar/move"
    with server.env() as env:
        demo_id = env.ref("base.user_demo").id
    admins, locked, own = events(
        server,
        {"name": "Board", "start": dt(2024, 3, 5, 8), "stop": dt(2024, 3, 5, 9)},
        {"name": "Fixed", "start": dt(2024, 3, 6, 8), "stop": dt(2024, 3, 6, 9), "locked": True},
        {"name": "Own", "start": dt(2024, 3, 7, 8), "stop": dt(2024, 3, 7, 9), "user_id": demo_id})
    demo = server.login_client("demo", "demo")
    # the page shows the demo user every event; the record rule refuses moving the admin's
    assert set(placed(page(demo, action, date="2024-03-05"))) == {admins, locked, own}
    error = rpc(demo, base, id=admins, days=1)["error"]
    assert error["data"]["name"].endswith("AccessError")
    assert read(server, "test.cal.event", admins, "start", "stop") == (dt(2024, 3, 5, 8), dt(2024, 3, 5, 9))
    rpc(demo, base, id=own, start="2024-03-07T12:00")
    assert read(server, "test.cal.event", own, "start") == (dt(2024, 3, 7, 11),)
    # the model refuses (a locked event), an end before the start, a bad id
    admin = server.login_client()
    for params, text in (({"id": locked, "days": 1}, "This event is locked"),
                         ({"id": admins, "stop": "2024-03-05T08:00"}, "cannot end before it starts"),
                         ({"id": admins, "days": "many"}, "Invalid number of days"),
                         ({"id": 999999, "days": 1}, "does not exist any more"),
                         ({"id": admins}, "Say where the event goes")):
        error = rpc(admin, base, **params)["error"]
        assert text in error["data"]["message"], (params, error)
    assert read(server, "test.cal.event", locked, "start", "stop") == (dt(2024, 3, 6, 8), dt(2024, 3, 6, 9))
    assert read(server, "test.cal.event", admins, "start", "stop") == (dt(2024, 3, 5, 8), dt(2024, 3, 5, 9))
    # read-only dates (the creation date): no drag on the page, and the route refuses
    created = action_id(server, "action_tasks_created")
    (task,) = events(server, {"name": "Made", "date": datetime.date(2024, 3, 5)}, model="test.cal.task")
    tree = page(admin, created)
    link = css(tree, f'a.o-cal-event[data-id="{task}"]')[0]
    assert link.get("data-movable") is None and css(tree, ".o-calendar")[0].get("data-can-move") is None
    error = rpc(admin, f"/web/action/{created}/calendar/move", id=task, days=1)["error"]
    assert "cannot be changed here" in error["data"]["message"]
    # the demo user may not create tasks: no "+" links, no New button
    tree = page(demo, action_id(server, "action_tasks"), date="2024-03-05")
    assert not css(tree, "a.o-cal-add") and not css(tree, "a.o-cal-new")
