"""The graph and pivot views in Chromium: the chart renders as SVG and switches to a pie; a
pivot header expands by a chosen field and shows its sub-rows; both at phone width."""
import re

import pytest

from tests.support.browser import login, screenshot

from .test_pivot import deals, server  # noqa: F401 (server is a fixture)

pytestmark = pytest.mark.browser


def test_graph_renders_and_switches_to_pie(server, page):
    ids = deals(server)
    login(page, server)
    page.get_by_role("link", name="Deals").first.click()
    page.wait_for_url(re.compile(rf"/web/action/{ids['graph_action']}"))
    chart = page.get_by_role("img", name="Bar chart of Amount by Stage")
    chart.wait_for()
    assert page.locator("svg.o-chart rect.o-bar").count() == 4
    box = chart.bounding_box()
    assert box["width"] > 600 and box["height"] > 250
    assert page.locator("table.o-graph-table tbody tr").count() == 4
    screenshot(page, "graph-bar")

    page.get_by_role("link", name="Pie").click()
    page.wait_for_url(re.compile(r"graph_type=pie"))
    pie = page.get_by_role("img", name="Pie chart of Amount by Stage")
    pie.wait_for()
    assert page.locator("svg.o-chart .o-slice").count() == 4
    assert page.get_by_role("link", name="Pie").get_attribute("aria-current") == "true"
    screenshot(page, "graph-pie")

    # the measure menu, with the keyboard: Seats
    page.get_by_text("Measure: Amount").click()
    page.get_by_role("menuitemradio", name="Seats").click()
    page.wait_for_url(re.compile(r"graph_measure=quantity"))
    page.get_by_role("img", name="Pie chart of Seats by Stage").wait_for()

    # a bar of the table opens its records in the list, with a breadcrumb back
    page.locator("table.o-graph-table tbody th a", has_text="Alpha").click()
    page.wait_for_url(re.compile(r"/web/model/test.deal\?domain="))
    assert page.locator("tr.o-row").count() > 0
    page.locator(".o-breadcrumbs a").first.click()
    page.wait_for_url(re.compile(r"graph_type=pie"))


def test_pivot_expand_a_header(server, page):
    ids = deals(server)
    login(page, server)
    page.goto(f"{server.url}/web/action/{ids['action']}")
    table = page.locator("table.o-pivot-table")
    table.wait_for()
    rows = table.locator("tbody tr")
    assert rows.count() == 5                       # the total, three stages, no stage
    alpha = table.locator("tbody tr", has_text="Alpha")
    alpha.locator("summary").click()
    alpha.get_by_label("Group Alpha by").select_option(label="Kind")
    alpha.get_by_role("button", name="Expand").click()
    page.wait_for_url(re.compile(r"pivot_row=kind"))
    sub_rows = table.locator("tbody tr").filter(has_text=re.compile(r"New Business|Upsell|Renewal"))
    assert sub_rows.count() >= 2
    header = table.locator("tbody tr", has_text="Alpha").locator("a.o-pivot-toggle")
    assert header.get_attribute("aria-expanded") == "true"
    screenshot(page, "pivot-expanded")

    # collapse it again with the keyboard
    header.focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert table.locator("tbody tr").filter(has_text=re.compile(r"New Business|Upsell|Renewal")).count() == 0

    # flip the axes: the stages become columns
    page.get_by_role("link", name="Flip axes").click()
    page.wait_for_load_state()
    assert table.locator("thead th", has_text="Alpha").count() == 1
    screenshot(page, "pivot-flipped")


def test_phone_width(server, phone_page):
    ids = deals(server)
    page = phone_page
    login(page, server)
    page.goto(f"{server.url}/web/action/{ids['graph_action']}")
    chart = page.locator("svg.o-chart")
    chart.wait_for()
    box = chart.bounding_box()
    assert box["width"] <= 390 and box["height"] > 100
    # nothing wider than the screen but the tables' own scrolling boxes
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= 400
    screenshot(page, "graph-phone")
    page.goto(f"{server.url}/web/action/{ids['action']}")
    page.locator("table.o-pivot-table").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
    screenshot(page, "pivot-phone")
