"""The form view over HTTP (a real server, no browser): read and edit modes, saving,
validation, lines, new records, read-only fields, modifiers, onchange and autocomplete.
Buttons and record actions: test_form_actions.py."""
import datetime

from lxml import html as lxml_html

from .form_support import csrf, field_error, form_values, lines_server, make_order  # noqa: F401 - fixture


def _doc(reply):
    return lxml_html.fromstring(reply.text)


def test_read_mode_shows_formatted_values(lines_server):
    with lines_server.env() as env:
        tag = env["test.order.tag"].create({"name": "Export"})
        tag_id = tag.id
    order_id, action_id = make_order(lines_server, date_order=datetime.date(2024, 3, 5), amount_paid=1234.5,
                                     tag_ids=[(6, 0, [tag_id])], is_rush=True,
                                     description="<p>Fragile <script>alert(1)</script><b>glass</b></p>")
    client = lines_server.login_client()
    reply = client.get(f"/web/action/{action_id}/{order_id}")
    assert reply.status == 200
    doc = _doc(reply)
    text = {node.get("data-name"): node.text_content().strip() for node in doc.xpath('//*[@data-name]')
            if "o-field" in (node.get("class") or "")}
    assert text["date_order"] == "Mar 5, 2024"
    assert text["amount_paid"] == "€1,234.50"
    assert text["total"] == "260.00"
    assert text["tag_ids"] == "Export"
    partner_link = doc.xpath('//*[@data-name="partner_id"]//a')[0]
    assert partner_link.get("href").startswith("/web/model/res.partner/")
    assert doc.xpath('//*[@data-name="is_rush"]//input[@type="checkbox"]')[0].get("checked") is not None
    # the html field is shown sanitised
    description = doc.xpath('//*[@data-name="description"]')[0]
    assert description.xpath(".//b")[0].text == "glass" and not description.xpath(".//script")
    assert "alert(1)" not in reply.text
    # lines with their subtotals; the statusbar shows the state
    cells = [[td.text_content().strip() for td in row.xpath("td")] for row in doc.xpath('//tr[@class="o-line"]')]
    assert cells == [["Chair", "2.00", "30.00", "60.00"], ["Desk", "1.00", "200.00", "200.00"]]
    assert doc.xpath('//*[@aria-current="step"]')[0].text == "Draft"
    # read mode: no inputs of fields, an Edit button
    assert not doc.xpath('//form[@id="o-form"]//input[@name="name"]')
    assert doc.xpath('//a[contains(@class, "o-form-edit")]')


def test_edit_and_save_writes_and_redirects(lines_server):
    order_id, action_id = make_order(lines_server)
    client = lines_server.login_client()
    back = f"/web/action/{action_id}"
    page = client.get(f"/web/action/{action_id}/{order_id}?edit=1&back={back}")
    assert page.status == 200
    values = form_values(page.text)
    assert values["name"] == "SO-100" and values["line_ids.0.quantity"] == "2.00"
    values.update({"name": "SO-101", "discount": "12.5", "date_order": "2024-07-01", "priority": "1",
                   "line_ids.0.quantity": "4", "note": "Call first"})
    values.pop("is_rush")          # unticked: only the hidden "0" remains
    values["is_rush"] = "0"
    reply = client.post(f"/web/action/{action_id}/{order_id}?back={back}", values)
    assert reply.status == 303
    assert reply.headers["Location"] == f"/web/action/{action_id}/{order_id}?back=%2Fweb%2Faction%2F{action_id}"
    with lines_server.env() as env:
        order = env["test.order"].browse(order_id)
        assert (order.name, order.discount, order.date_order, order.priority, order.note) == \
            ("SO-101", 12.5, datetime.date(2024, 7, 1), "1", "Call first")
        assert order.line_ids[0].quantity == 4.0 and order.total == 320.0


