"""The search panel through a real HTTP server: text search, filters and their blocks,
many2one by name or id, defaults of the action, group-bys and their counts, bad input."""
import re
import urllib.parse

import pytest

from .test_list_support import contacts, message, row_ids


@pytest.fixture
def setup(web_server):
    with web_server.env() as env:
        de = env.ref("base.de")
        fr = env.ref("base.fr")
        partners = env["res.partner"]
        partners.create([
            {"name": "Sigma Werke", "is_company": True, "country_id": de.id, "credit_limit": 5000,
             "email": "info@sigma.example"},
            {"name": "Sigma Person", "country_id": de.id, "credit_limit": 200, "email": "p@sigma.example"},
            {"name": "Sigma France", "is_company": True, "country_id": fr.id, "credit_limit": 3000},
            {"name": "Sigma Nowhere", "credit_limit": 1500},
        ])
    ids = contacts(web_server)
    return web_server, ids["action"], web_server.login_client()


def _search(server, domain, order="name, id desc"):
    with server.env() as env:
        return env["res.partner"].search(domain, order=order, limit=80).ids


def _url(action, *pairs):
    return f"/web/action/{action}?" + urllib.parse.urlencode(pairs)


def test_text_search_on_a_field(setup):
    server, action, client = setup
    html = client.get(_url(action, ("search", "email:sigma.example"))).text
    assert sorted(row_ids(html)) == sorted(_search(server, [("email", "ilike", "sigma.example")]))
    assert len(row_ids(html)) == 2
    # the facet shows the field's label and the value, and removing it leaves no search
    facet = re.search(r'<li class="o-facet o-facet-field".*?</li>', html, re.S).group(0)
    assert "Email" in facet and "sigma.example" in facet
    remove = re.search(r'class="o-facet-remove" href="([^"]+)"', facet).group(1)
    assert remove == f"/web/action/{action}"


def test_field_values_are_ored_and_fields_anded(setup):
    server, action, client = setup
    html = client.get(_url(action, ("search", "name:Werke"), ("search", "name:France"),
                           ("search", "email:sigma"))).text
    # filter_domain of "name" searches name or email; both values ORed, then ANDed with email
    expected = _search(server, ["&", "|", "|", "|", ("name", "ilike", "Werke"), ("email", "ilike", "Werke"),
                                ("name", "ilike", "France"), ("email", "ilike", "France"),
                                ("email", "ilike", "sigma")])
    assert sorted(row_ids(html)) == sorted(expected) and len(expected) == 1
    assert " or " in re.search(r'<li class="o-facet o-facet-field" data-key="field-name">.*?</li>',
                               html, re.S).group(0)


def test_filters_or_in_a_block_and_across_blocks(setup):
    server, action, client = setup
    both = row_ids(client.get(_url(action, ("filter", "person"), ("filter", "company"),
                                   ("search", "name:Sigma"))).text)
    assert sorted(both) == sorted(_search(server, [("name", "ilike", "Sigma")]))       # OR: everyone
    anded = row_ids(client.get(_url(action, ("filter", "company"), ("filter", "german"),
                                    ("search", "name:Sigma"))).text)
    expected = _search(server, [("is_company", "=", True), ("country_id.code", "=", "DE"),
                                ("name", "ilike", "Sigma")])
    assert sorted(anded) == sorted(expected) and len(expected) == 1
    mixed = row_ids(client.get(_url(action, ("filter", "german"), ("filter", "rich"),
                                    ("filter", "company"), ("search", "name:Sigma"))).text)
    expected = _search(server, ["&", "&", "|", ("country_id.code", "=", "DE"), ("credit_limit", ">", 1000),
                                ("is_company", "=", True), ("name", "ilike", "Sigma")])
    assert sorted(mixed) == sorted(expected) and len(expected) == 2
    # the filters menu marks the active ones
    html = client.get(_url(action, ("filter", "rich"))).text
    assert re.search(r'aria-checked="true"\s*class="o-filter o-active">Big credit', html)


