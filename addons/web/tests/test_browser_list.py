"""The list page in Chromium: Contacts from the menu, the search box's suggestions, grouping
by country, selecting rows and exporting them, in-place editing, the keyboard, phone width."""
import csv
import io
import re

import pytest

from tests.support.browser import login, screenshot

from .test_list_support import contacts

pytestmark = pytest.mark.browser


def test_contacts_search_group_select_and_export(web_server, page):
    login(page, web_server)
    page.get_by_role("link", name="Contacts").first.click()
    page.wait_for_url(re.compile(r"/web/action/\d+"))
    assert page.locator(".o-breadcrumbs [aria-current=page]").inner_text() == "Contacts"
    assert page.locator("table.o-list-table tbody tr.o-row").count() > 10
    screenshot(page, "list-contacts")

    # the search box suggests "Search <field> for: <text>"; Enter takes the first suggestion
    box = page.get_by_role("combobox")
    box.fill("Müller")
    suggestions = page.locator("#o-search-suggestions [role=option]")
    suggestions.first.wait_for()
    assert suggestions.first.inner_text().endswith("for: Müller")
    box.press("Enter")
    page.wait_for_url(re.compile(r"search="))
    names = page.locator("tbody tr.o-row td[data-name] a.o-row-link").all_inner_texts()
    assert names and all("Müller" in name for name in names)
    assert page.locator(".o-facet").count() == 1

    # group the search by country, open the group of Germany
    page.locator(".o-facet-remove").click()
    page.wait_for_load_state()
    page.get_by_text("Group By", exact=True).click()
    page.get_by_role("menuitemcheckbox", name="Country").click()
    page.wait_for_url(re.compile(r"groupby=country_id"))
    groups = page.locator("tr.o-group-row")
    assert groups.count() >= 3
    germany = page.locator("tr.o-group-row a", has_text="Germany")
    assert re.search(r"Germany \(\d+\)", germany.inner_text())
    germany.click()
    page.wait_for_url(re.compile(r"expand="))
    assert page.locator("tr.o-row").count() > 0
    assert page.locator("tr.o-group-row a[aria-expanded=true]").count() == 1
    screenshot(page, "list-contacts-grouped")

    # back to the plain list: tick two rows, the action bar counts them, export them
    page.locator(".o-facet-remove").click()
    page.wait_for_load_state()
    bar = page.locator(".o-action-bar")
    assert not bar.is_visible()
    rows = page.locator("tbody tr.o-row")
    first_two = [rows.nth(i).locator("a.o-row-link").inner_text() for i in range(2)]
    rows.nth(0).locator(".o-select-row").check()
    rows.nth(1).locator(".o-select-row").check()
    assert bar.is_visible()
    assert page.locator(".o-selected-count").inner_text() == "2 selected"
    bar.get_by_role("button", name="Export").click()
    page.wait_for_url(re.compile(r"/export"))
    assert page.get_by_label("The 2 selected records").is_checked()
    with page.expect_download() as download_info:
        page.locator("form.o-export").get_by_role("button", name="Export").click()
    download = download_info.value
    assert download.suggested_filename == "res.partner.csv"
    text = open(download.path(), encoding="utf-8-sig").read()
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 3          # the header (field labels), then the two rows
    assert sorted(row[0] for row in rows[1:]) == sorted(first_two)


def test_select_all_offers_every_record_of_the_search(web_server, page):
    with web_server.env() as env:
        env["res.partner"].create([{"name": f"Paged {i:03d}", "city": "Pagingen"} for i in range(90)])
    ids = contacts(web_server)
    login(page, web_server)
    page.goto(f"{web_server.url}/web/action/{ids['action']}?search=city:Pagingen")
    domain_choice = page.locator(".o-select-domain")
    assert not domain_choice.is_visible()
    page.get_by_label("Select all records of this page").check()
    assert page.locator(".o-selected-count").inner_text() == "80 selected"
    assert domain_choice.is_visible() and "90" in domain_choice.inner_text()
    domain_choice.locator("input").check()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Archive", exact=True).click()
    page.wait_for_url(re.compile(r"done=archive"))
    assert "90 record(s) archived." in page.locator(".o-alert-success").inner_text()
    with web_server.env() as env:
        assert env["res.partner"].search_count([("city", "=", "Pagingen")]) == 0


