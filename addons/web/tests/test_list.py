"""The list page through a real HTTP server: columns, formatting, sorting, pager, counts,
decorations, the query count, redirects of form-only actions, in-place editing."""
import json
import re
import urllib.parse

import pytest

from .test_list_support import column_texts, contacts, count_queries, message, row_ids


@pytest.fixture
def setup(web_server):
    ids = contacts(web_server, help="<p>Create your first contact<script>alert('x')</script></p>")
    return web_server, ids["action"]


def test_columns_and_german_formatting(setup):
    server, action = setup
    with server.env() as env:
        env["res.partner"].create({"name": "Zahlen GmbH", "is_company": True, "credit_limit": 1234.56,
                                   "category_id": [(6, 0, [env.ref("base.res_partner_category_vip").id])]})
        env.ref("base.user_admin").lang = "de_DE"
    client = server.login_client()
    reply = client.get(f"/web/action/{action}?search=name:Zahlen")
    assert reply.status == 200
    html = reply.text
    headers = re.findall(r'<th scope="col" class="([^"]*)" data-name="([^"]+)"', html)
    names = [name for _css, name in headers]
    # optional="hide" and column_invisible columns are not shown; optional="show" ones are
    assert names == ["name", "email", "city", "country_id", "category_id", "credit_limit", "color", "is_company"]
    assert 'data-name="name"' in html and ">Contact</a>" in html          # the arch's string
    assert dict((n, c) for c, n in headers)["credit_limit"].endswith("o-num")  # numbers right-aligned
    assert column_texts(html, "credit_limit") == ["1.234,56"]
    assert re.search(r'data-name="category_id"><span class="o-tags"><span class="o-tag">VIP</span></span></td>',
                     html)                                                 # widget="many2many_tags"
    assert re.search(r'data-name="is_company"><input type="checkbox" disabled checked aria-label="[^"]+"></td>',
                     html)
    assert re.search(r'<tfoot>.*1\.234,56.*</tfoot>', html, re.S)           # sum="..." footer
    assert '<html lang="de">' in html


def test_rows_link_to_the_form_with_back_and_decorations(setup):
    server, action = setup
    with server.env() as env:
        rich = env["res.partner"].create({"name": "Aaa Rich", "credit_limit": 9000, "is_company": True,
                                          "color": 4})
        poor = env["res.partner"].create({"name": "Aaa Poor", "credit_limit": 10})
    html = server.login_client().get(f"/web/action/{action}?search=name:Aaa").text
    assert row_ids(html) == [poor.id, rich.id]                                 # default_order="name"
    row = re.search(rf'<tr class="o-row ([^"]*)" data-id="{rich.id}" data-url="([^"]+)"', html)
    assert row.group(1) == "o-decoration-danger"
    url = row.group(2).replace("&amp;", "&")
    path, query = url.split("?")
    assert path == f"/web/action/{action}/{rich.id}"
    back = urllib.parse.parse_qs(query)["back"][0]
    assert urllib.parse.unquote(back) == f"/web/action/{action}?search=name:Aaa"
    # the color cell is invisible where is_company is false (invisible="not is_company")
    assert column_texts(html, "color") == ["", "4"]


def test_sorting_by_header_and_invalid_orders(setup):
    server, action = setup
    client = server.login_client()
    html = client.get(f"/web/action/{action}").text
    assert re.search(rf'href="/web/action/{action}\?order=email\+asc"', html)
    with server.env() as env:
        expected = env["res.partner"].search([], order="email desc, id desc", limit=80).ids
    html = client.get(f"/web/action/{action}?order=email+desc").text
    assert row_ids(html) == expected
    assert 'aria-sort="descending"' in html
    # the header now toggles to ascending
    assert re.search(rf'href="/web/action/{action}\?order=email\+asc"', html)
    for bad in ("bogus", "email sideways", "contact_address", "name;drop table res_partner", "category_id"):
        reply = client.get(f"/web/action/{action}?order={urllib.parse.quote(bad)}")
        assert reply.status == 400, bad
        assert "Cannot sort by" in message(reply.text)
    # a non-stored column is shown but has no sort link
    assert 'href="/web/action/%d?order=contact_address' % action not in \
        client.get(f"/web/action/{action}?optional=contact_address").text


