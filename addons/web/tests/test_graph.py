"""The graph view through a real HTTP server (the SVG parsed with lxml: bars, lines, slices,
axes, tooltips, legend; the data table and its CSV; the chart's choices in the URL; the
search panel; bad parameters; record rules), and graph_svg's edge cases on their own."""
import csv
import html as html_lib
import io
import re

import pytest
from lxml import etree

from addons.web import graph_svg

from .test_pivot import deals, month, raw_rows, server, truth  # noqa: F401 (server is a fixture)

SVG = "{http://www.w3.org/2000/svg}"


def chart(page_html):
    """The page's chart, parsed (lxml raises on markup that is not well-formed XML)."""
    found = re.search(r"<svg class=\"o-chart.*?</svg>", page_html, re.S)
    assert found, "no chart in the page"
    return etree.fromstring(found.group(0))


def tips(svg, tag):
    return [node.findtext(f"{SVG}title") for node in svg.iter(f"{SVG}{tag}") if node.get("class", "").startswith("o-")]


def table(page_html):
    body = page_html.split('<table class="o-analysis-table o-graph-table">', 1)[1].split("</table>", 1)[0]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>", 1)[1], re.S):
        cells = [html_lib.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        rows.append(cells)
    return rows


def number(text):
    return float(text.replace(",", "")) if text else None


def test_bar_chart_by_stage_matches_sql(server):
    ids = deals(server)
    client = server.login_client()
    reply = client.get(f"/web/action/{ids['graph_action']}")
    assert reply.status == 200, reply.text[:2000]
    svg = chart(reply.text)
    assert svg.get("role") == "img"
    assert svg.get("aria-label") == "Bar chart of Amount by Stage"
    rows = raw_rows(server)
    by_stage = truth(rows, lambda r: r["stage_id"])
    bars = tips(svg, "rect")
    assert len(bars) == len(by_stage) == 4                     # three stages and "None"
    assert bars[0] == f"Zeta: {by_stage[(ids['stages'][0],)]:,.2f}"
    assert bars[-1] == f"None: {by_stage[(False,)] if (False,) in by_stage else by_stage[(None,)]:,.2f}"
    ticks = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "o-tick"]
    assert ticks[0] == "0" and len(ticks) >= 3
    # the data table under the chart, with links to each group's records
    data = table(reply.text)
    assert [row[0] for row in data] == ["Zeta", "Alpha", "Middle", "None"]
    assert [number(row[1]) for row in data[:3]] == [round(by_stage[(s,)], 2) for s in ids["stages"]]
    assert "/web/model/test.deal?domain=" in reply.text


def test_switch_measure_type_order_and_stacked_series(server):
    ids = deals(server)
    client = server.login_client()
    base = f"/web/action/{ids['graph_action']}"
    rows = raw_rows(server)
    page = client.get(base).text
    links = dict((label.strip(), html_lib.unescape(url)) for url, label in
                 re.findall(r'<a href="([^"]+)" role="menuitemradio"[^>]*>([^<]+)</a>', page))
    page = client.get(links["Seats"]).text
    svg = chart(page)
    assert svg.get("aria-label") == "Bar chart of Seats by Stage"
    by_stage = truth(rows, lambda r: r["stage_id"], field="quantity")
    assert tips(svg, "rect")[0] == f"Zeta: {by_stage[(ids['stages'][0],)]}"
    # line chart: one polyline, a point per stage
    line = html_lib.unescape(re.search(r'class="o-graph-type-line" href="([^"]+)"', page).group(1))
    assert "graph_measure=quantity" in line and "graph_type=line" in line
    svg = chart(client.get(line).text)
    assert len(list(svg.iter(f"{SVG}polyline"))) == 1 and len(tips(svg, "circle")) == 4
    # two group-bys (the search panel's, which win over the arch's): series, stacked or not
    page = client.get(f"{base}?groupby=date:month&groupby=kind").text
    svg = chart(page)
    by_month_kind = truth(rows, month, lambda r: r["kind"])
    assert len(tips(svg, "rect")) == len(by_month_kind)
    legend = [t.findtext(f"{SVG}title") for t in svg.iter(f"{SVG}text") if t.getparent().get("class") == "o-legend-item"]
    assert legend == ["New Business", "Upsell", "Renewal"]
    assert "January 2024 · Upsell: " in " ".join(tips(svg, "rect"))
    stacked_link = html_lib.unescape(re.search(r'class="btn o-graph-stacked" href="([^"]+)"', page).group(1))
    assert "stacked=0" in stacked_link                         # the arch's default is stacked
    unstacked = chart(client.get(stacked_link).text)
    widths = {float(r.get("width")) for r in unstacked.iter(f"{SVG}rect") if r.get("class") == "o-bar"}
    stacked_widths = {float(r.get("width")) for r in svg.iter(f"{SVG}rect") if r.get("class") == "o-bar"}
    assert max(widths) < min(stacked_widths)                   # side by side: thinner bars
    data = table(page)
    total = [r for r in rows if month(r) == "2024-01-01"]
    assert data[0][0] == "January 2024" and number(data[0][-1]) == round(sum(r["amount"] for r in total), 2)
    # largest first
    page = client.get(f"{base}?graph_order=desc").text
    values = [number(row[1]) for row in table(page)]
    assert values == sorted(values, reverse=True)