def test_editable_list_edits_rows_in_place(web_server, page):
    ids = contacts(web_server, editable="bottom")
    with web_server.env() as env:
        partner = env["res.partner"].create({"name": "Inline Editing", "city": "Ulm", "credit_limit": 10})
    login(page, web_server)
    page.goto(f"{web_server.url}/web/action/{ids['action']}?search=name:Inline")
    row = page.locator(f"tr.o-row[data-id='{partner.id}']")
    row.locator("td[data-name=city]").click()
    city = row.get_by_label("City")
    assert city.input_value() == "Ulm"
    city.fill("Konstanz")
    city.press("Enter")
    page.wait_for_function(
        f"document.querySelector(\"tr[data-id='{partner.id}'] td[data-name=city]\").textContent === 'Konstanz'")
    with web_server.env() as env:
        assert env["res.partner"].browse(partner.id).city == "Konstanz"
    # a value that is not a number: the row shows the error and stays open
    row.locator("td[data-name=credit_limit]").click()
    row.get_by_label("Credit Limit").fill("lots")
    row.get_by_label("Credit Limit").press("Enter")
    alert = page.locator(".o-row-error-message [role=alert]")
    alert.wait_for()
    assert alert.inner_text() == "Credit Limit: Expected a number."
    row.get_by_label("Credit Limit").press("Escape")
    assert page.locator(".o-row-error-message").count() == 0
    # "New" adds an empty row at the bottom; Enter creates the record
    page.locator(".o-list-new").click()
    new_row = page.locator("tr.o-row-new")
    new_row.get_by_label("Contact").fill("Made In Place")
    new_row.get_by_label("Contact").press("Enter")
    page.wait_for_function("[...document.querySelectorAll('tr.o-row')].some("
                           "row => row.dataset.id && row.textContent.includes('Made In Place'))")
    with web_server.env() as env:
        assert env["res.partner"].search_count([("name", "=", "Made In Place")]) == 1
    screenshot(page, "list-editable")


def test_keyboard_reaches_rows_and_sorting(web_server, page):
    ids = contacts(web_server)
    login(page, web_server)
    page.goto(f"{web_server.url}/web/action/{ids['action']}")
    header = page.locator("thead th[data-name=email] a")
    header.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"order=email\+asc"))
    assert page.locator("thead th[data-name=email]").get_attribute("aria-sort") == "ascending"
    first_link = page.locator("a.o-row-link").first
    first_link.focus()
    page.keyboard.press("Tab")          # from a row's link, Tab goes on to the next row's checkbox
    focused = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert focused.startswith("Select ")
    href = first_link.get_attribute("href")
    assert re.match(rf"/web/action/{ids['action']}/\d+\?back=", href)


def test_phone_width_scrolls_the_table_not_the_page(web_server, phone_page):
    ids = contacts(web_server)
    login(phone_page, web_server)
    phone_page.goto(f"{web_server.url}/web/action/{ids['action']}")
    sizes = phone_page.evaluate("""() => {
        const scroller = document.querySelector('.o-list-scroll');
        return {inner: scroller.scrollWidth, box: scroller.clientWidth,
                page: document.documentElement.scrollWidth, viewport: window.innerWidth};
    }""")
    assert sizes["inner"] > sizes["box"]            # the table scrolls in its container
    assert sizes["page"] <= sizes["viewport"]       # the page itself does not
    search = phone_page.locator(".o-search").bounding_box()
    crumbs = phone_page.locator(".o-breadcrumbs").bounding_box()
    assert search["y"] > crumbs["y"]                # the control panel stacks
    screenshot(phone_page, "list-phone")