def test_filter_domain_uses_the_user(setup):
    server, action, client = setup
    with server.env() as env:
        env["res.partner"].create({"name": "Sigma Mine", "user_id": 2})
    assert row_ids(client.get(_url(action, ("filter", "mine"))).text) == _search(server, [("user_id", "=", 2)])


def test_many2one_by_name_or_by_id(setup):
    server, action, client = setup
    with server.env() as env:
        france = env.ref("base.fr").id
    by_name = row_ids(client.get(_url(action, ("search", "country_id:Fran"))).text)
    assert sorted(by_name) == sorted(_search(server, [("country_id.name", "ilike", "Fran")]))
    by_id = client.get(_url(action, ("searchid", f"country_id:{france}"))).text
    assert sorted(row_ids(by_id)) == sorted(_search(server, [("country_id", "=", france)]))
    assert re.search(r'o-facet-field" data-key="field-country_id">.*?France', by_id, re.S)
    # the search box's suggestions of records
    reply = client.json("/web/search/records", {"model": "res.partner", "field": "country_id", "text": "Fran"})
    assert [france, "France"] in reply.json()["result"]
    reply = client.json("/web/search/records", {"model": "res.partner", "field": "email", "text": "x"})
    assert "no relational field" in reply.json()["error"]["data"]["message"]


def test_search_without_javascript_field_select(setup):
    server, action, client = setup
    html = client.get(_url(action, ("search_field", "city"), ("search_text", "  "),
                           ("filter", "company"))).text
    assert "o-facet-field" not in html                 # an empty text adds nothing
    with server.env() as env:
        env["res.partner"].create({"name": "Sigma Town", "city": "Sigmaringen"})
    html = client.get(_url(action, ("search_field", "city"), ("search_text", "Sigmar"))).text
    assert row_ids(html) == _search(server, [("city", "ilike", "Sigmar")])


def test_number_search_and_bad_values(setup):
    server, action, client = setup
    assert row_ids(client.get(_url(action, ("search", "credit_limit:1500"))).text) == \
        _search(server, [("credit_limit", "=", 1500)])
    reply = client.get(_url(action, ("search", "credit_limit:much")))
    assert reply.status == 400 and "is not a number" in message(reply.text)


@pytest.mark.parametrize("pairs, text", [
    ((("filter", "nope"),), "Unknown filter “nope”"),
    ((("search", "phone:1"),), "Unknown search field “phone”"),
    ((("search", "justtext"),), "Unknown search field “”"),
    ((("searchid", "email:3"),), "Invalid record search"),
    ((("searchid", "country_id:x"),), "Invalid record search"),
    ((("groupby", "nope"),), "Cannot group by “nope”"),
    ((("groupby", "contact_address"),), "Cannot group by “contact_address”"),
    ((("groupby", "category_id"),), "Cannot group by “category_id”"),
    ((("groupby", "create_date:fortnight"),), "unknown date grouping"),
    ((("groupby", "name:month"),), "unknown date grouping"),
])
def test_bad_search_parameters_give_a_clear_message(setup, pairs, text):
    server, action, client = setup
    reply = client.get(_url(action, *pairs))
    assert reply.status == 400
    assert text in message(reply.text)


def test_search_defaults_of_the_action_context(web_server):
    ids = contacts(web_server, context="{'search_default_company': 1, 'search_default_by_country': 1}")
    client = web_server.login_client()
    action = ids["action"]
    html = client.get(f"/web/action/{action}").text
    assert re.search(r'o-facet-filter".*?Companies', html, re.S)
    assert re.search(r'o-facet-groupby".*?Country', html, re.S)
    # removing every facet is a state of its own: the defaults do not come back
    remove = re.search(r'<li class="o-facet o-facet-groupby".*?href="([^"]+)"', html, re.S).group(1)
    html = client.get(remove.replace("&amp;", "&")).text
    remove = re.search(r'<li class="o-facet o-facet-filter".*?href="([^"]+)"', html, re.S).group(1)
    assert "nodefault=1" in remove
    html = client.get(remove.replace("&amp;", "&")).text
    assert "o-facet " not in html
    with web_server.env() as env:
        assert len(row_ids(html)) == min(80, env["res.partner"].search_count([]))


