"""The calendar page in Chromium, for a user in Europe/Berlin: an event made by clicking an
empty slot (quick create) and seen saved, an event dragged to another day and another
time, resized, a refused move put back with its reason shown, and the phone width."""
import datetime
import os
import re

import pytest

from tests.support.browser import login, screenshot

ADDONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "addons")
dt = datetime.datetime

pytestmark = pytest.mark.browser


@pytest.fixture
def server(start_web_server):
    server = start_web_server(addons=("web", "test_web_calendar"), addons_paths=[ADDONS])
    with server.env() as env:
        env.ref("base.user_admin").tz = "Europe/Berlin"
    return server


def setup(server, *values):
    """The events action's id and the ids of events made with ``values``."""
    with server.env() as env:
        action = env.ref("test_web_calendar.action_events").id
        admin = env.ref("base.user_admin").id
        ids = [env["test.cal.event"].create(dict({"user_id": admin}, **vals)).id for vals in values]
    return action, ids


def read(server, rid, *names):
    with server.env() as env:
        record = env["test.cal.event"].browse(rid)
        return tuple(record[name] for name in names)


def scroll_to(page, hour):
    """Scroll the day columns' frame so that ``hour`` is near its top."""
    page.evaluate("""(hour) => {
        const frame = document.querySelector('.o-cal-days');
        frame.scrollTop = Math.max(0, frame.querySelector('.o-cal-grid').offsetHeight * (hour - 1) / 24);
    }""", hour)


def slot_point(page, day, hour):
    """The viewport point of ``hour`` (local, a float) in the column of ``day``."""
    return page.evaluate("""([day, hour]) => {
        const column = document.querySelector(`section.o-cal-col[data-date="${day}"]`);
        const rect = column.getBoundingClientRect();
        return {x: rect.left + rect.width / 2, y: rect.top + rect.height * hour / 24};
    }""", [day, hour])


def drag(page, start, end):
    page.mouse.move(start["x"], start["y"])
    page.mouse.down()
    steps = 8
    for i in range(1, steps + 1):
        page.mouse.move(start["x"] + (end["x"] - start["x"]) * i / steps,
                        start["y"] + (end["y"] - start["y"]) * i / steps)
    page.mouse.up()


def centre(locator):
    box = locator.bounding_box()
    return {"x": box["x"] + box["width"] / 2, "y": box["y"] + min(box["height"] / 2, 8)}


def test_click_an_empty_slot_to_create_an_event(server, page):
    action, _ids = setup(server)
    login(page, server)
    page.goto(f"{server.url}/web/action/{action}?date=2024-03-05")
    scroll_to(page, 12)
    point = slot_point(page, "2024-03-06", 14.1)
    page.mouse.click(point["x"], point["y"])
    dialog = page.get_by_role("dialog")
    dialog.wait_for()
    assert "14:00" in dialog.locator(".o-cal-quick-when").inner_text()
    screenshot(page, "calendar-quick-create")
    page.get_by_label("Name", exact=True).fill("Dentist")
    with page.expect_navigation():
        dialog.get_by_role("button", name="Create").click()
    event = page.locator("a.o-cal-event", has_text="Dentist")
    event.wait_for()
    assert event.get_attribute("data-date") == "2024-03-06"
    with server.env() as env:
        record = env["test.cal.event"].search([("name", "=", "Dentist")])
        assert (record.start, record.stop, record.allday, record.kind) == (
            dt(2024, 3, 6, 13), dt(2024, 3, 6, 14), False, "call")     # 14:00 CET in UTC; the action's default
    # the month: a click on an empty day makes an all-day event; Escape closes the popover first
    page.goto(f"{server.url}/web/action/{action}?mode=month&date=2024-03-01")
    cell = page.locator('td.o-cal-day[data-date="2024-03-20"]')
    cell.click(position={"x": 40, "y": 60})
    page.get_by_role("dialog").wait_for()
    page.keyboard.press("Escape")
    assert page.get_by_role("dialog").is_hidden()
    cell.click(position={"x": 40, "y": 60})
    page.get_by_label("Name", exact=True).fill("Holiday")
    with page.expect_navigation():
        page.get_by_label("Name", exact=True).press("Enter")
    page.locator('td[data-date="2024-03-20"] a.o-cal-event', has_text="Holiday").wait_for()
    with server.env() as env:
        record = env["test.cal.event"].search([("name", "=", "Holiday")])
        assert (record.allday, record.start, record.stop) == (True, dt(2024, 3, 20, 8), dt(2024, 3, 20, 18))
    # a click on an event opens its form, and the form leads back to the calendar
    page.locator("a.o-cal-event", has_text="Holiday").click()
    page.wait_for_url(re.compile(rf"/web/action/{action}/{record.id}\?"))
    page.locator(".o-breadcrumbs a").first.click()
    page.wait_for_url(re.compile(r"mode=month"))