def test_required_field_left_empty_shows_error_and_saves_nothing(lines_server):
    order_id, action_id = make_order(lines_server)
    client = lines_server.login_client()
    values = form_values(client.get(f"/web/action/{action_id}/{order_id}?edit=1").text)
    values.update({"name": "", "note": "changed"})
    reply = client.post(f"/web/action/{action_id}/{order_id}", values)
    assert reply.status == 422
    assert field_error(reply.text, "f-name") == "This field is required."
    doc = _doc(reply)
    assert doc.xpath('//*[@role="alert"]//a[@href="#f-name"]')
    # the input the user typed stays, in edit mode
    assert doc.xpath('//textarea[@name="note"]')[0].text == "changed"
    with lines_server.env() as env:
        order = env["test.order"].browse(order_id)
        assert (order.name, order.note) == ("SO-100", False)


def test_constraint_error_saves_nothing(lines_server):
    order_id, action_id = make_order(lines_server)
    client = lines_server.login_client()
    values = form_values(client.get(f"/web/action/{action_id}/{order_id}?edit=1").text)
    values.update({"name": "SO-999", "discount": "150", "line_ids.0.quantity": "9"})
    reply = client.post(f"/web/action/{action_id}/{order_id}", values)
    assert reply.status == 422
    assert field_error(reply.text, "f-discount") == "Discount (%): a discount is between 0 and 100."
    assert _doc(reply).xpath('//input[@name="name"]')[0].get("value") == "SO-999"
    with lines_server.env() as env:
        order = env["test.order"].browse(order_id)
        assert (order.name, order.discount, order.line_ids[0].quantity) == ("SO-100", 0.0, 2.0)


def test_unparseable_value_is_kept_and_explained(lines_server):
    order_id, action_id = make_order(lines_server)
    client = lines_server.login_client()
    values = form_values(client.get(f"/web/action/{action_id}/{order_id}?edit=1").text)
    values.update({"discount": "ten", "line_ids.1.price_unit": "cheap", "deadline": "tomorrow"})
    reply = client.post(f"/web/action/{action_id}/{order_id}", values)
    assert reply.status == 422
    assert field_error(reply.text, "f-discount") == "Expected a number."
    assert field_error(reply.text, "f-deadline") == "Expected a date and a time."
    assert field_error(reply.text, "f-line_ids-1-price_unit") == "Expected a number."
    doc = _doc(reply)
    assert doc.xpath('//input[@name="line_ids.1.price_unit"]')[0].get("value") == "cheap"


def test_lines_added_and_removed_through_the_posted_form(lines_server):
    order_id, action_id = make_order(lines_server)
    client = lines_server.login_client()
    url = f"/web/action/{action_id}/{order_id}"
    values = form_values(client.get(url + "?edit=1").text)
    # without script: "Add a line" posts the form back and gets one more (empty) row
    values["_add_line"] = "line_ids"
    values["line_ids.0.quantity"] = "3"
    reply = client.post(url, values)
    assert reply.status == 200
    values = form_values(reply.text)
    assert values["line_ids.0.quantity"] == "3.00"            # the posted value is kept
    assert values["line_ids.2.id"] == "" and values["line_ids.2.quantity"] == "1.00"   # the default
    with lines_server.env() as env:
        assert len(env["test.order"].browse(order_id).line_ids) == 2    # nothing saved yet
    values.update({"line_ids.2.product": "Lamp", "line_ids.2.price_unit": "15", "line_ids.1._delete": "1"})
    reply = client.post(url, values)
    assert reply.status == 303
    with lines_server.env() as env:
        order = env["test.order"].browse(order_id)
        assert [(line.product, line.quantity) for line in order.line_ids] == [("Chair", 3.0), ("Lamp", 1.0)]
        assert order.total == 105.0
        assert not env["test.order.line"].search([("product", "=", "Desk")])


def test_a_line_of_another_order_cannot_be_changed(lines_server):
    order_id, action_id = make_order(lines_server)
    other_id, _action = make_order(lines_server, name="SO-OTHER")
    with lines_server.env() as env:
        foreign_line = env["test.order"].browse(other_id).line_ids[0].id
    client = lines_server.login_client()
    url = f"/web/action/{action_id}/{order_id}"
    values = form_values(client.get(url + "?edit=1").text)
    values.update({"line_ids.0.id": str(foreign_line), "line_ids.0.product": "Hijacked"})
    reply = client.post(url, values)
    assert reply.status == 400
    assert "is not a line of this" in reply.text
    with lines_server.env() as env:
        assert env["test.order.line"].browse(foreign_line).product == "Chair"