def test_pager_counts_at_most_1000_then_exactly_on_demand(setup):
    server, action = setup
    with server.env() as env:
        env["res.partner"].create([{"name": f"Bulk {i:04d}", "credit_limit": 2} for i in range(1100)])
        total = env["res.partner"].search_count([])
        credit = sum(env["res.partner"].search([]).mapped("credit_limit"))
        domain_total = env["res.partner"].search_count([("name", "ilike", "Bulk")])
    client = server.login_client()
    html = client.get(f"/web/action/{action}").text
    assert re.search(r'<span class="o-pager-value">1-80</span> /\s*<span class="o-pager-total"[^>]*>1,000\+</span>',
                     html)
    assert len(row_ids(html)) == 80
    # as the count, the footer's total over so many records is computed on demand
    assert "<tfoot>" in html and f"{credit:,.2f}" not in html
    link = re.search(r'class="o-totals-link" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert link == f"/web/action/{action}?totals=1"
    assert re.search(rf"<tfoot>.*{credit:,.2f}.*</tfoot>", client.get(link).text, re.S)
    # the exact count: without JavaScript a link, with it the JSON route
    exact = re.search(r'class="o-pager-exact" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    html = client.get(exact).text
    assert re.search(rf'<span class="o-pager-total"[^>]*>{total:,}</span>', html)
    reply = client.json("/web/dataset/search_count",
                        {"model": "res.partner", "domain": [["name", "ilike", "Bulk"]]})
    assert reply.json()["result"] == domain_total
    bad = client.json("/web/dataset/search_count", {"model": "res.partner", "domain": [["nope", "=", 1]]})
    assert bad.json()["error"]["data"]["message"].startswith("Invalid domain")
    # the next page, and a page size from the URL
    html = client.get(f"/web/action/{action}?offset=80&limit=20").text
    assert re.search(r'<span class="o-pager-value">81-100</span> /\s*<span class="o-pager-total"[^>]*>1,080\+',
                     html)
    assert client.get(f"/web/action/{action}?limit=0").status == 400
    assert client.get(f"/web/action/{action}?offset=-5").status == 400
    assert "must be a whole number" in message(client.get(f"/web/action/{action}?limit=ten").text)


def test_list_page_query_count_does_not_grow_with_page_size(setup):
    server, action = setup
    with server.env() as env:
        tags = env["res.partner.category"].search([], limit=3)
        countries = env["res.country"].search([], limit=20)
        env["res.partner"].create([{
            "name": f"Row {i:03d}", "email": f"row{i}@example.com", "city": "Ulm",
            "country_id": countries[i % len(countries)].id, "category_id": [(6, 0, tags[: i % 4].ids)],
            "credit_limit": i * 10.5, "is_company": bool(i % 2)} for i in range(120)])
    client = server.login_client()
    client.get(f"/web/action/{action}?limit=10")  # warm-up: caches of the first request
    counts = {}
    for limit in (10, 80):
        with count_queries(server) as statements:
            html = client.get(f"/web/action/{action}?limit={limit}").text
        assert len(row_ids(html)) == limit
        counts[limit] = len(statements)
    assert counts[10] == counts[80], counts


def test_empty_list_shows_the_sanitised_help(setup):
    server, action = setup
    client = server.login_client()
    html = client.get(f"/web/action/{action}?search=email:no-such-address-anywhere").text
    assert "No records found." in html                  # a search that finds nothing
    nothing = contacts(server, domain="[('id', '=', 0)]",
                       help="<p>Create your first contact<script>alert('x')</script></p>")["action"]
    html = client.get(f"/web/action/{nothing}").text
    assert "<p>Create your first contact</p>" in html
    assert "alert(" not in html


def test_form_only_and_res_id_actions_open_the_form(web_server):
    with web_server.env() as env:
        form_only = env["ir.actions.act_window"].create({"name": "One", "res_model": "res.partner",
                                                          "view_mode": "form"})
        company = env.ref("base.main_partner")
        record = env["ir.actions.act_window"].create({"name": "Mine", "res_model": "res.partner",
                                                       "view_mode": "form", "res_id": company.id})
        gantt = env["ir.actions.act_window"].create({"name": "Bars", "res_model": "res.partner",
                                                      "view_mode": "gantt,form"})
    client = web_server.login_client()
    reply = client.get(f"/web/action/{form_only.id}?menu_id=4")
    assert reply.status == 303 and reply.headers["Location"].endswith(f"/web/action/{form_only.id}/new?menu_id=4")
    reply = client.get(f"/web/action/{record.id}")
    assert reply.status == 303 and reply.headers["Location"].endswith(f"/web/action/{record.id}/{company.id}")
    reply = client.get(f"/web/action/{gantt.id}")                 # unsupported views fall back to the list
    assert reply.status == 200 and 'class="o-list-table' in reply.text


def test_model_window_and_bad_parameters(web_server):
    client = web_server.login_client()
    reply = client.get("/web/model/res.country?domain=" + urllib.parse.quote('[["code", "in", ["DE", "FR"]]]'))
    assert reply.status == 200
    assert len(row_ids(reply.text)) == 2
    # links inside the window keep its domain
    assert "domain=%5B%5B%22code%22" in reply.text
    assert client.get("/web/model/res.country?domain=nope").status == 400
    assert client.get("/web/model/no.such.model").status == 404
    assert client.get("/web/action/99999").status == 404


def test_optional_columns_menu(setup):
    server, action = setup
    client = server.login_client()
    html = client.get(f"/web/action/{action}?optional=type").text
    names = re.findall(r'<th scope="col" class="[^"]*" data-name="([^"]+)"', html)
    assert "type" in names and "is_company" not in names
    html = client.get(f"/web/action/{action}?optional=").text
    names = re.findall(r'<th scope="col" class="[^"]*" data-name="([^"]+)"', html)
    assert "type" not in names and "is_company" not in names
    # the menu lists every optional column with its state
    assert re.search(r'name="optional" value="type"\s*>', html)


def test_editable_list_saves_rows_in_place(web_server):
    ids = contacts(web_server, editable="bottom")
    client = web_server.login_client()
    with web_server.env() as env:
        partner = env["res.partner"].create({"name": "Inline", "credit_limit": 1.0})
    html = client.get(f"/web/action/{ids['action']}?search=name:Inline").text
    assert 'data-editable="bottom"' in html and "data-values=" in html
    url = f"/web/action/{ids['action']}/save_row"
    reply = client.json(url, {"id": partner.id, "values": {"credit_limit": "2,500.5", "city": "Bonn"}})
    result = reply.json()["result"]
    assert result["cells"]["credit_limit"] == "2,500.50" and result["cells"]["city"] == "Bonn"
    with web_server.env() as env:
        assert env["res.partner"].browse(partner.id).credit_limit == 2500.5
    reply = client.json(url, {"id": partner.id, "values": {"credit_limit": "lots", "city": "Köln"}})
    error = reply.json()["error"]
    assert error["data"]["message"] == "Credit Limit: Expected a number."
    reply = client.json(url, {"id": partner.id, "values": {"country_id": "5"}})
    assert "cannot be edited in this list" in reply.json()["error"]["data"]["message"]
    with web_server.env() as env:
        assert env["res.partner"].browse(partner.id).city == "Bonn"        # nothing of the refused save
    # a new row
    reply = client.json(url, {"id": None, "values": {"name": "Row made inline", "email": "inline@example.com"}})
    new_id = reply.json()["result"]["id"]
    with web_server.env() as env:
        assert env["res.partner"].browse(new_id).email == "inline@example.com"
    # a list without editable="..." refuses
    plain = contacts(web_server)
    reply = client.json(f"/web/action/{plain['action']}/save_row", {"id": partner.id, "values": {"city": "X"}})
    assert reply.json()["error"]["data"]["message"] == "This list is not editable in place."


def test_json_value_of_rows_is_json(web_server):
    ids = contacts(web_server, editable="top")
    html = web_server.login_client().get(f"/web/action/{ids['action']}").text
    values = re.search(r'data-values="([^"]+)"', html).group(1)
    import html as html_lib
    decoded = json.loads(html_lib.unescape(values))
    assert {"name", "email", "credit_limit", "is_company"} <= set(decoded)


@pytest.mark.parametrize("dirty, clean", [
    ("<p>Hello <b>you</b></p>", "<p>Hello <b>you</b></p>"),
    ("<p onclick=\"steal()\" style=\"color:red\" class=\"o_view_nocontent\">x</p>",
     '<p class="o_view_nocontent">x</p>'),
    ("a<script>alert(1)</script>b<style>p{}</style>c", "abc"),
    ('<a href="javascript:alert(1)">j</a><a href="/web">w</a>',
     '<a>j</a><a href="/web" rel="noopener noreferrer">w</a>'),
    ("<img src=x onerror=alert(1)><iframe src=//evil></iframe>tail", "tail"),
    ('<a href="//evil.example/x">s</a><a href="java\tscript:alert(1)">t</a><a href="mailto:a@b.example">m</a>',
     '<a>s</a><a>t</a><a href="mailto:a@b.example" rel="noopener noreferrer">m</a>'),
    ("<custom>kept <i>text</i></custom>", "kept <i>text</i>"),
    ("plain & simple", "plain &amp; simple"),
    ("", ""),
])
def test_help_html_is_sanitised(dirty, clean):
    from addons.web.html_sanitize import sanitize_html
    assert str(sanitize_html(dirty)) == clean