def test_drag_to_another_day_and_time_resize_and_refusal(server, page):
    action, (standup, locked) = setup(
        server,
        {"name": "Standup", "start": dt(2024, 3, 5, 8), "stop": dt(2024, 3, 5, 9)},              # 09:00 CET
        {"name": "Fixed", "start": dt(2024, 3, 5, 12), "stop": dt(2024, 3, 5, 13), "locked": True})
    login(page, server)
    # the month: drag from Tuesday the 5th to Friday the 8th
    page.goto(f"{server.url}/web/action/{action}?mode=month&date=2024-03-01")
    event = page.locator(f'a.o-cal-event[data-id="{standup}"]')
    target = page.locator('td.o-cal-day[data-date="2024-03-08"]')
    box = target.bounding_box()
    with page.expect_navigation():
        drag(page, centre(event), {"x": box["x"] + box["width"] / 2, "y": box["y"] + box["height"] - 10})
    page.locator(f'td[data-date="2024-03-08"] a.o-cal-event[data-id="{standup}"]').wait_for()
    assert read(server, standup, "start", "stop") == (dt(2024, 3, 8, 8), dt(2024, 3, 8, 9))
    # the week: to Thursday the 7th at 11:00, then its end dragged to 12:30
    page.goto(f"{server.url}/web/action/{action}?date=2024-03-07")
    event = page.locator(f'a.o-cal-event[data-id="{standup}"]')
    scroll_to(page, 8)
    start = slot_point(page, "2024-03-08", 9)
    grab = {"x": start["x"], "y": start["y"] + 6}
    end = slot_point(page, "2024-03-07", 11)
    with page.expect_navigation():
        drag(page, grab, {"x": end["x"], "y": end["y"] + 6})
    event.wait_for()
    assert event.get_attribute("data-date") == "2024-03-07"
    assert read(server, standup, "start", "stop") == (dt(2024, 3, 7, 10), dt(2024, 3, 7, 11))
    handle = event.locator(".o-cal-resize")
    box = handle.bounding_box()
    bottom = slot_point(page, "2024-03-07", 12.5)
    with page.expect_navigation():
        drag(page, {"x": box["x"] + box["width"] / 2, "y": box["y"] + box["height"] / 2},
             {"x": box["x"] + box["width"] / 2, "y": bottom["y"]})
    event.wait_for()
    assert read(server, standup, "start", "stop") == (dt(2024, 3, 7, 10), dt(2024, 3, 7, 11, 30))
    screenshot(page, "calendar-week")
    # a locked event: the move is refused, the event goes back, the reason is shown
    page.goto(f"{server.url}/web/action/{action}?date=2024-03-05")
    fixed = page.locator(f'a.o-cal-event[data-id="{locked}"]')
    scroll_to(page, 11)
    point = slot_point(page, "2024-03-05", 13)
    place = "e => [e.offsetTop, e.offsetLeft, e.offsetHeight, e.offsetWidth]"
    before = fixed.evaluate(place)
    drag(page, {"x": point["x"], "y": point["y"] + 6}, slot_point(page, "2024-03-06", 15))
    alert = page.locator(".o-cal-message")
    alert.wait_for()
    assert "locked" in alert.inner_text()
    assert fixed.get_attribute("data-date") == "2024-03-05"
    assert page.locator(f'section[data-date="2024-03-05"] a.o-cal-event[data-id="{locked}"]').count() == 1
    assert fixed.evaluate(place) == before                # back where it was in its column
    assert read(server, locked, "start", "stop") == (dt(2024, 3, 5, 12), dt(2024, 3, 5, 13))


def test_phone_width(server, phone_page):
    action, _ids = setup(
        server,
        {"name": "Breakfast meeting with the whole team", "start": dt(2024, 3, 5, 7), "stop": dt(2024, 3, 5, 8)},
        {"name": "Fair", "allday": True, "start": dt(2024, 3, 6, 8), "stop": dt(2024, 3, 8, 18)})
    page = phone_page
    login(page, server)
    page.goto(f"{server.url}/web/action/{action}?mode=month&date=2024-03-05")
    page.locator("a.o-cal-event").first.wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "calendar-month-phone")
    page.get_by_role("link", name="Week").click()
    page.locator(".o-cal-days").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # the week scrolls sideways inside its frame; the event is there
    assert page.locator("a.o-cal-event", has_text="Breakfast").count() == 1
    screenshot(page, "calendar-week-phone")