def test_action_domain_always_applies(web_server):
    ids = contacts(web_server, domain="[('is_company', '=', True)]")
    client = web_server.login_client()
    html = client.get(_url(ids["action"], ("filter", "person"))).text
    assert row_ids(html) == []


def test_group_by_with_counts_and_sums(setup):
    server, action, client = setup
    html = client.get(_url(action, ("groupby", "country_id"), ("search", "name:Sigma"))).text
    groups = re.findall(r'<tr class="o-group-row o-group-depth-0[^"]*">.*?</tr>', html, re.S)
    labels = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", g)).strip() for g in groups]
    with server.env() as env:
        expected = env["res.partner"].read_group([("name", "ilike", "Sigma")], ["credit_limit:sum"],
                                                 ["country_id"])
    assert len(labels) == len(expected) == 3
    by_name = {(g["country_id"][1] if g["country_id"] else "None"): g for g in expected}
    for label in labels:
        name = label.split(" (")[0].lstrip("▸ ").strip()
        group = by_name[name]
        assert f"({group['country_id_count']})" in label
        assert f"{group['credit_limit']:,.2f}" in label
    assert "Germany (2)" in " ".join(labels) and "None (1)" in " ".join(labels)
    assert not row_ids(html)                          # closed groups show no record
    # the total of the whole search in the footer
    assert re.search(r"<tfoot>.*9,700\.00.*</tfoot>", html, re.S)


def test_group_expands_and_nests(setup):
    server, action, client = setup
    with server.env() as env:
        germany = env.ref("base.de").id
        german_sigmas = env["res.partner"].search([("name", "ilike", "Sigma"), ("country_id", "=", germany)],
                                                  order="name")
        german_companies = german_sigmas.filtered("is_company").ids
        german_sigmas = german_sigmas.ids
    html = client.get(_url(action, ("groupby", "country_id"), ("search", "name:Sigma"))).text
    link = re.search(r'<a href="([^"]+)" aria-expanded="false">\s*<span class="o-caret" aria-hidden="true">▸</span>'
                     r'\s*Germany', html).group(1)
    html = client.get(link.replace("&amp;", "&")).text
    assert row_ids(html) == german_sigmas
    # a second level: companies or not, inside the opened country
    html = client.get(_url(action, ("groupby", "country_id"), ("groupby", "is_company"),
                           ("search", "name:Sigma"), ("expand", f"[{germany}]"))).text
    level1 = re.findall(r'o-group-depth-1.*?</tr>', html, re.S)
    assert len(level1) == 2 and not row_ids(html)
    html = client.get(_url(action, ("groupby", "country_id"), ("groupby", "is_company"),
                           ("search", "name:Sigma"), ("expand", f"[{germany}]"),
                           ("expand", f"[{germany},true]"))).text
    assert row_ids(html) == german_companies


def test_group_by_date_and_selection(setup):
    server, action, client = setup
    html = client.get(_url(action, ("filter", "by_month"), ("search", "name:Sigma"))).text
    assert re.search(r'o-facet-groupby".*?Creation month', html, re.S)
    groups = re.findall(r'o-group-depth-0.*?</tr>', html, re.S)
    assert len(groups) == 1 and "(4)" in groups[0]
    html = client.get(_url(action, ("groupby", "type"), ("search", "name:Sigma"))).text
    assert re.search(r"Contact\s*<span class=\"o-group-count\">\(4\)", html)
    # the custom group-by menu offers the stored fields one may group by
    options = re.findall(r'<select id="o-groupby-field" name="groupby">(.*?)</select>', html, re.S)[0]
    assert 'value="country_id"' in options and 'value="category_id"' not in options
