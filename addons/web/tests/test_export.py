"""CSV export through a real HTTP server: the page, the file's format and values, the
selected records or the whole search, bad field names, the user's rights."""
import csv
import datetime
import io
import re
import urllib.parse

import pytest

from .test_list_support import contacts, message


@pytest.fixture
def setup(web_server):
    with web_server.env() as env:
        tag = env["res.partner.category"].create({"name": "Exportiert"})
        first = env["res.partner"].create({
            "name": "Ärger & Co, \"quoted\"", "is_company": True, "credit_limit": 1234.5,
            "country_id": env.ref("base.de").id, "category_id": [(6, 0, [tag.id])], "email": "a@x.example"})
        second = env["res.partner"].create({"name": "Export Two", "type": "invoice", "city": "Köln"})
        created = first.create_date
    ids = contacts(web_server)
    return web_server, ids["action"], first.id, second.id, created


def _post(client, path, pairs):
    body = urllib.parse.urlencode(pairs).encode()
    return client.request("POST", path, data=body,
                          headers={"Content-Type": "application/x-www-form-urlencoded"})


def _rows(reply):
    assert reply.status == 200, reply.text[:500]
    assert reply.body.startswith(b"\xef\xbb\xbf")                  # UTF-8 with BOM (Excel)
    return list(csv.reader(io.StringIO(reply.body.decode("utf-8-sig"))))


def test_export_page_preselects_the_list_columns(setup):
    server, action, first, second, _created = setup
    client = server.login_client()
    html = client.get(f"/web/action/{action}/export?ids={first}&ids={second}").text
    checked = re.findall(r'name="fields" value="([^"]+)" checked', html)
    assert checked == ["name", "email", "city", "country_id", "category_id", "credit_limit", "color", "is_company"]
    assert 'value="country_id/id"' in html and 'value="id"' in html
    assert 'name="scope" value="selected" checked' in html
    assert "The 2 selected records" in html
    assert "dot as decimal separator" in html                      # the format is explained
    assert 'name="csrf_token"' in html


def test_csv_of_selected_records(setup):
    server, action, first, second, created = setup
    client = server.login_client()
    token = client.csrf_token(f"/web/action/{action}")
    reply = _post(client, f"/web/action/{action}/export", [
        ("csrf_token", token), ("download", "1"), ("scope", "selected"), ("ids", first), ("ids", second),
        ("fields", "name"), ("fields", "credit_limit"), ("fields", "is_company"), ("fields", "country_id"),
        ("fields", "country_id/id"), ("fields", "category_id"), ("fields", "type"), ("fields", "create_date"),
        ("fields", ".id")])
    assert reply.headers["Content-Disposition"] == 'attachment; filename="res.partner.csv"'
    assert reply.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = _rows(reply)
    assert rows[0] == ["Name", "Credit Limit", "Is a Company", "Country", "Country / External ID", "Tags",
                       "Address Type", "Created on", "Database ID"]
    stamp = created.strftime("%Y-%m-%d %H:%M:%S")
    assert rows[1] == ['Ärger & Co, "quoted"', "1234.50", "True", "Germany", "base.de", "Exportiert",
                       "Contact", stamp, str(first)]
    assert rows[2][:7] == ["Export Two", "0.00", "False", "", "", "", "Invoice Address"]
    assert len(rows) == 3


def test_csv_of_the_whole_search_with_technical_header(setup):
    server, action, first, second, _created = setup
    client = server.login_client()
    token = client.csrf_token(f"/web/action/{action}")
    reply = _post(client, f"/web/action/{action}/export", [
        ("csrf_token", token), ("download", "1"), ("scope", "all"), ("search", "name:Export Two"),
        ("fields", "id"), ("fields", "name"), ("fields", "city"), ("import_compat", "1")])
    rows = _rows(reply)
    assert rows == [["id", "name", "city"], ["", "Export Two", "Köln"]]
    # the whole search, in the list's order
    reply = _post(client, f"/web/action/{action}/export", [
        ("csrf_token", token), ("download", "1"), ("scope", "all"), ("fields", "name"), ("order", "name desc")])
    with server.env() as env:
        expected = [n or "" for n in env["res.partner"].search([], order="name desc, id desc").mapped("name")]
    assert [row[0] for row in _rows(reply)[1:]] == expected


def test_export_refuses_unknown_fields_and_nothing_chosen(setup):
    server, action, first, _second, _created = setup
    client = server.login_client()
    token = client.csrf_token(f"/web/action/{action}")
    for fields, text in ((["password"], "Cannot export “password”"), (["contact_address"], "Cannot export"),
                         (["child_ids"], "Cannot export"), ([], "Choose at least one field")):
        reply = _post(client, f"/web/action/{action}/export", [
            ("csrf_token", token), ("download", "1"), ("ids", first), *[("fields", f) for f in fields]])
        assert reply.status == 400, fields
        assert text in message(reply.text)


def test_export_reads_with_the_users_rights(setup):
    server, action, first, _second, _created = setup
    with server.env() as env:
        rule = env["ir.rule"].create({
            "name": "demo sees no Ärger", "model_id": env["ir.model"].search([("model", "=", "res.partner")]).id,
            "domain_force": f"[('id', '!=', {first})]", "groups": [(6, 0, [env.ref("base.group_user").id])]})
        assert rule
    client = server.login_client("demo", "demo")
    token = client.csrf_token(f"/web/action/{action}")
    reply = _post(client, f"/web/action/{action}/export", [
        ("csrf_token", token), ("download", "1"), ("scope", "all"), ("fields", "name")])
    names = [row[0] for row in _rows(reply)[1:]]
    assert "Export Two" in names and 'Ärger & Co, "quoted"' not in names
    reply = _post(client, f"/web/action/{action}/export", [
        ("csrf_token", token), ("download", "1"), ("scope", "selected"), ("ids", first), ("fields", "name")])
    assert reply.status == 403


def test_dates_are_iso(web_server):
    from addons.web.export import machine_text
    with web_server.env() as env:
        partner = env["res.partner"]
        field = partner._fields["create_date"]
        assert machine_text(field, datetime.datetime(2024, 3, 5, 7, 8, 9)) == "2024-03-05 07:08:09"
        assert machine_text(partner._fields["credit_limit"], 0.1 + 0.2) == "0.30"
        assert machine_text(partner._fields["color"], 7) == "7"
        assert machine_text(partner._fields["name"], False) == ""
