"""The form view in a real Chromium: open, edit, save; validation; lines with live totals."""
from tests.support.browser import login, screenshot

from .form_support import lines_server, make_order as _order  # noqa: F401 - fixture


def _total(page):
    return page.locator('.o-field[data-name="total"]').inner_text().strip()


def test_order_lines_added_changed_removed_total_follows(lines_server, page):
    order_id, action_id = _order(lines_server)
    login(page, lines_server)
    page.goto(f"{lines_server.url}/web/action/{action_id}/{order_id}")
    assert _total(page) == "260.00"
    screenshot(page, "form-order-read")
    page.get_by_role("link", name="Edit").click()
    page.wait_for_url("**edit=1**")

    # change a quantity: the line's subtotal and the order's total follow (onchange)
    page.get_by_label("Quantity").first.fill("3")
    page.get_by_label("Quantity").first.press("Tab")
    page.wait_for_function("document.querySelector('.o-field[data-name=total]').innerText.trim() == '290.00'")
    assert page.locator('[data-cell="line_ids.0.subtotal"]').inner_text().strip() == "90.00"

    # add a line
    page.get_by_role("button", name="Add a line").click()
    new_row = page.locator("tr.o-line").nth(2)
    new_row.get_by_label("Product").fill("Lamp")
    new_row.get_by_label("Unit Price").fill("15")
    new_row.get_by_label("Unit Price").press("Tab")
    page.wait_for_function("document.querySelector('.o-field[data-name=total]').innerText.trim() == '305.00'")

    # remove the desk
    page.locator("tr.o-line").nth(1).locator(".o-line-delete-label").click()
    page.wait_for_function("document.querySelector('.o-field[data-name=total]').innerText.trim() == '105.00'")
    assert page.locator("tr.o-line:visible").count() == 2
    screenshot(page, "form-order-edit")

    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    assert "edit=1" not in page.url
    assert _total(page) == "105.00"
    with lines_server.env() as env:
        order = env["test.order"].browse(order_id)
        assert [(l.product, l.quantity, l.subtotal) for l in order.line_ids] == [("Chair", 3.0, 90.0), ("Lamp", 1.0, 15.0)]
        assert order.total == 105.0


def _open_contact(page, server, name):
    """From the home page: Contacts app, then the contact ``name`` in the list."""
    page.goto(server.url + "/web")
    page.get_by_role("link", name="Contacts").first.click()
    page.get_by_role("link", name=name, exact=True).click()
    page.wait_for_selector(".o-form-read")


def test_contact_opened_from_list_edited_and_saved(web_server, page):
    with web_server.env() as env:
        partner = env["res.partner"].search([("is_company", "=", True)], limit=1, order="id")
        partner_id, name = partner.id, partner.complete_name
    login(page, web_server)
    _open_contact(page, web_server, name)
    # the breadcrumbs lead back to the list; the pager runs through it
    assert page.locator(".o-breadcrumbs a").first.inner_text() == "Contacts"
    assert page.locator(".o-form-pager .o-pager-value").is_visible()
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Phone").fill("+49 30 1234567")
    page.get_by_label("City").fill("Potsdam")
    with page.expect_navigation():
        page.keyboard.press("Control+s")
    assert page.locator(".o-form-read").count() == 1
    assert "Potsdam" in page.locator('.o-field[data-name="city"]').inner_text()
    with web_server.env() as env:
        partner = env["res.partner"].browse(partner_id)
        assert (partner.phone, partner.city) == ("+49 30 1234567", "Potsdam")
    # back to the list through the breadcrumbs
    page.locator(".o-breadcrumbs a").first.click()
    page.wait_for_selector(".o-list-page")