def test_new_record_gets_defaults_then_is_created(lines_server):
    with lines_server.env() as env:
        action_id = env.ref("test_web_lines.action_orders").id
    client = lines_server.login_client()
    page = client.get(f"/web/action/{action_id}/new?back=/web/action/{action_id}")
    assert page.status == 200
    values = form_values(page.text)
    # default_priority of the action's context, the model's defaults
    assert values["priority"] == "1"
    assert values["date_order"] == datetime.date.today().isoformat()
    assert values["currency_id"] != ""
    values.update({"name": "SO-NEW", "line_ids": "", "line_ids.x1.id": "", "line_ids.x1.product": "Pen",
                   "line_ids.x1.quantity": "10", "line_ids.x1.price_unit": "1.5"})
    reply = client.post(f"/web/action/{action_id}/new?back=/web/action/{action_id}", values)
    assert reply.status == 303
    with lines_server.env() as env:
        order = env["test.order"].search([("name", "=", "SO-NEW")])
        assert order and order.total == 15.0 and order.priority == "1"
        assert reply.headers["Location"].startswith(f"/web/action/{action_id}/{order.id}?")


def test_read_only_fields_are_not_written(lines_server):
    order_id, action_id = make_order(lines_server, state="done")
    with lines_server.env() as env:
        other = env["res.partner"].search([("is_company", "=", False)], limit=1).id
    client = lines_server.login_client()
    page = client.get(f"/web/action/{action_id}/{order_id}?edit=1")
    doc = _doc(page)
    # readonly="state == 'done'": the inputs are there (the script may enable them) but disabled
    assert doc.xpath('//input[@name="partner_id"]')[0].get("disabled") is not None
    assert doc.xpath('//input[@name="line_ids.0.quantity"]')[0].get("disabled") is not None
    values = form_values(page.text)
    assert "partner_id" not in values and "line_ids.0.quantity" not in values
    # a forged post of them changes nothing
    values.update({"partner_id": str(other), "total": "1", "line_ids": "", "line_ids.0.id": "",
                   "line_ids.0.product": "Forged", "note": "ok"})
    assert client.post(f"/web/action/{action_id}/{order_id}", values).status == 303
    with lines_server.env() as env:
        order = env["test.order"].browse(order_id)
        assert order.partner_id.id != other and order.total == 260.0 and len(order.line_ids) == 2
        assert order.note == "ok"


def test_modifiers_are_evaluated_on_the_server(lines_server):
    order_id, action_id = make_order(lines_server)
    client = lines_server.login_client()
    doc = _doc(client.get(f"/web/action/{action_id}/{order_id}"))

    def hidden(xpath):
        return doc.xpath(xpath)[0].get("hidden") is not None

    # draft: Confirm shown, Mark Done hidden, the discount shown
    assert not hidden('//button[@value="object:action_confirm"]')
    assert hidden('//button[@value="object:action_done"]')
    assert not hidden('//*[@data-name="discount"]/..')
    with lines_server.env() as env:
        env["test.order"].browse(order_id).state = "confirmed"
    doc = _doc(client.get(f"/web/action/{action_id}/{order_id}?edit=1"))
    assert hidden('//button[@value="object:action_confirm"]')
    assert not hidden('//button[@value="object:action_done"]')
    assert hidden('//*[@data-name="discount"]/..')
    # required="state == 'confirmed'": marked for people and for screen readers
    assert doc.xpath('//input[@name="date_order"]')[0].get("aria-required") == "true"
    assert "o-required" in doc.xpath('//label[@for="f-date_order"]')[0].get("class")


