"""Helpers of the form view's HTTP tests: the test addon's server, an order, and what a
browser would post from a form page."""
import json
import os
import re

import pytest
from lxml import html as lxml_html

from core.fields import Command

ADDONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "addons")


@pytest.fixture
def lines_server(start_web_server):
    """web and the test addon test_web_lines (orders with lines), served on loopback."""
    return start_web_server(addons=("web", "test_web_lines"), addons_paths=[ADDONS])


def make_order(server, **values):
    """An order of a company with two lines (2 x 30 and 1 x 200); (order id, action id)."""
    with server.env() as env:
        partner = env["res.partner"].search([("is_company", "=", True)], limit=1, order="id")
        order = env["test.order"].create(dict({
            "name": "SO-100", "partner_id": partner.id,
            "line_ids": [Command.create({"product": "Chair", "quantity": 2, "price_unit": 30}),
                         Command.create({"product": "Desk", "quantity": 1, "price_unit": 200})],
        }, **values))
        return order.id, env.ref("test_web_lines.action_orders").id


def form_values(text):
    """``{name: value}`` of what the form ``#o-form`` of the page ``text`` posts, as a browser
    does: enabled inputs only, ticked checkboxes and radios, the first value of a name."""
    document = lxml_html.fromstring(text)
    values = {}
    for element in document.xpath('//form[@id="o-form"]//*[self::input or self::select or self::textarea]'):
        name = element.get("name")
        if not name or element.get("disabled") is not None or element.xpath("ancestor::template"):
            continue
        kind = element.get("type")
        if element.tag == "input" and kind in ("checkbox", "radio") and element.get("checked") is None:
            continue
        if kind in ("file", "submit"):
            continue
        if element.tag == "select":
            chosen = element.xpath(".//option[@selected]") or element.xpath(".//option")
            value = chosen[0].get("value") if chosen else ""
        elif element.tag == "textarea":
            value = element.text or ""
        else:
            value = element.get("value") or ""
        values.setdefault(name, value)
    return values


def csrf(text):
    return re.search(r'name="csrf_token" value="([^"]+)"', text).group(1)


def field_error(text, input_id):
    """The error message linked to input ``input_id`` (aria-describedby), or None."""
    document = lxml_html.fromstring(text)
    inputs = document.xpath(f'//*[@id="{input_id}"]')
    assert inputs, f"no input {input_id}"
    described = inputs[0].get("aria-describedby")
    if not described:
        return None
    assert inputs[0].get("aria-invalid") == "true"
    return document.xpath(f'//*[@id="{described}"]')[0].text_content().strip()


def rpc(client, path, params):
    reply = client.json(path, params)
    body = json.loads(reply.body)
    return reply.status, body.get("result"), body.get("error")


def multipart(values, files):
    """(body, content type) of a multipart/form-data post: ``values`` texts, ``files``
    ``{name: (filename, bytes)}``."""
    boundary = "----tessera-test-boundary"
    parts = []
    for name, value in values.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, content) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     f'Content-Type: application/octet-stream\r\n\r\n'.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"
