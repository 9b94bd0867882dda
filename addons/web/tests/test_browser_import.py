"""The CSV import in Chromium: a file with one bad line is refused whole (the error shown with
its line), then the fixed file imports every line; the upload's progress bar; phone width."""
import re
from pathlib import Path

import pytest

from tests.support.browser import login, screenshot

pytestmark = pytest.mark.browser

ADDONS = str(Path(__file__).resolve().parent / "addons")
BAD = ("Name;Unit Price;Quantity;Urgent;Due Date\n"
       "Anvil;12,50;3;yes;2025-01-31\n"
       "Hammer;abc;1;no;2025-02-01\n"
       "Tongs;4;2;no;01.03.2025\n")


@pytest.fixture
def server(start_web_server):
    server = start_web_server(addons=("web", "test_web_import"), addons_paths=(ADDONS,))
    with server.env() as env:
        # German number format for the admin: "12,50" is twelve and a half
        env["res.lang"].with_context(active_test=False).search([("code", "=", "de_DE")]).active = True
        env.ref("base.user_admin").lang = "de_DE"
    return server


def choose_file(page, path, name, text):
    file = path / name
    file.write_text(text, encoding="utf-8")
    page.set_input_files("#o-import-file", str(file))
    page.locator("form.o-import-upload button[type=submit]").click()
    page.wait_for_url(re.compile(r"/import/\d+$"))


def test_bad_line_imports_nothing_then_the_fixed_file_imports_all(server, page, tmp_path):
    login(page, server)
    with server.env() as env:
        action = env.ref("test_web_import.action_items").id
    page.goto(f"{server.url}/web/action/{action}/import")
    screenshot(page, "import-upload")
    choose_file(page, tmp_path, "items.csv", BAD)
    # the English headers are mapped although the user reads German
    assert [page.locator(f"#o-import-map-{i}").input_value() for i in range(5)] == \
        ["name", "price", "quantity", "urgent", "date_due"]
    page.locator("button[value=import]").click()
    alert = page.locator(".o-import-failed")
    alert.wait_for()
    errors = page.locator("tr.o-import-message")
    assert errors.count() == 1
    assert errors.first.get_attribute("data-line") == "3"
    # the admin reads German: the loader's message is translated (base's catalog)
    assert "„abc“ ist keine Zahl." in errors.first.inner_text() and "Unit Price" in errors.first.inner_text()
    screenshot(page, "import-bad-line")
    with server.env() as env:
        assert env["test.import.item"].search_count([]) == 0

    page.goto(f"{server.url}/web/action/{action}/import")
    choose_file(page, tmp_path, "items-fixed.csv", BAD.replace("abc", "7,25"))
    page.locator("button[value=test]").click()
    page.locator(".o-import-tested").wait_for()
    assert "3" in page.locator(".o-import-tested").inner_text()
    with server.env() as env:
        assert env["test.import.item"].search_count([]) == 0        # the test wrote nothing
    page.locator("button[value=import]").click()
    page.locator(".o-import-done").wait_for()
    screenshot(page, "import-done")
    with server.env() as env:
        items = env["test.import.item"].search([])
        assert [(i.name, i.price, i.quantity, i.urgent, str(i.date_due)) for i in items] == [
            ("Anvil", 12.5, 3, True, "2025-01-31"), ("Hammer", 7.25, 1, False, "2025-02-01"),
            ("Tongs", 4.0, 2, False, "2025-03-01")]
    page.locator(".o-import-done ~ .o-buttons a.btn-primary").click()
    page.wait_for_url(re.compile(rf"/web/action/{action}$"))


def test_upload_progress_and_phone_width(server, phone_page, tmp_path):
    page = phone_page
    login(page, server)
    page.goto(f"{server.url}/web/model/test.import.item/import")
    lines = "name,quantity\n" + "".join(f"Item {i},{i}\n" for i in range(3000))
    file = tmp_path / "many.csv"
    file.write_text(lines)
    page.set_input_files("#o-import-file", str(file))
    page.locator("form.o-import-upload button[type=submit]").click()
    page.wait_for_url(re.compile(r"/import/\d+$"))
    assert page.locator(".o-alert-info").inner_text().count("3000") == 1      # large file: batches
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, width                                                # no sideways scrolling
    screenshot(page, "import-mapping-phone")
    # a file the server refuses: the message shows on the upload page, without leaving it
    page.goto(f"{server.url}/web/model/test.import.item/import")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    page.set_input_files("#o-import-file", str(empty))
    page.locator("form.o-import-upload button[type=submit]").click()
    page.locator(".o-import-error").wait_for()
    assert "leer" in page.locator(".o-import-error").inner_text() or \
        "empty" in page.locator(".o-import-error").inner_text()
    assert page.url.endswith("/import")
    # it went through XMLHttpRequest: the progress bar got to the end
    assert page.locator(".o-import-progress progress").evaluate("bar => bar.value") == 100