# ---------------------------------------------------------------- onchange and autocomplete
def test_onchange_route_recomputes_line_and_total(lines_server):
    from .form_support import rpc
    order_id, action_id = make_order(lines_server)
    client = lines_server.login_client()
    values = form_values(client.get(f"/web/action/{action_id}/{order_id}?edit=1").text)
    values["line_ids.1.quantity"] = "3"
    values.update({"line_ids.x1.id": "", "line_ids.x1.product": "Lamp", "line_ids.x1.quantity": "2",
                   "line_ids.x1.price_unit": "10"})
    status, result, error = rpc(client, "/web/dataset/onchange", {
        "model": "test.order", "action_id": action_id, "id": order_id, "values": values,
        "changed": "line_ids.1.quantity"})
    assert status == 200, error
    assert result["cells"]["line_ids.1.subtotal"].endswith("600.00</span></span>")
    assert result["cells"]["line_ids.x1.subtotal"].endswith("20.00</span></span>")
    total_key = _doc(client.get(f"/web/action/{action_id}/{order_id}?edit=1")).xpath(
        '//*[@data-name="total"]')[0].get("data-widget")
    assert result["fields"][total_key] == '<span class="o-value">680.00</span>'
    # the quantity the user typed is not sent back; nothing was written
    assert "line_ids.1.quantity" not in result["cells"]
    with lines_server.env() as env:
        assert env["test.order"].browse(order_id).total == 260.0


def test_onchange_runs_onchange_methods_and_modifiers(lines_server):
    from .form_support import rpc
    with lines_server.env() as env:
        partner = env["res.partner"].search([("email", "!=", False), ("is_company", "=", True)], limit=1)
        partner_id, email = partner.id, partner.email
        action_id = env.ref("test_web_lines.action_orders").id
    client = lines_server.login_client()
    page = client.get(f"/web/action/{action_id}/new")
    doc = _doc(page)
    values = form_values(page.text)
    values["partner_id"] = str(partner_id)
    status, result, error = rpc(client, "/web/dataset/onchange", {
        "model": "test.order", "action_id": action_id, "id": None, "values": values, "changed": "partner_id"})
    assert status == 200, error
    email_key = doc.xpath('//*[@data-name="contact_email"]')[0].get("data-widget")
    assert f'value="{email}"' in result["fields"][email_key]
    # the "Customer" stat button (invisible="not partner_id") is shown now
    button_key = doc.xpath('//button[@value="object:action_view_partner"]')[0].get("data-node")
    assert result["modifiers"][button_key] == [False, False, False]
    # an unknown field is refused
    status, result, error = rpc(client, "/web/dataset/onchange", {
        "model": "test.order", "id": None, "values": values, "changed": "nope"})
    assert error and "no field" in error["data"]["message"]


def test_name_search_route(lines_server):
    from .form_support import rpc
    with lines_server.env() as env:
        tags = env["test.order.tag"].create([{"name": f"Tag {i:02d}"} for i in range(12)])
        expected = [[tag.id, tag.name] for tag in tags[:8]]
        two = tags[2].id
    client = lines_server.login_client()
    status, result, error = rpc(client, "/web/dataset/name_search", {"model": "test.order.tag", "name": "Tag"})
    assert result == expected
    status, result, error = rpc(client, "/web/dataset/name_search",
                                {"model": "test.order.tag", "name": "", "domain": [["id", "=", two]]})
    assert result == [[two, "Tag 02"]]
    status, result, error = rpc(client, "/web/dataset/name_search", {"model": "no.such.model", "name": ""})
    assert status == 200 and "Unknown model" in error["data"]["message"]
    status, result, error = rpc(client, "/web/dataset/name_search",
                                {"model": "test.order.tag", "domain": [["secret", "=", 1]]})
    assert status == 200 and "Invalid domain" in error["data"]["message"]


