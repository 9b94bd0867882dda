"""The pivot view through a real HTTP server: numbers equal to SQL truth computed here from
the raw rows, totals, expand and collapse, flip, several measures, CSV, the search panel,
bad parameters, record rules — on the test addon's deals (test_web_analysis).

``deals(server)`` (also used by test_graph.py and test_browser_analysis.py) fills the served
database with a known set of deals and returns what the tests need; ``truth(server, ...)``
aggregates the raw rows of the table in Python, independently of read_group.
"""
import csv
import datetime
import html as html_lib
import io
import json
import re
import urllib.parse
from collections import defaultdict
from pathlib import Path

import pytest
import sqlalchemy as sa

ADDONS = str(Path(__file__).resolve().parent / "addons")
STAGES = [("Zeta", 1), ("Alpha", 2), ("Middle", 3)]          # their order is the sequence, not the name
KINDS = ["new", "upsell", "renewal"]


def deals(server):
    """36 deals over three months, three stages, three kinds, the admin's, the demo user's and
    nobody's; some amounts negative, one deal without a date nor a stage."""
    with server.env() as env:
        stages = [env["test.deal.stage"].create({"name": name, "sequence": seq}).id for name, seq in STAGES]
        admin, demo = env.ref("base.user_admin").id, env.ref("base.user_demo").id
        users = [admin, demo, False]
        values = []
        for i in range(35):
            values.append({
                "name": f"Deal {i:02d}", "date": datetime.date(2024, 1 + i % 3, 1 + (i * 7) % 28),
                "stage_id": stages[i % 3 if i % 5 else (i // 5) % 3], "kind": KINDS[(i // 2) % 3],
                "user_id": users[i % 3], "quantity": 1 + i % 4,
                "amount": (-50.5 if i % 11 == 0 else 150.25 * (i % 7 + 1)), "probability": 10.0 * (i % 10),
            })
        values.append({"name": "Undated", "kind": "new", "quantity": 2, "amount": 10.0, "probability": 50})
        env["test.deal"].create(values)
        action = env.ref("test_web_analysis.action_deals_pivot").id
        graph_action = env.ref("test_web_analysis.action_deals").id
    return {"action": action, "graph_action": graph_action, "stages": stages, "admin": admin, "demo": demo}


@pytest.fixture
def server(start_web_server):
    return start_web_server(addons=("test_web_analysis",), addons_paths=(ADDONS,))


def raw_rows(server, user=None):
    """The rows of test_deal as SQL gives them (``user``: only what the record rule shows them)."""
    with server.env() as env:
        table = sa.table("test_deal", *(sa.column(c) for c in (
            "id", "stage_id", "kind", "date", "amount", "quantity", "probability", "user_id")))
        rows = [dict(row._mapping) for row in env.cr.execute(sa.select(table))]
    if user is not None:
        rows = [row for row in rows if row["user_id"] in (user, None)]
    for row in rows:
        if isinstance(row["date"], str):
            row["date"] = datetime.date.fromisoformat(row["date"][:10])
    return rows


def month(row):
    return row["date"].replace(day=1).isoformat() if row["date"] else None


def truth(rows, *keys, field="amount", how="sum"):
    """``{key tuple: aggregate}`` of ``rows`` grouped by the functions ``keys``."""
    groups = defaultdict(list)
    for row in rows:
        groups[tuple(key(row) for key in keys)].append(row)
    result = {}
    for key, items in groups.items():
        values = [item[field] for item in items if item[field] is not None]
        result[key] = len(items) if how == "count" else sum(values) / len(values) if how == "avg" else sum(values)
    return result


def number(text):
    """A number as the page shows it in English (1,234.50) or a CSV gives it."""
    return float(text.replace(",", "")) if text.strip() else None


def table_rows(page_html):
    """``[(row path, [cell texts])]`` of the pivot table."""
    body = page_html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    result = []
    for path, row in re.findall(r'<tr class="o-pivot-row[^"]*" data-path="([^"]*)">(.*?)</tr>', body, re.S):
        cells = re.findall(r'<td class="o-num[^"]*">(.*?)</td>', row, re.S)
        texts = [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells]
        result.append((tuple(json.loads(html_lib.unescape(path))), texts))
    return result


def column_paths(page_html):
    head = page_html.split("<thead>", 1)[1].split("</thead>", 1)[0]
    return [tuple(json.loads(html_lib.unescape(p))) for p in re.findall(r'<th scope="col" class="o-pivot-header" '
                                                                        r'[^>]*data-path="([^"]*)"', head)]


def message(page_html):
    found = re.search(r'class="o-alert o-alert-danger"[^>]*>(.*?)</', page_html, re.S) or \
        re.search(r"<main[^>]*>(.*?)</main>", page_html, re.S)
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", found.group(1) if found else page_html))


def links(page_html, css):
    return [html_lib.unescape(href) for href in re.findall(rf'class="[^"]*{css}[^"]*" href="([^"]+)"', page_html)]


# ---------------------------------------------------------------- tests
def test_default_pivot_matches_sql(server):
    ids = deals(server)
    client = server.login_client()
    reply = client.get(f"/web/action/{ids['action']}")
    assert reply.status == 200, reply.text[:2000]
    page = reply.text
    rows = raw_rows(server)
    by_stage_month = truth(rows, lambda r: r["stage_id"], month)
    by_stage = truth(rows, lambda r: r["stage_id"])
    by_month = truth(rows, month)
    total = sum(r["amount"] for r in rows)
    # the columns: Total, its months in order, then the empty date; then the total column
    months = sorted(m for (m,) in by_month if m) + [None]
    assert column_paths(page) == [()] + [(m,) for m in months]
    assert "January 2024" in page and "March 2024" in page
    table = table_rows(page)
    # rows: the total first, then the stages in their sequence order, then "None"
    assert [path for path, _ in table] == [()] + [(s,) for s in ids["stages"]] + [(None,)]
    assert re.search(r'data-path="\[\]">\s*<th[^>]*><a class="o-pivot-toggle"[^>]*aria-expanded="true"', page)
    labels = re.findall(r'<th scope="row"[^>]*>.*?</span> ([^<]+)</', page, re.S)
    assert labels[:4] == ["Total", "Zeta", "Alpha", "Middle"]
    for path, texts in table:
        stage = path[0] if path else "all"
        expected = [by_stage_month.get((stage, m)) if path else by_month.get((m,)) for m in months]
        expected.append(by_stage.get((stage,)) if path else total)
        assert [number(t) for t in texts] == [round(e, 2) if e is not None else None for e in expected], path
    # the grand total cell is the last cell of the first row, formatted in English
    assert table[0][1][-1] == f"{total:,.2f}"


def test_cell_links_open_the_list_of_its_records(server):
    ids = deals(server)
    client = server.login_client()
    page = client.get(f"/web/action/{ids['action']}").text
    stage = ids["stages"][1]
    row = re.search(rf'data-path="\[{stage}\]">(.*?)</tr>', page, re.S).group(1)
    cell = html_lib.unescape(re.search(r'<td class="o-num[^"]*"><a href="([^"]+)"', row).group(1))
    assert cell.startswith(f"/web/action/{ids['action']}/pivot_records?")
    reply = client.get(cell)
    assert reply.status == 303
    href = reply.headers["Location"]
    href = href[href.index("/web/"):]
    path, query = href.split("?")
    params = urllib.parse.parse_qs(query)
    assert path == "/web/model/test.deal"
    domain = json.loads(params["domain"][0])
    assert ["stage_id", "=", stage] in domain
    start = next(leaf[2] for leaf in domain if leaf[:2] == ["date", ">="])
    assert ["date", "<", start[:5] + f"{int(start[5:7]) + 1:02d}-01"] in domain
    listing = client.get(href)
    assert listing.status == 200, listing.text[:1000]
    expected = [r for r in raw_rows(server) if r["stage_id"] == stage and month(r) == start]
    assert expected
    assert len(re.findall(r'<tr class="o-row', listing.text)) == len(expected)


def test_expand_collapse_and_a_new_level(server):
    ids = deals(server)
    client = server.login_client()
    base = f"/web/action/{ids['action']}"
    page = client.get(base).text
    stage = ids["stages"][0]
    # collapse a stage? stages are the last level: they offer the fields to group by instead
    row = re.search(rf'data-path="\[{stage}\]">(.*?)</tr>', page, re.S).group(1)
    form = re.search(r'<form method="get" action="([^"]+)" class="o-pivot-choice">(.*?)</form>', row, re.S)
    fields = [(html_lib.unescape(k), html_lib.unescape(v)) for k, v in
              re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.group(2))]
    choices = dict((label, spec) for spec, label in re.findall(r'<option value="([^"]+)">([^<]+)</option>', form.group(2)))
    assert "Kind" in choices and "Stage" not in choices
    select = re.search(r'<select name="([^"]+)">', form.group(2)).group(1)
    url = form.group(1) + "?" + urllib.parse.urlencode(fields + [(select, choices["Kind"])])
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    assert query["pivot_row"] == ["stage_id", "kind"]
    assert f"[{stage}]" in query["expand_row"] and "[]" in query["expand_row"]
    page = client.get(url).text
    table = dict(table_rows(page))
    rows = raw_rows(server)
    by_kind = truth(rows, lambda r: r["stage_id"], lambda r: r["kind"])
    sub = [path for path in table if len(path) == 2]
    assert sub and all(path[0] == stage for path in sub)          # only that stage opened
    assert [p[1] for p in sub] == [k for k in KINDS if (stage, k) in by_kind]   # in the selection's order
    for path in sub:
        assert number(table[path][-1]) == round(by_kind[path], 2)
    # the other stages stay closed but can open (a level exists now): a plain expand link
    other = ids["stages"][1]
    row = re.search(rf'data-path="\[{other}\]">(.*?)</tr>', page, re.S).group(1)
    assert 'aria-expanded="false"' in row
    # collapse the total row: one row left
    total_row = re.search(r'<tr class="o-pivot-row[^"]*" data-path="\[\]">(.*?)</tr>', page, re.S).group(1)
    collapse = html_lib.unescape(re.search(r'href="([^"]+)" aria-expanded="true"', total_row).group(1))
    page = client.get(collapse).text
    assert [path for path, _ in table_rows(page)] == [()]
    # expand all: every header of every level open again
    page = client.get(links(page, "o-pivot-expand-all")[0]).text
    paths = [path for path, _ in table_rows(page)]
    assert len([p for p in paths if len(p) == 2]) == len(by_kind)


def test_flip_axes_and_several_measures(server):
    ids = deals(server)
    client = server.login_client()
    base = f"/web/action/{ids['action']}"
    page = client.get(f"{base}?pivot_measure=amount&pivot_measure=__count&pivot_measure=probability").text
    assert page.count('<th scope="col" class="o-num">Amount</th>') == 5            # 3 months, None, total
    rows = raw_rows(server)
    table = dict(table_rows(page))
    total = table[()]
    assert number(total[-3]) == round(sum(r["amount"] for r in rows), 2)
    assert number(total[-2]) == len(rows)
    average = sum(r["probability"] for r in rows) / len(rows)
    assert number(total[-1]) == round(average, 2)                                  # avg adds up exactly
    stage = ids["stages"][2]
    by_stage = truth(rows, lambda r: r["stage_id"], field="probability", how="avg")
    assert number(table[(stage,)][-1]) == round(by_stage[(stage,)], 2)
    # flipped: the months are rows, the stages columns
    flipped = client.get(links(page, "o-pivot-flip")[0]).text
    assert [p for p in column_paths(flipped)] == [()] + [(s,) for s in ids["stages"]] + [(None,)]
    table = dict(table_rows(flipped))
    by_month = truth(rows, month, field="amount")
    assert number(table[("2024-02-01",)][-3]) == round(by_month[("2024-02-01",)], 2)
    # the measures menu toggles one off
    toggles = re.findall(r'<a href="([^"]+)" role="menuitemcheckbox" aria-checked="true"\s*'
                         r'class="o-choice o-active">([^<]+)</a>', page)
    assert [label for _url, label in toggles] == ["Count", "Amount", "Probability (%)"]
    page = client.get(html_lib.unescape(toggles[0][0])).text
    assert page.count('<th scope="col" class="o-num">Count</th>') == 0
    assert page.count('<th scope="col" class="o-num">Amount</th>') == 5


def test_csv_export(server):
    ids = deals(server)
    client = server.login_client()
    page = client.get(f"/web/action/{ids['action']}?pivot_measure=amount&pivot_measure=quantity").text
    reply = client.get(links(page, "o-analysis-csv")[0])
    assert reply.status == 200
    assert reply.headers["Content-Type"].startswith("text/csv")
    assert "test.deal-pivot.csv" in reply.headers["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(reply.text.lstrip("\ufeff"))))
    assert lines[0][0] == "Stage"
    assert lines[0][1:3] == ["January 2024 / Amount", "January 2024 / Seats"]
    assert lines[0][-2:] == ["Total / Amount", "Total / Seats"]
    rows = raw_rows(server)
    assert lines[1][0] == "Total"
    assert float(lines[1][-2]) == round(sum(r["amount"] for r in rows), 2)
    assert lines[1][-1] == str(sum(r["quantity"] for r in rows))
    assert [line[0] for line in lines[2:]] == ["Zeta", "Alpha", "Middle", "None"]
    zeta = ids["stages"][0]
    expected = truth(rows, lambda r: r["stage_id"], month)
    assert float(lines[2][1]) == round(expected[(zeta, "2024-01-01")], 2)


def test_search_panel_filters_groupbys_and_action_domain(server):
    ids = deals(server)
    client = server.login_client()
    base = f"/web/action/{ids['action']}"
    rows = raw_rows(server)
    page = client.get(f"{base}?filter=big&groupby=kind").text
    table = dict(table_rows(page))
    big = [r for r in rows if r["amount"] >= 1000]
    assert number(table[()][-1]) == round(sum(r["amount"] for r in big), 2)
    assert [p for p in table if p] == [(k,) for k in KINDS if any(r["kind"] == k for r in big)]
    # the search's group-by are the rows; the columns (months) are kept
    assert ("2024-01-01",) in column_paths(page)
    # a text search on the stage
    page = client.get(f"{base}?search=stage_id:Alpha").text
    alpha = ids["stages"][1]
    assert [p for p, _ in table_rows(page)] == [(), (alpha,)]
    # the action's domain applies too
    with server.env() as env:
        env.ref("test_web_analysis.action_deals_pivot").domain = "[('kind', '=', 'renewal')]"
    page = client.get(base).text
    renewals = [r for r in rows if r["kind"] == "renewal"]
    assert number(dict(table_rows(page))[()][-1]) == round(sum(r["amount"] for r in renewals), 2)


@pytest.mark.parametrize("query, words", [
    ("pivot_measure=bogus", "bogus"),
    ("pivot_measure=name", "name"),
    ("pivot_measure=amount&pivot_measure=nope", "nope"),
    ("pivot_row=nothing", "nothing"),
    ("pivot_col=date:fortnight", "date:fortnight"),
    ("pivot_row=note", "note"),
    ("expand_row=%5Bnot-json", "not-json"),
    ("expand_col=%7B%7D", "expand_col"),
])
def test_bad_parameters_are_a_clean_400(server, query, words):
    ids = deals(server)
    reply = server.login_client().get(f"/web/action/{ids['action']}?{query}")
    assert reply.status == 400
    assert words in message(reply.text)
    assert "Traceback" not in reply.text


def test_record_rules_change_the_numbers(server):
    ids = deals(server)
    admin = server.login_client()
    demo = server.login_client("demo", "demo")
    url = f"/web/action/{ids['action']}?pivot_measure=amount&pivot_measure=__count"
    all_rows, demo_rows = raw_rows(server), raw_rows(server, user=ids["demo"])
    assert len(demo_rows) < len(all_rows)
    mine = dict(table_rows(demo.get(url).text))[()]
    every = dict(table_rows(admin.get(url).text))[()]
    assert number(mine[-1]) == len(demo_rows) and number(every[-1]) == len(all_rows)
    assert number(mine[-2]) == round(sum(r["amount"] for r in demo_rows), 2)
    csv_text = demo.get(f"/web/action/{ids['action']}/pivot.csv?pivot_measure=__count").text
    assert csv_text.splitlines()[1].endswith(f",{len(demo_rows)}")


def test_no_record_and_the_model_window(server):
    ids = deals(server)
    client = server.login_client()
    page = client.get(f"/web/action/{ids['action']}?search=name:nothing-like-this").text
    table = table_rows(page)
    assert table == [((), [""] )] or all(not any(t for t in texts) for _p, texts in table)
    # a window without a pivot view of its own (the model's default views): no pivot there
    reply = client.get("/web/model/test.deal?view_type=pivot")
    assert reply.status == 404