def test_pie_others_and_negative_values(server):
    ids = deals(server)
    client = server.login_client()
    base = f"/web/action/{ids['graph_action']}"
    page = client.get(f"{base}?graph_type=pie&groupby=name").text
    svg = chart(page)
    slices = tips(svg, "path") + tips(svg, "circle")
    assert len(slices) == graph_svg.MAX_PIE_SLICES
    assert slices[-1].startswith("Others: ")
    # the negative amounts are left out, and the page says so
    assert "Negative values cannot be shown in a pie chart" in page
    rows = raw_rows(server)
    positive = sorted((r["amount"] for r in rows if r["amount"] > 0), reverse=True)
    others = sum(positive[graph_svg.MAX_PIE_SLICES - 1:])
    assert slices[-1].startswith(f"Others: {others:,.2f}")


def test_csv_of_the_data_table(server):
    ids = deals(server)
    client = server.login_client()
    page = client.get(f"/web/action/{ids['graph_action']}?groupby=kind&groupby=stage_id&graph_measure=__count").text
    url = html_lib.unescape(re.search(r'class="btn o-analysis-csv" href="([^"]+)"', page).group(1))
    reply = client.get(url)
    assert reply.status == 200 and "test.deal-graph.csv" in reply.headers["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(reply.text.lstrip("\ufeff"))))
    assert lines[0] == ["Kind / Stage", "Zeta", "Alpha", "Middle", "None", "Total"]
    rows = raw_rows(server)
    counts = truth(rows, lambda r: r["kind"], lambda r: r["stage_id"], how="count")
    first = lines[1]
    assert first[0] == "New Business"
    zeta = ids["stages"][0]
    assert first[1] == str(counts.get(("new", zeta), "")) and first[-1] == str(
        sum(1 for r in rows if r["kind"] == "new"))


def test_no_data_one_group_and_filters(server):
    ids = deals(server)
    client = server.login_client()
    base = f"/web/action/{ids['graph_action']}"
    svg = chart(client.get(f"{base}?search=name:nothing-like-this").text)
    assert svg.get("class") == "o-chart o-chart-empty"
    assert "No data to show" in etree.tostring(svg, encoding="unicode")
    page = client.get(f"{base}?filter=upsells&search=stage_id:Alpha").text
    rows = [r for r in raw_rows(server) if r["kind"] == "upsell" and r["stage_id"] == ids["stages"][1]]
    bars = tips(chart(page), "rect")
    assert bars == [f"Alpha: {sum(r['amount'] for r in rows):,.2f}"]


@pytest.mark.parametrize("query, words", [
    ("graph_type=donut", "donut"),
    ("graph_measure=name", "name"),
    ("graph_measure=__count2", "__count2"),
    ("stacked=maybe", "maybe"),
    ("graph_order=sideways", "sideways"),
    ("groupby=missing_field", "missing_field"),
])
def test_bad_parameters_are_a_clean_400(server, query, words):
    ids = deals(server)
    client = server.login_client()
    for url in (f"/web/action/{ids['graph_action']}?{query}", f"/web/action/{ids['graph_action']}/graph.csv?{query}"):
        reply = client.get(url)
        assert reply.status == 400, url
        assert words in html_lib.unescape(reply.text) and "Traceback" not in reply.text


def test_record_rules_change_the_chart(server):
    ids = deals(server)
    demo = server.login_client("demo", "demo")
    page = demo.get(f"/web/action/{ids['graph_action']}?graph_measure=__count").text
    mine = raw_rows(server, user=ids["demo"])
    counts = truth(mine, lambda r: r["stage_id"], how="count")
    names = dict(zip(ids["stages"], ("Zeta", "Alpha", "Middle")))
    expected = {names.get(stage, "None"): count for (stage,), count in counts.items()}
    assert {row[0]: number(row[1]) for row in table(page)} == expected
    assert sum(expected.values()) == len(mine) < len(raw_rows(server))


# ---------------------------------------------------------------- graph_svg alone
def test_nice_ticks():
    assert graph_svg.nice_ticks(0, 97) == [0, 20, 40, 60, 80, 100]
    assert graph_svg.nice_ticks(-230, 1000) == [-500, 0, 500, 1000] or \
        graph_svg.nice_ticks(-230, 1000)[0] <= -230
    ticks = graph_svg.nice_ticks(0, 0)
    assert ticks[0] == 0 and ticks[-1] >= 1
    ticks = graph_svg.nice_ticks(0.001, 0.0042)
    assert ticks[0] <= 0.001 and ticks[-1] >= 0.0042 and len(ticks) <= 8


def test_charts_are_valid_svg_on_edge_cases():
    text = "{:,.0f}".format
    long = "A very long label that would never fit under one bar " * 2
    cases = [
        graph_svg.bar_chart(["Only"], [("Amount", [5])], text, "One group"),
        graph_svg.bar_chart(["Up", "Down"], [("A", [10, -30]), ("B", [4, -2])], text, "Negatives", stacked=True),
        graph_svg.bar_chart([f"{long} {i}" for i in range(120)], [("A", list(range(120)))], text, "Many"),
        graph_svg.line_chart(["a", "b", "c"], [("A", [1, None, 3]), ("B", [2, 2, 2])], text, "Gap", stacked=True),
        graph_svg.bar_chart([], [], text, "Empty"),
        graph_svg.pie_chart(graph_svg.pie_slices([("x", 5)], "Others"), text, "Whole"),
        graph_svg.pie_chart(graph_svg.pie_slices([("x", -5)], "Others"), text, "Nothing positive"),
    ]
    parsed = [etree.fromstring(str(svg)) for svg in cases]
    assert len([r for r in parsed[0].iter(f"{SVG}rect") if r.get("class") == "o-bar"]) == 1
    negatives = parsed[1]
    zero = [line for line in negatives.iter(f"{SVG}line") if "o-zero" in line.get("class", "")]
    assert len(zero) == 1
    bars = [r for r in negatives.iter(f"{SVG}rect") if r.get("class") == "o-bar"]
    assert all(float(b.get("height")) > 0 for b in bars) and len(bars) == 4
    many = parsed[2]
    labels = [t for t in many.iter(f"{SVG}text") if t.get("class") == "o-category"]
    assert 0 < len(labels) < 120 and all(len(t.xpath("string(text())")) <= 18 for t in labels)
    assert labels[0].findtext(f"{SVG}title").startswith("A very long label")
    assert len(list(parsed[3].iter(f"{SVG}polyline"))) == 2 + 0    # A is cut by its gap into two single points
    assert parsed[4].get("class") == "o-chart o-chart-empty"
    assert [c.get("class") for c in parsed[5].iter(f"{SVG}circle")] == ["o-slice"]
    assert parsed[6].get("class") == "o-chart o-chart-empty"
    # markup in labels is escaped, never interpreted
    svg = str(graph_svg.bar_chart(["<script>x</script>"], [("<b>", [1])], text, "<i>t</i>"))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    etree.fromstring(svg)