def test_name_create_route_needs_create_rights(lines_server):
    from .form_support import rpc
    client = lines_server.login_client()
    status, result, error = rpc(client, "/web/dataset/name_create", {"model": "test.order.tag", "name": "Fresh"})
    assert status == 200 and result[1] == "Fresh"
    demo = lines_server.login_client("demo", "demo")
    status, result, error = rpc(demo, "/web/dataset/name_create", {"model": "test.order.tag", "name": "Nope"})
    assert status == 200 and error["data"]["name"] == "odoo.exceptions.AccessError"
    with lines_server.env() as env:
        assert env["test.order.tag"].search([("name", "in", ["Fresh", "Nope"])]).mapped("name") == ["Fresh"]


def test_many2one_typed_name_is_resolved_without_script(lines_server):
    order_id, action_id = make_order(lines_server)
    with lines_server.env() as env:
        partner = env["res.partner"].search([("is_company", "=", True)], limit=1, order="id desc")
        partner_id, name = partner.id, partner.name
        tag = env["test.order.tag"].create({"name": "Urgent"}).id
    client = lines_server.login_client()
    url = f"/web/action/{action_id}/{order_id}"
    values = form_values(client.get(url + "?edit=1").text)
    values.update({"partner_id": "", "partner_id.display": name, "tag_ids.add": "urgent"})
    assert client.post(url, values).status == 303
    with lines_server.env() as env:
        order = env["test.order"].browse(order_id)
        assert order.partner_id.id == partner_id and order.tag_ids.ids == [tag]
    values = form_values(client.get(url + "?edit=1").text)
    values.update({"partner_id": "", "partner_id.display": "No Such Company Anywhere"})
    reply = client.post(url, values)
    assert reply.status == 422
    assert field_error(reply.text, "f-partner_id") == "No record found named “No Such Company Anywhere”."
    # a tag unticked is removed
    values = form_values(client.get(url + "?edit=1").text)
    assert values[f"tag_ids.{tag}"] == "1"
    del values[f"tag_ids.{tag}"]
    assert client.post(url, values).status == 303
    with lines_server.env() as env:
        assert not env["test.order"].browse(order_id).tag_ids


def test_queries_do_not_grow_with_the_lines(lines_server):
    """Lines are read in batches: a form with 60 lines costs the queries of one with 3."""
    from sqlalchemy import event

    from core.fields import Command
    counts = {}
    orders = {}
    for size in (3, 60):
        lines = [Command.create({"product": f"P{i}", "quantity": i, "price_unit": 2}) for i in range(size)]
        orders[size], action_id = make_order(lines_server, line_ids=lines)
    client = lines_server.login_client()
    engine = lines_server.app.database(lines_server.app.databases()[0]).registry.engine
    statements = []

    def count(*args):
        statements.append(args[2])
    event.listen(engine, "before_cursor_execute", count)
    try:
        for size, order_id in orders.items():
            for suffix in ("", "?edit=1"):
                client.get(f"/web/action/{action_id}/{order_id}{suffix}")      # warm
                statements.clear()
                reply = client.get(f"/web/action/{action_id}/{order_id}{suffix}")
                rows = _doc(reply).xpath('//tr[@class="o-line"][not(ancestor::template)]')
                assert reply.status == 200 and len(rows) == size
                counts[size, suffix] = len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert counts[3, ""] == counts[60, ""]
    assert counts[3, "?edit=1"] == counts[60, "?edit=1"]


def test_datetimes_are_shown_and_read_in_the_users_time_zone(lines_server):
    order_id, action_id = make_order(lines_server, deadline=datetime.datetime(2024, 1, 15, 12, 0))
    with lines_server.env() as env:
        env.ref("base.user_admin").tz = "Europe/Berlin"
    client = lines_server.login_client()
    url = f"/web/action/{action_id}/{order_id}"
    assert "1:00" in _doc(client.get(url)).xpath('//*[@data-name="deadline"]')[0].text_content()
    values = form_values(client.get(url + "?edit=1").text)
    assert values["deadline"] == "2024-01-15T13:00"
    values["deadline"] = "2024-07-01T09:30"          # summer time: UTC+2
    assert client.post(url, values).status == 303
    with lines_server.env() as env:
        assert env["test.order"].browse(order_id).deadline == datetime.datetime(2024, 7, 1, 7, 30)