def test_contact_validation_error_shown_and_nothing_saved(web_server, page):
    with web_server.env() as env:
        partner = env["res.partner"].search([("is_company", "=", True)], limit=1, order="id")
        partner_id, name, city = partner.id, partner.complete_name, partner.city
    login(page, web_server)
    _open_contact(page, web_server, name)
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("City").fill("Nowhere")
    page.get_by_role("tab", name="Sales & Purchases").click()
    page.get_by_label("Credit Limit").fill("a lot")
    page.get_by_label("Name", exact=True).fill("")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    alert = page.get_by_role("alert")
    assert "The form has errors" in alert.inner_text()
    # each message next to its field, linked to it for screen readers
    name_input = page.get_by_label("Name", exact=True)
    assert name_input.get_attribute("aria-invalid") == "true"
    assert page.locator("#" + name_input.get_attribute("aria-describedby")).inner_text() == "This field is required."
    credit = page.get_by_label("Credit Limit")
    assert credit.input_value() == "a lot"                     # what the user typed is kept
    assert page.locator("#" + credit.get_attribute("aria-describedby")).inner_text() == "Expected a number."
    assert page.get_by_role("tab", name="Sales & Purchases").get_attribute("aria-selected") == "true"
    assert page.get_by_label("City").input_value() == "Nowhere"
    screenshot(page, "form-contact-errors")
    with web_server.env() as env:
        partner = env["res.partner"].browse(partner_id)
        assert (partner.complete_name, partner.city) == (name, city)


def test_order_autocomplete_tags_and_keyboard(lines_server, page, phone_page):
    order_id, action_id = _order(lines_server)
    with lines_server.env() as env:
        env["test.order.tag"].create([{"name": "Export"}, {"name": "Express"}])
        partner = env["res.partner"].search([("email", "!=", False), ("is_company", "=", True)],
                                            order="id desc", limit=1)
        partner_id, partner_name, email = partner.id, partner.name, partner.email
    login(page, lines_server)
    page.goto(f"{lines_server.url}/web/action/{action_id}/{order_id}?edit=1")

    # many2one: type, choose with the keyboard; the onchange fills the contact email
    customer = page.get_by_role("combobox", name="Customer")
    customer.fill(partner_name[:6])
    option = page.get_by_role("option", name=partner_name, exact=True)
    option.wait_for()
    while option.get_attribute("aria-selected") != "true":
        customer.press("ArrowDown")
    customer.press("Enter")
    page.wait_for_function(f"document.getElementById('f-contact_email').value === {email!r}")
    assert page.locator('input[name="partner_id"]').input_value() == str(partner_id)

    # many2many tags: add two, remove one
    tags = page.get_by_role("combobox", name="Tags")
    tags.fill("Ex")
    page.get_by_role("option", name="Export", exact=True).click()
    tags.fill("Ex")
    page.get_by_role("option", name="Express", exact=True).click()
    assert page.locator(".o-tag label").all_inner_texts() == ["Export", "Express"]
    page.get_by_role("button", name="Remove Export").click()
    assert page.locator(".o-tag label").all_inner_texts() == ["Express"]

    # the notebook's tabs work with the arrow keys
    page.get_by_role("tab", name="Lines").focus()
    page.keyboard.press("ArrowRight")
    assert page.get_by_role("tab", name="Notes").get_attribute("aria-selected") == "true"
    assert page.get_by_role("textbox", name="Note").is_visible()
    screenshot(page, "form-order-autocomplete")

    with page.expect_navigation():
        page.keyboard.press("Alt+s")
    with lines_server.env() as env:
        order = env["test.order"].browse(order_id)
        assert order.partner_id.id == partner_id and order.contact_email == email
        assert order.tag_ids.mapped("name") == ["Express"]

    # Escape leaves the edit mode without saving (after asking, since something changed)
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Discount (%)").fill("5")
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.keyboard.press("Escape")
    assert page.locator(".o-form-read").count() == 1
    with lines_server.env() as env:
        assert env["test.order"].browse(order_id).discount == 0

    # on a phone the groups stack in one column
    login(phone_page, lines_server)
    phone_page.goto(f"{lines_server.url}/web/action/{action_id}/{order_id}?edit=1")
    name_box = phone_page.get_by_label("Customer").bounding_box()
    date_box = phone_page.get_by_label("Order Date").bounding_box()
    assert date_box["y"] > name_box["y"] and abs(date_box["x"] - name_box["x"]) < 5
    screenshot(phone_page, "form-order-phone")
